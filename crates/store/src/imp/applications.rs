//! Applications, steps and letters (appeals: `appeals.rs`). SIGNATURES ARE THE
//! CONTRACT used by the web crate.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use gongkai_domain::application::{ApplicantKind, Channel, OrgType, State, Step};
use sqlx::any::AnyRow;
use sqlx::AnyConnection;

use super::util::{
    bind_all, corrupt, day, ints, is_foreign_key_violation, ts, unique_violation, Arg, Filter, RowExt,
};
use super::sealed::Sealer;
use crate::applications::*;
use crate::data_keys::Field;
use crate::{Page, Result, Store, StoreError};

pub(super) const APP_COLS: &str = "a.id, a.org_id, a.tracking_code, a.applicant, a.applicant_name, a.id_doc_type, \
     a.id_doc_number, a.phone, a.email, a.postal_address, a.description, a.forms, a.delivery, a.channel, \
     a.submitted_on, a.received, a.registered_by, a.state, a.handler_id, a.steps, a.created_at, a.updated_at, \
     a.merged_into";

const STEP_SELECT: &str = "SELECT s.application_id, s.seq, s.step, s.state_after, s.actor_id, \
     COALESCE(u.display_name, '') AS actor_name, s.note, s.at \
     FROM application_steps s LEFT JOIN users u ON u.id = s.actor_id";

const LETTER_COLS: &str =
    "id, application_id, kind, step_seq, version, title, body_html, created_by, \
     created_at, issued_by, issued_at, doc_number, signed_off_by, signed_off_at, pending_step";

/// Prefix of the stored applicant code of a legal person or other organisation.
const ORG_APPLICANT_PREFIX: &str = "organisation:";

/// The applicant kind as stored: `natural_person` or `organisation:<OrgType code>`.
fn applicant_code(kind: ApplicantKind) -> String {
    match kind {
        ApplicantKind::NaturalPerson => "natural_person".to_owned(),
        ApplicantKind::Organisation(t) => format!("{ORG_APPLICANT_PREFIX}{}", t.as_str()),
    }
}

fn parse_applicant(s: &str) -> Option<ApplicantKind> {
    if s == "natural_person" {
        return Some(ApplicantKind::NaturalPerson);
    }
    s.strip_prefix(ORG_APPLICANT_PREFIX)
        .and_then(OrgType::parse)
        .map(ApplicantKind::Organisation)
}

pub(super) fn application_from_row(r: &AnyRow, sealer: &Sealer) -> Result<StoredApplication> {
    Ok(StoredApplication {
        id: r.int("id")?,
        org_id: r.int("org_id")?,
        tracking_code: r.text("tracking_code")?,
        applicant: r.code("applicant", parse_applicant)?,
        applicant_name: r.text("applicant_name")?,
        id_doc_type: r.text("id_doc_type")?,
        id_doc_number: sealer.open(Field::IdDocNumber, &r.text("id_doc_number")?)?,
        phone: sealer.open(Field::Phone, &r.text("phone")?)?,
        email: sealer.open(Field::Email, &r.text("email")?)?,
        postal_address: sealer.open(Field::PostalAddress, &r.text("postal_address")?)?,
        description: r.text("description")?,
        forms: r.text("forms")?,
        delivery: r.text("delivery")?,
        channel: r.code("channel", Channel::parse)?,
        submitted_on: r.date("submitted_on")?,
        received: r.date("received")?,
        registered_by: r.opt_int("registered_by")?,
        state: r.code("state", State::parse)?,
        handler_id: r.opt_int("handler_id")?,
        steps: r.int("steps")?,
        created_at: r.time("created_at")?,
        updated_at: r.time("updated_at")?,
        merged_into: r.opt_int("merged_into")?,
    })
}

fn step_from_row(r: &AnyRow) -> Result<StoredStep> {
    let seq = r.int("seq")?;
    let json = r.text("step")?;
    let step: Step = serde_json::from_str(&json)
        .map_err(|e| corrupt(&format!("办理记录第 {seq} 步无法解析"), e))?;
    Ok(StoredStep {
        application_id: r.int("application_id")?,
        seq,
        step,
        state: r.code("state_after", State::parse)?,
        actor_id: r.opt_int("actor_id")?,
        actor_name: r.text("actor_name")?,
        note: r.text("note")?,
        at: r.time("at")?,
    })
}

pub(super) fn letter_from_row(r: &AnyRow) -> Result<Letter> {
    Ok(Letter {
        id: r.int("id")?,
        application_id: r.int("application_id")?,
        kind: r.text("kind")?,
        step_seq: r.opt_int("step_seq")?,
        version: r.int("version")?,
        title: r.text("title")?,
        body_html: r.text("body_html")?,
        created_by: r.opt_int("created_by")?,
        created_at: r.time("created_at")?,
        issued_by: r.opt_int("issued_by")?,
        issued_at: r.opt_time("issued_at")?,
        doc_number: r.opt_text("doc_number")?,
        signed_off_by: r.opt_int("signed_off_by")?,
        signed_off_at: r.opt_time("signed_off_at")?,
        pending_step: r
            .opt_text("pending_step")?
            .map(|j| serde_json::from_str::<Step>(&j).map_err(|e| corrupt("文书待记录的办理步骤无法解析", e)))
            .transpose()?,
    })
}

fn tracking_code_conflict(code: &str) -> StoreError {
    StoreError::Conflict {
        field: "tracking_code",
        message: format!("查询码“{code}”已被使用"),
    }
}

fn step_conflict() -> StoreError {
    StoreError::Conflict {
        field: "status",
        message: "该申请已有新的办理记录，请刷新后重试".to_owned(),
    }
}

fn letter_issued_conflict() -> StoreError {
    StoreError::Conflict {
        field: "letter",
        message: "该文书已出具，不能修改；如需更正请生成新版本".to_owned(),
    }
}

pub(super) const APPLICATION: &str = "申请";
const LETTER: &str = "文书";
pub(super) const APPEAL: &str = "复议或诉讼记录";

/// A foreign-key violation means a referenced row is missing.
pub(super) fn fk_or_db(e: sqlx::Error, what: &'static str) -> StoreError {
    if is_foreign_key_violation(&e) {
        StoreError::NotFound(what)
    } else {
        StoreError::Db(e)
    }
}

async fn exists(conn: &mut AnyConnection, sql: &str, id: i64) -> Result<bool> {
    Ok(sqlx::query(sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .is_some())
}

pub(super) async fn check_user(conn: &mut AnyConnection, id: Option<i64>) -> Result<()> {
    match id {
        Some(id) if !exists(conn, "SELECT id FROM users WHERE id = $1", id).await? => {
            Err(StoreError::NotFound("用户"))
        }
        _ => Ok(()),
    }
}

pub(super) async fn check_org(conn: &mut AnyConnection, id: i64) -> Result<()> {
    if exists(conn, "SELECT id FROM organisations WHERE id = $1", id).await? {
        Ok(())
    } else {
        Err(StoreError::NotFound("机关"))
    }
}

async fn load_application(conn: &mut AnyConnection, id: i64, sealer: &Sealer) -> Result<Option<StoredApplication>> {
    let sql = format!("SELECT {APP_COLS} FROM applications a WHERE a.id = $1");
    sqlx::query(&sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .as_ref()
        .map(|r| application_from_row(r, sealer))
        .transpose()
}

async fn load_step(conn: &mut AnyConnection, application_id: i64, seq: i64) -> Result<StoredStep> {
    let sql = format!("{STEP_SELECT} WHERE s.application_id = $1 AND s.seq = $2");
    let row = sqlx::query(&sql)
        .bind(application_id)
        .bind(seq)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound("办理记录"))?;
    step_from_row(&row)
}

pub(super) async fn load_letter(conn: &mut AnyConnection, id: i64) -> Result<Option<Letter>> {
    let sql = format!("SELECT {LETTER_COLS} FROM letters WHERE id = $1");
    sqlx::query(&sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .as_ref()
        .map(letter_from_row)
        .transpose()
}

/// After a conditional update of a draft letter changed nothing: the letter
/// is gone or already issued.
async fn letter_not_draft(conn: &mut AnyConnection, id: i64) -> StoreError {
    match load_letter(conn, id).await {
        Ok(Some(_)) => letter_issued_conflict(),
        Ok(None) => StoreError::NotFound(LETTER),
        Err(e) => e,
    }
}

/// First and last day of the calendar month containing `d`, as stored.
fn month_bounds(d: NaiveDate) -> (String, String) {
    let first = d.with_day(1).unwrap_or(d);
    let next = if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
    };
    let last = next.and_then(|n| n.pred_opt()).unwrap_or(NaiveDate::MAX);
    (day(first), day(last))
}

/// The body of [`Store::append_application_step`], inside the caller's transaction.
#[allow(clippy::too_many_arguments)]
pub(super) async fn append_step_in(
    tx: &mut AnyConnection,
    application_id: i64,
    expected_seq: i64,
    step: &Step,
    state_after: State,
    handler_id: Option<i64>,
    actor_id: Option<i64>,
    note: &str,
    at: DateTime<Utc>,
) -> Result<StoredStep> {
    let json = serde_json::to_string(step)
        .map_err(|e| StoreError::Corrupt(format!("办理记录无法保存：{e}")))?;
    let seq = expected_seq.checked_add(1).ok_or_else(step_conflict)?;
    let at = ts(at);
    check_user(&mut *tx, actor_id).await?;
    check_user(&mut *tx, handler_id).await?;
    // The conditional update comes first: it takes the header row
    // (PostgreSQL; SQLite holds the write lock already) and decides the
    // race between two appenders.
    let r = sqlx::query(
        "UPDATE applications SET state = $3, handler_id = $4, steps = steps + 1, updated_at = $5 \
         WHERE id = $1 AND steps = $2",
    )
    .bind(application_id)
    .bind(expected_seq)
    .bind(state_after.as_str())
    .bind(handler_id)
    .bind(&at)
    .execute(&mut *tx)
    .await
    .map_err(|e| fk_or_db(e, "用户"))?;
    if r.rows_affected() == 0 {
        let found = exists(
            &mut *tx,
            "SELECT id FROM applications WHERE id = $1",
            application_id,
        )
        .await?;
        return Err(if found {
            step_conflict()
        } else {
            StoreError::NotFound(APPLICATION)
        });
    }
    sqlx::query(
        "INSERT INTO application_steps (application_id, seq, step, state_after, actor_id, note, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(application_id)
    .bind(seq)
    .bind(&json)
    .bind(state_after.as_str())
    .bind(actor_id)
    .bind(note)
    .bind(&at)
    .execute(&mut *tx)
    .await
    .map_err(|e| {
        if unique_violation(&e).is_some() {
            step_conflict()
        } else {
            fk_or_db(e, "用户")
        }
    })?;
    load_step(&mut *tx, application_id, seq).await
}

impl Store {
    /// Errors: Conflict("tracking_code") on a duplicate 查询码; NotFound("机关");
    /// NotFound("用户") if `registered_by` does not exist.
    /// The new application is 已收到 with no steps and no handler.
    pub async fn create_application(&self, new: &NewApplication) -> Result<StoredApplication> {
        // Sealed before the transaction: no lock is held while encrypting.
        let sealer = self.sealer();
        let id_doc_number = sealer.seal(Field::IdDocNumber, &new.id_doc_number)?;
        let id_doc_key = sealer.id_doc_key(&new.id_doc_number)?;
        let phone = sealer.seal(Field::Phone, &new.phone)?;
        let email = sealer.seal(Field::Email, &new.email)?;
        let postal_address = sealer.seal(Field::PostalAddress, &new.postal_address)?;
        // Checked before the write transaction, which then holds only the insert and its audit
        // entry (writes queue one at a time): the foreign keys and the unique 查询码 guard the
        // same again inside it.
        {
            let mut conn = self.pool.acquire().await?;
            check_org(&mut conn, new.org_id).await?;
            check_user(&mut conn, new.registered_by).await?;
        }
        let mut tx = self.begin().await?;
        let at = ts(new.at);
        let row = sqlx::query(
            "INSERT INTO applications (org_id, tracking_code, secret_hash, applicant, applicant_name, id_doc_type, \
             id_doc_number, id_doc_key, phone, email, postal_address, description, forms, delivery, channel, \
             submitted_on, received, registered_by, state, handler_id, steps, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, NULL, 0, $20, $20) \
             RETURNING id",
        )
        .bind(new.org_id)
        .bind(&new.tracking_code)
        .bind(&new.secret_hash)
        .bind(applicant_code(new.applicant))
        .bind(&new.applicant_name)
        .bind(&new.id_doc_type)
        .bind(id_doc_number)
        .bind(id_doc_key)
        .bind(phone)
        .bind(email)
        .bind(postal_address)
        .bind(&new.description)
        .bind(&new.forms)
        .bind(&new.delivery)
        .bind(new.channel.as_str())
        .bind(day(new.submitted_on))
        .bind(day(new.received))
        .bind(new.registered_by)
        .bind(State::Received.as_str())
        .bind(&at)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| match unique_violation(&e) {
            Some(t) if t.contains("tracking_code") => tracking_code_conflict(&new.tracking_code),
            _ => fk_or_db(e, "机关"),
        })?;
        let id = row.int("id")?;
        self.commit_for(tx, Some(id)).await?;
        // What was stored, as `application` reads it back (timestamps keep nanoseconds).
        Ok(StoredApplication {
            id,
            org_id: new.org_id,
            tracking_code: new.tracking_code.clone(),
            applicant: new.applicant,
            applicant_name: new.applicant_name.clone(),
            id_doc_type: new.id_doc_type.clone(),
            id_doc_number: new.id_doc_number.clone(),
            phone: new.phone.clone(),
            email: new.email.clone(),
            postal_address: new.postal_address.clone(),
            description: new.description.clone(),
            forms: new.forms.clone(),
            delivery: new.delivery.clone(),
            channel: new.channel,
            submitted_on: new.submitted_on,
            received: new.received,
            registered_by: new.registered_by,
            state: State::Received,
            handler_id: None,
            steps: 0,
            created_at: new.at,
            updated_at: new.at,
            merged_into: None,
        })
    }

    pub async fn application(&self, id: i64) -> Result<Option<StoredApplication>> {
        let mut conn = self.pool.acquire().await?;
        load_application(&mut conn, id, &self.sealer()).await
    }

    /// The application and its secret hash, by 查询码 (exact match).
    pub async fn application_by_tracking_code(
        &self,
        code: &str,
    ) -> Result<Option<(StoredApplication, String)>> {
        let sql = format!(
            "SELECT {APP_COLS}, a.secret_hash FROM applications a WHERE a.tracking_code = $1"
        );
        let row = sqlx::query(&sql)
            .bind(code)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            None => Ok(None),
            Some(r) => Ok(Some((application_from_row(&r, &self.sealer())?, r.text("secret_hash")?))),
        }
    }

    /// Newest received first, then id descending. An empty `org_ids` yields an
    /// empty page; `limit <= 0` means no limit.
    pub async fn applications(&self, q: &ApplicationQuery) -> Result<Page<StoredApplication>> {
        if q.org_ids.is_empty() {
            return Ok(Page {
                items: Vec::new(),
                total: 0,
            });
        }
        let mut f = Filter::default();
        f.any_of("a.org_id", ints(&q.org_ids));
        // Duplicates merged into another application are not cases of their own.
        f.clause("a.merged_into IS NULL".to_owned());
        if !q.states.is_empty() {
            f.any_of(
                "a.state",
                q.states.iter().map(|s| Arg::Text(s.as_str().to_owned())),
            );
        }
        if let Some(handler) = q.handler_id {
            f.eq("a.handler_id", Arg::Int(handler));
        }
        if let Some(year) = q.received_year {
            let from = f.arg(Arg::Text(format!("{year:04}-01-01")));
            let to = f.arg(Arg::Text(format!("{year:04}-12-31")));
            f.clause(format!("a.received >= {from} AND a.received <= {to}"));
        }
        let where_sql = f.sql();
        let sealer = self.sealer();
        let count_sql = format!("SELECT COUNT(*) AS n FROM applications a{where_sql}");
        let total = bind_all(sqlx::query(&count_sql), &f.args)
            .fetch_one(&self.pool)
            .await?
            .int("n")?;
        let limit = f.arg(Arg::Int(if q.limit > 0 { q.limit } else { i64::MAX }));
        let offset = f.arg(Arg::Int(q.offset.max(0)));
        let sql = format!(
            "SELECT {APP_COLS} FROM applications a{where_sql} \
             ORDER BY a.received DESC, a.id DESC LIMIT {limit} OFFSET {offset}"
        );
        let items = bind_all(sqlx::query(&sql), &f.args)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| application_from_row(r, &sealer))
            .collect::<Result<_>>()?;
        Ok(Page { items, total })
    }

    /// Every application of the organisations with all its steps (for the
    /// clock lists and the annual statistics), oldest first (received, then id).
    /// Each application comes with exactly the `steps` steps its header counts,
    /// even if a step is appended while this runs.
    pub async fn applications_with_steps(
        &self,
        org_ids: &[i64],
    ) -> Result<Vec<(StoredApplication, Vec<StoredStep>)>> {
        if org_ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut f = Filter::default();
        f.any_of("a.org_id", ints(org_ids));
        // Duplicates merged into another application are not cases of their own.
        f.clause("a.merged_into IS NULL".to_owned());
        let where_sql = f.sql();
        let sealer = self.sealer();
        // Headers first: steps are append-only, so every step a header counts
        // is already there when the steps are read.
        let sql = format!("SELECT {APP_COLS} FROM applications a{where_sql} ORDER BY a.received ASC, a.id ASC");
        let apps: Vec<StoredApplication> = bind_all(sqlx::query(&sql), &f.args)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| application_from_row(r, &sealer))
            .collect::<Result<_>>()?;
        let sql = format!("{STEP_SELECT} JOIN applications a ON a.id = s.application_id{where_sql} ORDER BY s.application_id, s.seq");
        let mut steps: HashMap<i64, Vec<StoredStep>> = HashMap::new();
        for row in bind_all(sqlx::query(&sql), &f.args).fetch_all(&self.pool).await? {
            let step = step_from_row(&row)?;
            steps.entry(step.application_id).or_default().push(step);
        }
        Ok(apps
            .into_iter()
            .map(|app| {
                let mut list = steps.remove(&app.id).unwrap_or_default();
                list.retain(|s| s.seq <= app.steps);
                (app, list)
            })
            .collect())
    }

    /// The cases of the organisations that can count in `year`'s statistics, each with the
    /// steps its header counts: received by the end of the year and either still open or
    /// changed since shortly before it began (a case closed in an earlier year had its last
    /// step then). Only what the annual report reads — no applicant's personal data is read
    /// or decrypted — so a province's reports do not load its whole history. Ordered by
    /// organisation, then oldest first (received, then id).
    pub async fn report_cases(&self, org_ids: &[i64], year: i32) -> Result<Vec<ReportCase>> {
        let Some(end) = year.checked_add(1).and_then(|y| NaiveDate::from_ymd_opt(y, 1, 1)) else {
            return Ok(Vec::new());
        };
        if org_ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut f = Filter::default();
        f.any_of("a.org_id", ints(org_ids));
        // Duplicates merged into another application are not cases of their own.
        f.clause("a.merged_into IS NULL".to_owned());
        let received = f.arg(Arg::Text(day(end.pred_opt().unwrap_or(end))));
        // A day's margin before 1 January (UTC) covers China Standard Time.
        let since = NaiveDate::from_ymd_opt(year, 1, 1).and_then(|d| d.pred_opt()).and_then(|d| d.and_hms_opt(0, 0, 0)).map(|t| ts(t.and_utc()));
        let open: Vec<String> = State::ALL.into_iter().filter(|s| s.is_open()).map(|s| f.arg(Arg::Text(s.as_str().to_owned()))).collect();
        match since {
            Some(since) => {
                let since = f.arg(Arg::Text(since));
                f.clause(format!("a.received <= {received} AND (a.updated_at >= {since} OR a.state IN ({}))", open.join(", ")));
            }
            None => f.clause(format!("a.received <= {received}")),
        }
        let where_sql = f.sql();
        // Headers first: steps are append-only, so every step a header counts is already
        // there when the steps are read.
        let sql = format!(
            "SELECT a.id, a.org_id, a.applicant, a.channel, a.received, a.steps FROM applications a{where_sql} \
             ORDER BY a.org_id, a.received, a.id"
        );
        let mut cases = Vec::new();
        let mut counted = HashMap::new();
        for r in bind_all(sqlx::query(&sql), &f.args).fetch_all(&self.pool).await? {
            let id = r.int("id")?;
            counted.insert(id, (cases.len(), r.int("steps")?));
            cases.push(ReportCase {
                id,
                org_id: r.int("org_id")?,
                applicant: r.code("applicant", parse_applicant)?,
                channel: r.code("channel", Channel::parse)?,
                received: r.date("received")?,
                steps: Vec::new(),
            });
        }
        let sql = format!(
            "SELECT s.application_id, s.seq, s.step FROM application_steps s \
             JOIN applications a ON a.id = s.application_id{where_sql} ORDER BY s.application_id, s.seq"
        );
        for r in bind_all(sqlx::query(&sql), &f.args).fetch_all(&self.pool).await? {
            let seq = r.int("seq")?;
            let Some(&(at, steps)) = counted.get(&r.int("application_id")?) else { continue };
            if seq > steps {
                continue;
            }
            let step: Step = serde_json::from_str(&r.text("step")?).map_err(|e| corrupt(&format!("办理记录第 {seq} 步无法解析"), e))?;
            cases[at].steps.push(step);
        }
        Ok(cases)
    }

    /// The steps of each of these applications, in order, each list cut to the
    /// number of steps its header counts (`headers`, read before this call), so a
    /// step appended meanwhile does not appear without its header.
    pub async fn steps_of_applications(&self, headers: &[StoredApplication]) -> Result<HashMap<i64, Vec<StoredStep>>> {
        if headers.is_empty() {
            return Ok(HashMap::new());
        }
        let mut f = Filter::default();
        f.any_of("s.application_id", headers.iter().map(|a| Arg::Int(a.id)));
        let sql = format!("{STEP_SELECT}{} ORDER BY s.application_id, s.seq", f.sql());
        let mut steps: HashMap<i64, Vec<StoredStep>> = HashMap::new();
        for row in bind_all(sqlx::query(&sql), &f.args).fetch_all(&self.pool).await? {
            let step = step_from_row(&row)?;
            steps.entry(step.application_id).or_default().push(step);
        }
        for app in headers {
            if let Some(list) = steps.get_mut(&app.id) {
                list.retain(|s| s.seq <= app.steps);
            }
        }
        Ok(steps)
    }

    /// The open applications (not yet closed) of the organisations with their steps, oldest
    /// first (received, then id): what the deadline lists, reminders and metrics look at,
    /// read without the closed cases that make up most of an organisation's history.
    pub async fn open_applications_with_steps(&self, org_ids: &[i64]) -> Result<Vec<(StoredApplication, Vec<StoredStep>)>> {
        let open: Vec<State> = State::ALL.into_iter().filter(|s| s.is_open()).collect();
        let mut headers = self.applications(&ApplicationQuery { org_ids: org_ids.to_vec(), states: open, ..Default::default() }).await?.items;
        headers.sort_by(|a, b| (a.received, a.id).cmp(&(b.received, b.id)));
        let mut steps = self.steps_of_applications(&headers).await?;
        Ok(headers
            .into_iter()
            .map(|app| {
                let list = steps.remove(&app.id).unwrap_or_default();
                (app, list)
            })
            .collect())
    }

    /// The steps, in order.
    pub async fn application_steps(&self, application_id: i64) -> Result<Vec<StoredStep>> {
        let sql = format!("{STEP_SELECT} WHERE s.application_id = $1 ORDER BY s.seq");
        sqlx::query(&sql)
            .bind(application_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(step_from_row)
            .collect()
    }

    /// Append a step the domain has accepted, in one transaction with the
    /// header's cached state/handler: `expected_seq` is the number of steps the
    /// caller saw; if another step was recorded meanwhile → Conflict("status",
    /// "该申请已有新的办理记录，请刷新后重试") and nothing is written.
    /// The step gets seq `expected_seq + 1`; `handler_id` replaces the cached
    /// handler. Errors: NotFound("申请"); NotFound("用户") if the actor or the
    /// handler does not exist.
    #[allow(clippy::too_many_arguments)]
    pub async fn append_application_step(
        &self,
        application_id: i64,
        expected_seq: i64,
        step: &Step,
        state_after: State,
        handler_id: Option<i64>,
        actor_id: Option<i64>,
        note: &str,
        at: DateTime<Utc>,
    ) -> Result<StoredStep> {
        let mut tx = self.begin().await?;
        let stored = append_step_in(&mut tx, application_id, expected_seq, step, state_after, handler_id, actor_id, note, at).await?;
        self.commit(tx).await?;
        Ok(stored)
    }

    /// Applications of the same applicant (same `id_doc_number`, compared
    /// after trimming and upper-casing) received in the organisation within the
    /// natural month of `month` (any day in it) — for the per-piece fee count.
    /// Whitespace inside the number is ignored too; a blank number matches nothing.
    /// The number is found through its blind index (`id_doc_key`); rows from before
    /// encryption that the re-encryption pass has not reached yet hold the clear
    /// normalised number there and are matched by it.
    pub async fn count_applications_in_month(
        &self,
        org_id: i64,
        id_doc_number: &str,
        month: NaiveDate,
    ) -> Result<i64> {
        let lookup = self.sealer().id_doc_lookup(id_doc_number);
        let [blind, legacy] = lookup.as_slice() else {
            return Ok(0);
        };
        let (from, to) = month_bounds(month);
        sqlx::query(
            "SELECT COUNT(*) AS n FROM applications \
             WHERE org_id = $1 AND id_doc_key IN ($2, $3) AND received >= $4 AND received <= $5 \
             AND merged_into IS NULL",
        )
        .bind(org_id)
        .bind(blind)
        .bind(legacy)
        .bind(from)
        .bind(to)
        .fetch_one(&self.pool)
        .await?
        .int("n")
    }

    // ---- letters ----
    /// A new draft letter (version = 1 + the highest version for the same
    /// application, kind and step_seq). Errors: NotFound("申请");
    /// NotFound("用户") if `created_by` does not exist.
    #[allow(clippy::too_many_arguments)]
    pub async fn create_letter(
        &self,
        application_id: i64,
        kind: &str,
        step_seq: Option<i64>,
        title: &str,
        body_html: &str,
        created_by: Option<i64>,
        at: DateTime<Utc>,
    ) -> Result<Letter> {
        let step_key = step_seq.unwrap_or(-1);
        let mut tx = self.begin().await?;
        // Take the application row (PostgreSQL) so that concurrent drafts of
        // the same letter get consecutive versions instead of colliding.
        let r = sqlx::query("UPDATE applications SET steps = steps WHERE id = $1")
            .bind(application_id)
            .execute(&mut *tx)
            .await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::NotFound(APPLICATION));
        }
        check_user(&mut tx, created_by).await?;
        let version = sqlx::query(
            "SELECT COALESCE(MAX(version), 0) + 1 AS v FROM letters \
             WHERE application_id = $1 AND kind = $2 AND step_key = $3",
        )
        .bind(application_id)
        .bind(kind)
        .bind(step_key)
        .fetch_one(&mut *tx)
        .await?
        .int("v")?;
        let row = sqlx::query(
            "INSERT INTO letters (application_id, kind, step_seq, step_key, version, title, body_html, \
             created_by, created_at, issued_by, issued_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, NULL) RETURNING id",
        )
        .bind(application_id)
        .bind(kind)
        .bind(step_seq)
        .bind(step_key)
        .bind(version)
        .bind(title)
        .bind(body_html)
        .bind(created_by)
        .bind(ts(at))
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| {
            if unique_violation(&e).is_some() {
                StoreError::Conflict {
                    field: "letter",
                    message: "该文书已有新版本，请刷新后重试".to_owned(),
                }
            } else {
                fk_or_db(e, "用户")
            }
        })?;
        let id = row.int("id")?;
        let letter = load_letter(&mut tx, id)
            .await?
            .ok_or(StoreError::NotFound(LETTER))?;
        self.commit_for(tx, Some(id)).await?;
        Ok(letter)
    }

    /// Edit a draft; Conflict("letter", "该文书已出具，不能修改；如需更正请生成新版本") once issued.
    /// Errors: NotFound("文书").
    pub async fn update_letter_draft(
        &self,
        letter_id: i64,
        title: &str,
        body_html: &str,
    ) -> Result<Letter> {
        let mut tx = self.begin().await?;
        let r = sqlx::query(
            "UPDATE letters SET title = $2, body_html = $3, signed_off_by = NULL, signed_off_at = NULL \
             WHERE id = $1 AND issued_at IS NULL",
        )
        .bind(letter_id)
        .bind(title)
        .bind(body_html)
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() == 0 {
            return Err(letter_not_draft(&mut tx, letter_id).await);
        }
        let letter = load_letter(&mut tx, letter_id)
            .await?
            .ok_or(StoreError::NotFound(LETTER))?;
        self.commit(tx).await?;
        Ok(letter)
    }

    /// Issue (freeze) a draft; Conflict as above if already issued.
    /// Errors: NotFound("文书"); NotFound("用户") if `issued_by` does not exist.
    pub async fn issue_letter(
        &self,
        letter_id: i64,
        issued_by: Option<i64>,
        at: DateTime<Utc>,
    ) -> Result<Letter> {
        let mut tx = self.begin().await?;
        check_user(&mut tx, issued_by).await?;
        let r = sqlx::query(
            "UPDATE letters SET issued_by = $2, issued_at = $3 WHERE id = $1 AND issued_at IS NULL",
        )
        .bind(letter_id)
        .bind(issued_by)
        .bind(ts(at))
        .execute(&mut *tx)
        .await
        .map_err(|e| fk_or_db(e, "用户"))?;
        if r.rows_affected() == 0 {
            return Err(letter_not_draft(&mut tx, letter_id).await);
        }
        let letter = load_letter(&mut tx, letter_id)
            .await?
            .ok_or(StoreError::NotFound(LETTER))?;
        self.commit(tx).await?;
        Ok(letter)
    }

    pub async fn letter(&self, letter_id: i64) -> Result<Option<Letter>> {
        let mut conn = self.pool.acquire().await?;
        load_letter(&mut conn, letter_id).await
    }

    /// All versions, in creation order.
    pub async fn letters(&self, application_id: i64) -> Result<Vec<Letter>> {
        let sql =
            format!("SELECT {LETTER_COLS} FROM letters WHERE application_id = $1 ORDER BY id");
        sqlx::query(&sql)
            .bind(application_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(letter_from_row)
            .collect()
    }

}
