//! `gongkai bench seed`: fill an empty database with a province-sized installation for
//! benchmarks. Scale 1.0 is one province government, 21 cities, 120 districts and 2,000
//! organisations in all, 5,000,000 published items, 500,000 applications with their
//! lifecycle steps and the appeals register. Deterministic for a given seed.
//!
//! Organisations, catalogs and accounts go through the store (a few thousand rows); items,
//! item events, applications, their steps and appeals are written in bulk — PostgreSQL
//! `COPY`, SQLite multi-row transactions — with the same values the store would write:
//! 索引号 from each organisation's rule with gap-free serials per year, `applications.steps`
//! equal to the number of step rows, `state` and `handler_id` cached from the last step,
//! every step checked by the domain lifecycle before it is written.

use std::collections::HashMap;
use std::time::Instant;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use gongkai_domain::appeal::{AppealKind, AppealResult};
use gongkai_domain::application::{ApplicantKind, Channel, OrgType, Outcome};
use gongkai_domain::calendar::Calendar;
use gongkai_domain::index_number::{IndexPattern, DEFAULT_PATTERN};
use gongkai_domain::model::{CatalogKind, DisclosureMode, DisclosureOffice, DocType, ItemStatus, OrgLevel, Role, Validity};
use gongkai_store::{NewOrganisation, NewUser, Store};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sha2::{Digest, Sha256};

use crate::bench_cases::lifecycle;
use crate::bench_sink::{t, Batch, Sink, Val};
use crate::bench_text::{TextGen, DEPARTMENTS};

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("数据库中已有机关数据：bench seed 只向空数据库写入（请新建一个数据库）")]
    NotEmpty,
    #[error("规模“{0}”无效：须大于 0 且不超过 10")]
    Scale(f64),
    #[error("数据库写入失败：{0}")]
    Db(#[from] sqlx::Error),
    #[error(transparent)]
    Store(#[from] gongkai_store::StoreError),
    #[error(transparent)]
    App(#[from] gongkai_web::AppError),
    #[error("生成的数据有误：{0}")]
    Data(String),
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct SeedOptions {
    pub scale: f64,
    pub seed: u64,
    /// The password of every generated account.
    pub password: String,
}

/// Row counts at a scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sizes {
    pub cities: usize,
    pub districts: usize,
    /// All organisations, the province government included.
    pub organisations: usize,
    pub items: u64,
    pub applications: u64,
}

impl Sizes {
    pub fn at(scale: f64) -> Sizes {
        let n = |full: f64| (full * scale).round().max(1.0) as usize;
        let cities = n(21.0);
        let districts = n(120.0).max(cities);
        // At least one department and one township besides the governments.
        let organisations = n(2000.0).max(1 + cities + districts + 2);
        Sizes { cities, districts, organisations, items: (5_000_000.0 * scale).round() as u64, applications: (500_000.0 * scale).round() as u64 }
    }
}

/// What was written.
#[derive(Debug, Clone, Default)]
pub struct SeedSummary {
    pub organisations: usize,
    pub users: usize,
    pub items: u64,
    pub item_events: u64,
    pub applications: u64,
    pub steps: u64,
    pub appeals: u64,
    /// Planned steps the lifecycle refused and that were left out (should stay near 0).
    pub refused_steps: u64,
    pub seconds: f64,
    pub dictionary: bool,
    /// The organisation with the most applications and its account.
    pub busiest_org: String,
    pub busiest_user: String,
}

/// The last day any generated record is dated (the benchmarks' "today" may be later).
pub(crate) fn last_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 30).unwrap_or(NaiveDate::MIN)
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

/// A timestamp on `day` at `hour` China time, as stored (RFC 3339 UTC with nanoseconds).
fn stamp(day: NaiveDate, hour: u32, minute: u32) -> String {
    let naive = day.and_hms_opt(hour.min(23), minute.min(59), 0).unwrap_or_default();
    let t: DateTime<Utc> = Utc.from_utc_datetime(&(naive - Duration::hours(8)));
    t.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
}

fn iso(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// A 统一社会信用代码 with a valid check character (GB 32100-2015).
fn uscc(dept: &str, region: u32, serial: u64) -> String {
    const CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
    let body = format!("{dept}{region:06}{serial:09}");
    let sum: u32 = body
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| CHARS.iter().position(|c| *c == b).unwrap_or(0) as u32 * w)
        .sum();
    let check = (31 - sum % 31) % 31;
    format!("{body}{}", CHARS[check as usize] as char)
}

/// A 居民身份证号码 with a valid check digit (GB 11643-1999).
fn id_card(rng: &mut StdRng, region: u32) -> String {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let birth = date(rng.gen_range(1950..2004), rng.gen_range(1..13), rng.gen_range(1..29));
    let body = format!("{region:06}{}{:03}", birth.format("%Y%m%d"), rng.gen_range(0..1000));
    let sum: u32 = body.bytes().zip(WEIGHTS).map(|(b, w)| u32::from(b - b'0') * w).sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{body}{check}")
}

/// A 查询码 unique per application id (a bijection of the id over 40 bits), in the
/// alphabet the portal uses.
fn tracking_code(year: i32, id: i64) -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let mut x = (id as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15 | 1) & ((1u64 << 40) - 1);
    let mut s = String::with_capacity(8);
    for _ in 0..8 {
        s.push(ALPHABET[(x & 31) as usize] as char);
        x >>= 5;
    }
    format!("{year}-{s}")
}

const ITEM_COLS: &[&str] = &[
    "id", "org_id", "catalog_id", "author_id", "title", "summary", "body_html", "publisher", "formed_date", "doc_number", "doc_number_key", "topic",
    "genre", "keywords", "disclosure_mode", "doc_type", "statutory_category", "index_no", "status", "publish_date", "validity", "validity_note",
    "created_at", "updated_at",
];
const EVENT_COLS: &[&str] = &["item_id", "actor_id", "actor_name", "action", "from_status", "to_status", "comment", "at"];
const APP_COLS: &[&str] = &[
    "id", "org_id", "tracking_code", "secret_hash", "applicant", "applicant_name", "id_doc_type", "id_doc_number", "id_doc_key", "phone", "email",
    "postal_address", "description", "forms", "delivery", "channel", "submitted_on", "received", "registered_by", "state", "handler_id", "steps",
    "created_at", "updated_at",
];
const STEP_COLS: &[&str] = &["application_id", "seq", "step", "state_after", "actor_id", "note", "at"];
const APPEAL_COLS: &[&str] = &[
    "org_id", "application_id", "kind", "body", "filed_on", "result", "decided_on", "note", "created_by", "created_at", "updated_at",
];

/// One generated organisation.
struct SeedOrg {
    id: i64,
    slug: String,
    name: String,
    /// Name without the parent's place, for titles (e.g. 民政局).
    short: String,
    place: String,
    code: String,
    region: u32,
    staff: i64,
    staff_name: String,
    nodes: Vec<i64>,
    pattern: IndexPattern,
}

/// Progress lines on standard error: rows and rows per second.
struct Progress {
    what: &'static str,
    total: u64,
    done: u64,
    started: Instant,
    last: Instant,
}

impl Progress {
    fn new(what: &'static str, total: u64) -> Progress {
        Progress { what, total, done: 0, started: Instant::now(), last: Instant::now() }
    }
    fn add(&mut self, n: u64) {
        self.done += n;
        if self.last.elapsed().as_secs_f64() >= 2.0 || self.done >= self.total {
            self.last = Instant::now();
            let secs = self.started.elapsed().as_secs_f64().max(1e-6);
            eprintln!("  {}：{}/{}（{:.0} 条/秒）", self.what, self.done, self.total, self.done as f64 / secs);
        }
    }
    fn rate(&self) -> f64 {
        self.done as f64 / self.started.elapsed().as_secs_f64().max(1e-6)
    }
}

/// Split `total` over `n` organisations with Zipf weights of exponent `s` over a shuffled
/// order (so the busiest is not always the first created).
fn shares(rng: &mut StdRng, n: usize, total: u64, s: f64) -> Vec<u64> {
    let mut ranks: Vec<usize> = (1..=n).collect();
    for i in (1..ranks.len()).rev() {
        let j = rng.gen_range(0..=i);
        ranks.swap(i, j);
    }
    let weights: Vec<f64> = ranks.iter().map(|r| 1.0 / (*r as f64).powf(s)).collect();
    let sum: f64 = weights.iter().sum();
    let mut out: Vec<u64> = weights.iter().map(|w| (total as f64 * w / sum).floor() as u64).collect();
    let mut left = total - out.iter().sum::<u64>();
    let mut i = 0;
    while left > 0 && n > 0 {
        out[i % n] += 1;
        left -= 1;
        i += 1;
    }
    out
}

/// Fill an empty database. `url` is the database the store was opened on.
pub async fn seed(store: &Store, url: &str, opts: &SeedOptions) -> Result<SeedSummary, SeedError> {
    if !(opts.scale > 0.0 && opts.scale <= 10.0) {
        return Err(SeedError::Scale(opts.scale));
    }
    let started = Instant::now();
    if !store.orgs().await?.is_empty() {
        return Err(SeedError::NotEmpty);
    }
    let sizes = Sizes::at(opts.scale);
    let sink = Sink::open(url, store.backend()).await?;
    let mut rng = StdRng::seed_from_u64(opts.seed);
    let text = TextGen::new(gongkai_search::corpus::Vocabulary::jieba(1.0).ok());
    eprintln!(
        "生成省级规模测试数据（规模 {}）：{} 个机关（{} 个市、{} 个区县），{} 条信息，{} 件申请{}",
        opts.scale,
        sizes.organisations,
        sizes.cities,
        sizes.districts,
        sizes.items,
        sizes.applications,
        if text.uses_dictionary() { "；正文词汇含 jieba 词典" } else { "" }
    );
    let mut summary = SeedSummary { dictionary: text.uses_dictionary(), ..Default::default() };
    let orgs = create_orgs(store, &mut rng, &text, &sizes, &opts.password, &mut summary).await?;
    eprintln!("  机关、目录和账号：{} 个机关，{:.1} 秒", orgs.len(), started.elapsed().as_secs_f64());
    write_items(&sink, &mut rng, &text, &orgs, sizes.items, &mut summary).await?;
    let seal = Seal { keys: store.data_keys() };
    write_applications(&sink, &mut rng, &text, &orgs, sizes.applications, &seal, &mut summary).await?;
    for table in ["items", "applications"] {
        sink.reset_identity(table).await?;
    }
    if let Sink::Pg(_) = sink {
        sink.execute("ANALYZE").await?;
    }
    sink.close().await;
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

async fn create_orgs(store: &Store, rng: &mut StdRng, text: &TextGen, sizes: &Sizes, password: &str, summary: &mut SeedSummary) -> Result<Vec<SeedOrg>, SeedError> {
    struct Plan {
        slug: String,
        name: String,
        short: String,
        place: String,
        level: OrgLevel,
        parent: Option<usize>,
        region: u32,
    }
    let province = text.place(rng);
    let mut plans = vec![Plan {
        slug: "province".into(),
        name: format!("{province}省人民政府"),
        short: format!("{province}省人民政府"),
        place: format!("{province}省"),
        level: OrgLevel::Other,
        parent: None,
        region: 990000,
    }];
    let mut used = std::collections::HashSet::new();
    let mut fresh_place = |rng: &mut StdRng| loop {
        let p = text.place(rng);
        if used.insert(p.clone()) {
            break p;
        }
    };
    for c in 0..sizes.cities {
        let place = fresh_place(rng);
        plans.push(Plan {
            slug: format!("city{:02}", c + 1),
            name: format!("{place}市人民政府"),
            short: format!("{place}市人民政府"),
            place: format!("{place}市"),
            level: OrgLevel::MunicipalGovernment,
            parent: Some(0),
            region: 990100 + (c as u32 + 1) * 100,
        });
    }
    for d in 0..sizes.districts {
        let city = 1 + d % sizes.cities;
        let place = fresh_place(rng);
        let suffix = if d % 3 == 0 { "县" } else { "区" };
        plans.push(Plan {
            slug: format!("dist{:03}", d + 1),
            name: format!("{}{place}{suffix}人民政府", plans[city].place),
            short: format!("{place}{suffix}人民政府"),
            place: format!("{place}{suffix}"),
            level: OrgLevel::CountyGovernment,
            parent: Some(city),
            region: plans[city].region + (d / sizes.cities) as u32 + 1,
        });
    }
    let rest = sizes.organisations - plans.len();
    let first_district = 1 + sizes.cities;
    for a in 0..rest {
        // A third are city departments; the others district departments and townships.
        let (parent, level, short) = if a % 3 == 0 {
            let city = 1 + (a / 3) % sizes.cities;
            (city, OrgLevel::MunicipalDepartment, DEPARTMENTS[(a / 3 / sizes.cities) % DEPARTMENTS.len()].to_string())
        } else if a % 3 == 1 {
            let d = first_district + (a / 3) % sizes.districts;
            (d, OrgLevel::CountyDepartment, DEPARTMENTS[(a / 3 / sizes.districts + 7) % DEPARTMENTS.len()].to_string())
        } else {
            let d = first_district + (a / 3) % sizes.districts;
            let town = fresh_place(rng);
            let (suffix, level) = if a % 2 == 0 { ("镇人民政府", OrgLevel::Township) } else { ("街道办事处", OrgLevel::Subdistrict) };
            (d, level, format!("{town}{suffix}"))
        };
        let parent_place = if plans[parent].level == OrgLevel::CountyGovernment {
            let city = plans[parent].parent.unwrap_or(0);
            format!("{}{}", plans[city].place, plans[parent].place)
        } else {
            plans[parent].place.clone()
        };
        plans.push(Plan {
            slug: format!("org{:04}", a + 1),
            name: format!("{parent_place}{short}"),
            place: plans[parent].place.clone(),
            short,
            level,
            parent: Some(parent),
            region: plans[parent].region,
        });
    }
    let hash = gongkai_web::hash_password(password)?;
    let now = Utc::now();
    let mut out: Vec<SeedOrg> = Vec::with_capacity(plans.len());
    let mut progress = Progress::new("机关", plans.len() as u64);
    for (i, p) in plans.iter().enumerate() {
        let code = uscc("11", p.region, i as u64 + 1);
        let office = DisclosureOffice {
            name: format!("{}政务公开办公室", p.short),
            address: format!("{}人民路{}号（测试地址）", p.place, i + 1),
            hours: "工作日 上午9:00—12:00，下午14:00—17:30（法定节假日除外）".into(),
            phone: format!("0{}-{:08}", 660 + (i % 100), 10_000_000 + i),
            fax: String::new(),
            email: format!("xxgk-{}@bench.example.cn", p.slug),
            website: String::new(),
        };
        let new = NewOrganisation {
            slug: p.slug.clone(),
            name: p.name.clone(),
            org_code: code.clone(),
            level: p.level,
            parent_id: p.parent.map(|x| out[x].id),
            office,
            index_pattern: DEFAULT_PATTERN.into(),
            description: format!("省级规模测试数据：{}。", p.name),
        };
        let org = gongkai_web::ops::provision_org(store, &new).await?;
        let nodes: Vec<i64> = store.catalog(org.id).await?.into_iter().filter(|n| n.kind == CatalogKind::Normal && n.parent_id.is_none()).map(|n| n.id).collect();
        if nodes.is_empty() {
            return Err(SeedError::Data(format!("{} 没有可发布信息的栏目", p.name)));
        }
        let staff_name = format!("{}工作人员", p.short);
        let user = store
            .create_user(
                &NewUser { username: format!("staff-{}", p.slug), display_name: staff_name.clone(), org_id: org.id, roles: vec![Role::Editor, Role::Reviewer, Role::OfficeHead] },
                &hash,
                now,
            )
            .await?;
        summary.users += 1;
        if i == 0 {
            store
                .create_user(&NewUser { username: "province-admin".into(), display_name: "省政务公开管理员".into(), org_id: org.id, roles: vec![Role::Admin] }, &hash, now)
                .await?;
            summary.users += 1;
        }
        let pattern = IndexPattern::parse(&org.index_pattern).map_err(|e| SeedError::Data(format!("索引号规则：{e}")))?;
        out.push(SeedOrg {
            id: org.id,
            slug: p.slug.clone(),
            name: p.name.clone(),
            short: p.short.clone(),
            place: p.place.clone(),
            code,
            region: p.region,
            staff: user.id,
            staff_name,
            nodes,
            pattern,
        });
        progress.add(1);
    }
    summary.organisations = out.len();
    Ok(out)
}

async fn write_items(sink: &Sink, rng: &mut StdRng, text: &TextGen, orgs: &[SeedOrg], total: u64, summary: &mut SeedSummary) -> Result<(), SeedError> {
    const FLUSH_BYTES: usize = 8 << 20;
    let counts = shares(rng, orgs.len(), total, 0.5);
    let first = date(2019, 1, 1);
    let span = (last_day() - first).num_days();
    let mut items = Batch::new("items", ITEM_COLS);
    let mut events = Batch::new("item_events", EVENT_COLS);
    let mut serials = Batch::new("index_serials", &["org_id", "year", "last"]);
    let mut progress = Progress::new("信息", total);
    let mut id: i64 = sink.scalar("SELECT COALESCE(MAX(id), 0) FROM items").await?;
    let published = ItemStatus::Published.as_str();
    for (org, &count) in orgs.iter().zip(&counts) {
        let mut days: Vec<NaiveDate> = (0..count).map(|_| first + Duration::days(rng.gen_range(0..=span))).collect();
        days.sort();
        let mut serial: HashMap<i32, i64> = HashMap::new();
        let mut doc_serial: HashMap<i32, i64> = HashMap::new();
        for day in days {
            id += 1;
            let year = day.year();
            let s = serial.entry(year).or_insert(0);
            *s += 1;
            let index_no = org.pattern.render(&org.code, day, *s as u64);
            let formed = day - Duration::days(rng.gen_range(0..20));
            let (title, theme) = text.title(rng, &org.short, &org.place, year);
            let body = text.body(rng, &org.name, &org.place, theme, year);
            let summary_text: String = body.trim_start_matches("<p>").chars().take_while(|c| *c != '<').take(80).collect();
            let (doc_number, key) = if rng.gen_bool(0.3) {
                let n = doc_serial.entry(year).or_insert(0);
                *n += 1;
                let d = format!("{}〔{year}〕{}号", org.short.chars().take(2).collect::<String>(), n);
                (t(d.clone()), t(gongkai_domain::validate::normalise_doc_number(&d)))
            } else {
                (Val::N, Val::N)
            };
            // Regulations and normative documents are a small share of what an agency
            // publishes: the 2024 report of a prefecture-level city government counts 8
            // normative documents issued, 66 and 11 regulations in force, beside thousands of
            // items published (shared/data/real-reports/048). About 0.1% and 0.6% here.
            let doc_type = match rng.gen_range(0..1000) {
                0 => DocType::Regulation,
                1..=6 => DocType::NormativeDocument,
                _ => DocType::Other,
            };
            let created = stamp(formed, 9, 0);
            let at = stamp(day, 10, 0);
            items.push(vec![
                Val::I(id),
                Val::I(org.id),
                Val::I(org.nodes[rng.gen_range(0..org.nodes.len())]),
                Val::I(org.staff),
                t(title),
                t(summary_text),
                t(body),
                t(org.name.clone()),
                t(iso(formed)),
                doc_number,
                key,
                t(""),
                t(""),
                t(text.keywords(rng, theme)),
                t(DisclosureMode::Proactive.as_str()),
                t(doc_type.as_str()),
                Val::N,
                t(index_no),
                t(published),
                t(iso(day)),
                t(Validity::Valid.as_str()),
                t(""),
                t(created.clone()),
                t(at.clone()),
            ]);
            events.push(vec![Val::I(id), Val::I(org.staff), t(org.staff_name.clone()), t("create"), Val::N, t(ItemStatus::Draft.as_str()), t(""), t(created)]);
            events.push(vec![
                Val::I(id),
                Val::I(org.staff),
                t(org.staff_name.clone()),
                t("publish"),
                t(ItemStatus::Approved.as_str()),
                t(published),
                t(""),
                t(at),
            ]);
            if items.bytes >= FLUSH_BYTES {
                let n = sink.write(&mut items).await?;
                summary.item_events += sink.write(&mut events).await?;
                summary.items += n;
                progress.add(n);
            }
        }
        let mut years: Vec<_> = serial.into_iter().collect();
        years.sort();
        for (year, last) in years {
            serials.push(vec![Val::I(org.id), Val::I(i64::from(year)), Val::I(last)]);
        }
    }
    let n = sink.write(&mut items).await?;
    summary.item_events += sink.write(&mut events).await?;
    summary.items += n;
    progress.add(n);
    sink.write(&mut serials).await?;
    eprintln!("  信息写入完成：{} 条（{:.0} 条/秒）", summary.items, progress.rate());
    Ok(())
}

/// Personal fields as the store writes them: sealed with SM4 and the ID number's blind
/// index when the installation has data keys (always, outside tests), so a seeded province
/// reads like one filled through the portal.
struct Seal {
    keys: Option<std::sync::Arc<gongkai_store::data_keys::DataKeys>>,
}

impl Seal {
    fn field(&self, field: gongkai_store::data_keys::Field, clear: String) -> Result<String, SeedError> {
        match &self.keys {
            Some(k) => k.seal(field, &clear).map_err(|e| SeedError::Data(format!("个人信息加密失败：{e}"))),
            None => Ok(clear),
        }
    }

    fn index(&self, normalised: String) -> String {
        match &self.keys {
            Some(k) => k.blind_index(&normalised),
            None => normalised,
        }
    }
}

async fn write_applications(sink: &Sink, rng: &mut StdRng, text: &TextGen, orgs: &[SeedOrg], total: u64, seal: &Seal, summary: &mut SeedSummary) -> Result<(), SeedError> {
    use gongkai_store::data_keys::Field;
    const FLUSH_ROWS: usize = 20_000;
    let cal = Calendar::official();
    let counts = shares(rng, orgs.len(), total, 0.8);
    let first = date(2024, 1, 1);
    let span = (last_day() - first).num_days();
    let mut apps = Batch::new("applications", APP_COLS);
    let mut steps = Batch::new("application_steps", STEP_COLS);
    let mut appeals = Batch::new("appeals", APPEAL_COLS);
    let mut progress = Progress::new("申请", total);
    let mut id: i64 = sink.scalar("SELECT COALESCE(MAX(id), 0) FROM applications").await?;
    if let Some((i, _)) = counts.iter().enumerate().max_by_key(|(_, c)| **c) {
        summary.busiest_org = orgs[i].slug.clone();
        summary.busiest_user = format!("staff-{}", orgs[i].slug);
    }
    for (org, &count) in orgs.iter().zip(&counts) {
        let mut days: Vec<NaiveDate> = (0..count).map(|_| first + Duration::days(rng.gen_range(0..=span))).collect();
        days.sort();
        for received in days {
            id += 1;
            let person = rng.gen_bool(0.85);
            let applicant = if person {
                ApplicantKind::NaturalPerson
            } else {
                ApplicantKind::Organisation(OrgType::ALL[rng.gen_range(0..OrgType::ALL.len())])
            };
            let channel = match rng.gen_range(0..10) {
                0..=5 => Channel::Online,
                6 => Channel::InPerson,
                7 => Channel::RegisteredPost,
                8 => Channel::Email,
                _ => Channel::OrdinaryPost,
            };
            let submitted = if channel == Channel::Online { received } else { received - Duration::days(rng.gen_range(0..3)) };
            let (name, doc_type, doc) = if person {
                (text.person(rng), "id_card", id_card(rng, org.region))
            } else {
                (format!("{}{}有限公司", text.place(rng), ["科技", "建设", "实业", "贸易"][rng.gen_range(0..4)]), "uscc", uscc("91", org.region, id as u64))
            };
            let key: String = doc.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_uppercase).collect();
            let post = rng.gen_bool(0.3);
            let about_year = received.year() - rng.gen_range(0..3);
            let case = lifecycle(rng, &cal, applicant, channel, received, org.staff, &org.place);
            summary.refused_steps += case.refused;
            let created = stamp(if channel == Channel::Online { submitted } else { received }, 9, 0);
            let last_at = case.steps.last().map(|(s, _)| stamp(s.date(), 15, 0)).unwrap_or_else(|| created.clone());
            let secret = Sha256::digest(format!("bench-{id}").as_bytes());
            apps.push(vec![
                Val::I(id),
                Val::I(org.id),
                t(tracking_code(received.year(), id)),
                t(hex::encode(secret)),
                t(match applicant {
                    ApplicantKind::NaturalPerson => "natural_person".to_string(),
                    ApplicantKind::Organisation(o) => format!("organisation:{}", o.as_str()),
                }),
                t(name),
                t(doc_type),
                t(seal.field(Field::IdDocNumber, doc)?),
                t(seal.index(key)),
                t(seal.field(Field::Phone, format!("1{}{:09}", rng.gen_range(30..90), rng.gen_range(0..1_000_000_000u32)))?),
                t(seal.field(Field::Email, if rng.gen_bool(0.4) { format!("applicant{id}@bench.example.cn") } else { String::new() })?),
                t(seal.field(Field::PostalAddress, if post { format!("{}某某路{}号（测试地址）", org.place, rng.gen_range(1..300)) } else { String::new() })?),
                t(text.request(rng, &org.place, about_year)),
                t(if channel == Channel::Online { "electronic" } else { "paper" }),
                t(if post { "post" } else { "online" }),
                t(channel.as_str()),
                t(iso(submitted)),
                t(iso(received)),
                if channel == Channel::Online { Val::N } else { Val::I(org.staff) },
                t(case.app.state.as_str()),
                case.app.handler_id.map_or(Val::N, Val::I),
                Val::I(case.steps.len() as i64),
                t(created),
                t(last_at),
            ]);
            for (seq, (step, state)) in case.steps.iter().enumerate() {
                let json = serde_json::to_string(step).map_err(|e| SeedError::Data(format!("办理记录：{e}")))?;
                steps.push(vec![Val::I(id), Val::I(seq as i64 + 1), t(json), t(state.as_str()), Val::I(org.staff), t(""), t(stamp(step.date(), 10 + (seq as u32 % 8), 0))]);
            }
            summary.steps += case.steps.len() as u64;
            if let (Some(outcome), Some(decided)) = (case.app.outcome, case.app.decided_on) {
                let p = if outcome == Outcome::Disclosed { 0.005 } else { 0.03 };
                let filed = decided + Duration::days(rng.gen_range(15..60));
                if filed <= last_day() && rng.gen_bool(p) {
                    let kind = match rng.gen_range(0..10) {
                        0..=6 => AppealKind::Reconsideration,
                        7..=8 => AppealKind::LitigationDirect,
                        _ => AppealKind::LitigationAfterReconsideration,
                    };
                    let decided_on = filed + Duration::days(rng.gen_range(40..120));
                    let (result, decided_on) = if decided_on <= last_day() {
                        (match rng.gen_range(0..10) { 0..=6 => AppealResult::Upheld, 7..=8 => AppealResult::Corrected, _ => AppealResult::Other }, Some(decided_on))
                    } else {
                        (AppealResult::Pending, None)
                    };
                    let body = if kind == AppealKind::Reconsideration { format!("{}人民政府", org.place) } else { format!("{}人民法院", org.place) };
                    appeals.push(vec![
                        Val::I(org.id),
                        Val::I(id),
                        t(kind.as_str()),
                        t(body),
                        t(iso(filed)),
                        t(result.as_str()),
                        decided_on.map_or(Val::N, |d| t(iso(d))),
                        t(""),
                        Val::I(org.staff),
                        t(stamp(filed, 11, 0)),
                        t(stamp(decided_on.unwrap_or(filed), 11, 0)),
                    ]);
                }
            }
            if apps.rows.len() >= FLUSH_ROWS {
                flush_applications(sink, &mut apps, &mut steps, &mut appeals, summary, &mut progress).await?;
            }
        }
    }
    flush_applications(sink, &mut apps, &mut steps, &mut appeals, summary, &mut progress).await?;
    eprintln!(
        "  申请写入完成：{} 件，{} 个办理步骤，{} 件复议诉讼（{:.0} 件/秒；生命周期拒绝的计划步骤 {} 个）",
        summary.applications,
        summary.steps,
        summary.appeals,
        progress.rate(),
        summary.refused_steps
    );
    Ok(())
}

async fn flush_applications(sink: &Sink, apps: &mut Batch, steps: &mut Batch, appeals: &mut Batch, summary: &mut SeedSummary, progress: &mut Progress) -> Result<(), SeedError> {
    let n = sink.write(apps).await?;
    sink.write(steps).await?;
    summary.appeals += sink.write(appeals).await?;
    summary.applications += n;
    progress.add(n);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_characters_are_valid() {
        // GB 11643 example with a known check digit.
        let mut rng = StdRng::seed_from_u64(1);
        let id = id_card(&mut rng, 440103);
        assert_eq!(id.len(), 18);
        assert!(gongkai_domain::id_check::validate_id_document(gongkai_domain::id_check::IdDocumentKind::IdCard, &id, date(2025, 1, 1)).is_none(), "{id}");
        let code = uscc("91", 440103, 12345);
        assert!(gongkai_domain::id_check::validate_id_document(gongkai_domain::id_check::IdDocumentKind::Uscc, &code, date(2025, 1, 1)).is_none(), "{code}");
    }

    #[test]
    fn tracking_codes_are_distinct() {
        let codes: std::collections::HashSet<String> = (1..50_000).map(|i| tracking_code(2025, i)).collect();
        assert_eq!(codes.len(), 49_999);
    }

    #[test]
    fn sizes_at_full_scale() {
        let s = Sizes::at(1.0);
        assert_eq!((s.cities, s.districts, s.organisations, s.items, s.applications), (21, 120, 2000, 5_000_000, 500_000));
        let tiny = Sizes::at(0.0005);
        assert!(tiny.organisations >= 5 && tiny.items == 2500 && tiny.applications == 250);
    }

    #[test]
    fn shares_add_up() {
        let mut rng = StdRng::seed_from_u64(3);
        let s = shares(&mut rng, 7, 1000, 0.8);
        assert_eq!(s.iter().sum::<u64>(), 1000);
    }
}
