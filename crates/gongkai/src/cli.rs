//! Command-line interface (clap).

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context, Result};
use chrono::{Datelike, NaiveDate, Utc};
use clap::{Parser, Subcommand};
use gongkai_domain::calendar::Calendar;
use gongkai_domain::index_number::DEFAULT_PATTERN;
use gongkai_domain::model::{DisclosureOffice, OrgLevel, Role};
use gongkai_store::{NewOrganisation, NewUser, Store};

use crate::config::{Config, Overrides};

#[derive(Parser, Debug)]
#[command(name = "gongkai", version, about = "gongkai 政府信息公开平台")]
pub struct Cli {
    /// 配置文件（TOML）；默认读取 GONGKAI_CONFIG 或当前目录下的 gongkai.toml
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// 数据库地址：sqlite:路径 或 postgres://…（默认：数据目录下的 SQLite 文件）
    #[arg(long, global = true)]
    database_url: Option<String>,
    /// 数据目录（默认 ./gongkai-data）
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// 启动门户、后台和接口
    Serve {
        /// 监听地址，例如 127.0.0.1:8080
        #[arg(long)]
        listen: Option<String>,
        /// 数据库为空时载入演示数据（源潭镇及其所在的清城区）
        #[arg(long)]
        demo: bool,
    },
    /// 执行数据库迁移
    Migrate,
    /// 管理后台账号
    #[command(subcommand)]
    User(UserCmd),
    /// 工作日计算
    #[command(subcommand)]
    Calendar(CalendarCmd),
    /// 政府信息公开工作年度报告
    #[command(subcommand)]
    Report(ReportCmd),
    /// 信息处理费
    #[command(subcommand)]
    Fee(FeeCmd),
    /// 向上级平台报送（报送包）
    #[command(subcommand)]
    Submission(crate::cli_submission::SubmissionCmd),
    /// 全文检索索引
    #[command(subcommand)]
    Index(IndexCmd),
    /// 导入已有公开信息：清单（CSV/XLSX）或原网站栏目的副本；先试运行（--dry-run）查看
    #[command(subcommand)]
    Import(crate::cli_import::ImportCmd),
    /// 附件存放位置（数据库或对象存储）
    #[command(subcommand)]
    Attachments(crate::attachments_cmd::AttachmentsCmd),
    /// 个人信息保护：检查已公开内容
    #[command(subcommand)]
    Privacy(crate::cli_security::PrivacyCmd),
    /// 审计日志：签发检查点、离线校验
    #[command(subcommand)]
    Audit(crate::cli_security::AuditCmd),
    /// 个人信息数据密钥（SM4）：轮换、重新加密、查看各版本密钥的使用情况
    #[command(subcommand)]
    Keys(crate::cli_security::KeysCmd),
    /// 运行体检：配置、数据库持久性、文件权限、磁盘空间、密钥、TLS 证书有效期与备份
    Doctor,
    /// 在线备份：数据库的一致快照与数据目录中的密钥等文件，打包为带清单和校验值的归档
    Backup {
        /// 输出文件（默认：备份目录下的 gongkai-backup-时间.tar.gz，并按 backup_keep 清理旧备份）
        #[arg(short = 'o', long)]
        output: Option<PathBuf>,
    },
    /// 性能测试：生成省级规模的测试数据，批量生成年度报告
    #[command(subcommand)]
    Bench(BenchCmd),
    /// 从备份恢复到空的数据目录和空数据库（先完整校验，校验不通过则不做任何改动）
    Restore {
        /// 备份文件（.tar.gz）
        archive: PathBuf,
        /// 只校验备份文件，不恢复
        #[arg(long)]
        check_only: bool,
    },
}

#[derive(Subcommand, Debug)]
enum IndexCmd {
    /// 从数据库重建本节点的检索索引（须先停止使用同一索引目录的服务）
    Rebuild,
}

#[derive(Subcommand, Debug)]
enum BenchCmd {
    /// 向空数据库写入省级规模的测试数据（规模 1.0：21 个市、120 个区县、共 2000 个机关，500 万条信息，50 万件申请）
    Seed {
        /// 规模系数，例如 0.01、0.1、1.0
        #[arg(long, default_value_t = 1.0)]
        scale: f64,
        /// 随机数种子（同一种子生成同样的数据）
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// 所有生成账号（staff-机关简称、province-admin）的密码
        #[arg(long, default_value = "bench-seed-2026")]
        password: String,
    },
    /// 按记录生成所有机关的年度报告并做全省汇总，报告用时
    Reports {
        /// 报告年度
        #[arg(long)]
        year: i32,
        /// 生成后发布（供门户和汇总页面测试）
        #[arg(long)]
        publish: bool,
    },
}

#[derive(Subcommand, Debug)]
enum FeeCmd {
    /// 计算信息处理费：按件（--pieces）或按量（--pages），二者只能选一种
    Quote {
        /// 按件计收：本次申请的件数
        #[arg(long, conflicts_with = "pages", required_unless_present = "pages")]
        pieces: Option<u32>,
        /// 按件计收：同一申请人本自然月此前已申请的件数
        #[arg(long, requires = "pieces", default_value_t = 0)]
        already_this_month: u32,
        /// 按量计收：页数
        #[arg(long)]
        pages: Option<u32>,
    },
}

#[derive(Subcommand, Debug)]
enum UserCmd {
    /// 新建账号（随机生成初始密码并显示一次）
    Add {
        username: String,
        /// 姓名
        #[arg(long)]
        name: String,
        /// 所属机关的网址标识（slug）
        #[arg(long)]
        org: String,
        /// 角色，逗号分隔：admin（系统管理员）, security_admin, audit_admin, editor, reviewer, office_head
        #[arg(long, value_delimiter = ',', required = true)]
        role: Vec<String>,
    },
    /// 修改账号的角色（三员分立：同一账号不能兼任两种管理员，除非 single_person_mode），其登录状态随即失效
    SetRoles {
        username: String,
        /// 角色，逗号分隔，如 security_admin 或 editor,reviewer
        #[arg(long, value_delimiter = ',', required = true)]
        role: Vec<String>,
    },
    /// 列出账号
    List,
    /// 重置密码：默认随机生成；--stdin 从标准输入读取新密码
    SetPassword {
        username: String,
        #[arg(long)]
        stdin: bool,
    },
    /// 停用账号（其登录状态随即失效）
    Disable { username: String },
    /// 启用账号
    Enable { username: String },
}

#[derive(Subcommand, Debug)]
enum CalendarCmd {
    /// 计算期限：起算日（YYYY-MM-DD）之后第 N 个工作日
    Due { start: String, working_days: u32 },
}

#[derive(Subcommand, Debug)]
enum ReportCmd {
    /// 年报体检：检查已发布的年度报告
    Check(gongkai_checker::cli::CheckArgs),
    /// 生成年度报告并导出：已有报告时导出其最新版本，否则按记录生成草稿
    Generate {
        /// 机关：编号、门户地址中的简称（如 yuantan）或机构代码
        #[arg(long)]
        org: String,
        /// 报告年度，例如 2023
        #[arg(long)]
        year: i32,
        /// 导出格式：html、docx、xlsx、json、md
        #[arg(long, default_value = "html")]
        format: String,
        /// 文字：hans（简体，默认）或 hant（繁體）
        #[arg(long, default_value = "hans")]
        script: String,
        /// 忽略已保存的报告，按当前记录重新生成
        #[arg(long)]
        fresh: bool,
        /// 输出文件
        #[arg(short = 'o', long)]
        output: PathBuf,
    },
    /// 导入以前已发布的年度报告（TXT、HTML、DOCX、PDF）作为该年度报告，供下一年度衔接核对
    Import {
        /// 机关：编号、门户地址中的简称（如 yuantan）或机构代码
        #[arg(long)]
        org: String,
        /// 报告年度，例如 2023（省略时按报告标题中的年度）
        #[arg(long)]
        year: Option<i32>,
        /// 已导入过该年度时，替换原导入
        #[arg(long)]
        replace: bool,
        /// 报告文件
        file: PathBuf,
    },
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    // Commands that need no configuration.
    match &cli.command {
        Command::Calendar(CalendarCmd::Due { start, working_days }) => return calendar_due(start, *working_days),
        Command::Report(ReportCmd::Check(args)) => return ExitCode::from(gongkai_checker::cli::run(args).clamp(0, 255) as u8),
        Command::Fee(FeeCmd::Quote { pieces, already_this_month, pages }) => return fee_quote(*pieces, *already_this_month, *pages),
        _ => {}
    }
    let env: Vec<(String, String)> = std::env::vars().collect();
    let listen = match &cli.command {
        Command::Serve { listen, .. } => listen.clone(),
        _ => None,
    };
    let overrides = Overrides { listen, data_dir: cli.data_dir.clone(), database_url: cli.database_url.clone() };
    let config = match Config::load(cli.config.as_deref(), &env, &overrides) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("配置错误：{e}");
            return ExitCode::from(2);
        }
    };
    init_tracing(&config.log, &config.log_format);
    // Files gongkai creates (database, attachments, backups) hold personal data: no access for others.
    crate::doctor::restrict_umask();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("无法启动运行时：{e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command, config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("错误：{e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing(filter: &str, format: &str) {
    let filter = tracing_subscriber::EnvFilter::try_new(filter).unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // `log_format = "json"`: one JSON object per line on stderr, for log collectors.
    let _ = if format == "json" {
        tracing_subscriber::fmt().json().with_env_filter(filter).with_current_span(false).with_writer(std::io::stderr).try_init()
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).with_target(false).try_init()
    };
}

fn calendar_due(start: &str, n: u32) -> ExitCode {
    let Ok(date) = NaiveDate::parse_from_str(start.trim(), "%Y-%m-%d") else {
        eprintln!("起算日期“{start}”格式有误，应为 YYYY-MM-DD，例如 2023-09-27");
        return ExitCode::from(2);
    };
    let due = Calendar::official().add_working_days(date, n);
    // A closed pipe (e.g. `| head -1`) is not an error worth a panic.
    let _ = writeln!(std::io::stdout(), "{}\n{}", due.due, due.explain());
    ExitCode::SUCCESS
}

/// Print the fee for a number of pieces or pages with its tier breakdown.
fn fee_quote(pieces: Option<u32>, already_this_month: u32, pages: Option<u32>) -> ExitCode {
    use gongkai_domain::fees::{FeeBasis, FeeSchedule};
    let basis = match (pieces, pages) {
        (Some(count), None) => FeeBasis::PerPiece { count, already_this_month },
        (None, Some(count)) => FeeBasis::PerPage { count },
        _ => {
            eprintln!("请指定 --pieces（按件计收）或 --pages（按量计收）中的一种");
            return ExitCode::from(2);
        }
    };
    let schedule = FeeSchedule::default();
    match schedule.quote(basis) {
        Ok(q) => {
            let _ = writeln!(std::io::stdout(), "{}\n{}\n依据：{}", gongkai_domain::fees::format_yuan(q.total_fen), q.explain(), schedule.document);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}

async fn open_store(config: &Config) -> Result<Store> {
    let url = config.database_url();
    if config.database_url.is_none() {
        std::fs::create_dir_all(&config.data_dir).with_context(|| format!("无法创建数据目录 {}", config.data_dir.display()))?;
    }
    let store = Store::connect(&url).await.with_context(|| format!("无法连接数据库 {}", redact(&url)))?;
    store.migrate().await.context("数据库迁移失败")?;
    // Security (issue 12): the SQLite file and its WAL readable by this user only.
    if config.database_url.is_none() {
        crate::cli_security::restrict_database_files(&config.data_dir.join("gongkai.db")).map_err(|e| anyhow!("无法设置数据库文件权限：{e}"))?;
    }
    // Security (issue 12): the audit chain is keyed with a key kept outside the database.
    let key = gongkai_store::audit_keys::load_or_create_mac_key(&config.data_dir, std::env::var(gongkai_store::audit_keys::AUDIT_KEY_ENV).ok().as_deref()).map_err(|e| anyhow!("{e}"))?;
    let store = store.with_audit_key(key);
    // Security (issue 12): citizens' personal fields sealed with SM4, keys outside the database.
    let store = store.with_data_keys(crate::cli_security::load_data_keys(&config.data_dir)?);
    // Readers of attachments kept in the object store need it whatever
    // `attachment_store` says; new attachments go there only with `s3`.
    if config.attachment_store == "s3" {
        let s3 = config.object_store().ok_or_else(|| anyhow!("附件存放在对象存储时必须设置 s3_endpoint 和 s3_bucket"))?;
        let objects = gongkai_store::blobs::ObjectStore::new(&s3)?;
        return Ok(store.with_object_store(objects));
    }
    Ok(store)
}

/// Hide a password in a database URL for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..s + 3], user, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

async fn run(command: Command, config: Config) -> Result<()> {
    match command {
        Command::Serve { demo, .. } => serve(config, demo).await,
        Command::Migrate => {
            let store = open_store(&config).await?;
            println!("数据库迁移完成：{}", redact(&config.database_url()));
            store.close().await;
            Ok(())
        }
        Command::User(cmd) => user_command(&open_store(&config).await?, cmd, &config).await,
        Command::Report(ReportCmd::Generate { org, year, format, script, fresh, output }) => {
            let store = open_store(&config).await?;
            let result = report_generate(&store, &org, year, &format, &script, fresh, &output).await;
            store.close().await;
            result
        }
        Command::Report(ReportCmd::Import { org, year, replace, file }) => {
            let store = open_store(&config).await?;
            let scanner = gongkai_web::malware_scan::Scanner::parse(&config.clamav).map_err(|e| anyhow!(e))?;
            let result = crate::report_import_cmd::run(&store, &org, year, &file, replace, &scanner).await;
            store.close().await;
            result
        }
        Command::Submission(cmd) => {
            config.configure_outbound().map_err(|e| anyhow!(e))?;
            crate::cli_submission::run(&open_store(&config).await?, cmd, &config.web().public_url).await
        }
        Command::Import(cmd) => {
            let store = open_store(&config).await?;
            let scanner = gongkai_web::malware_scan::Scanner::parse(&config.clamav).map_err(|e| anyhow!(e))?;
            let result = crate::cli_import::run(&store, cmd, &scanner).await;
            store.close().await;
            result
        }
        Command::Index(IndexCmd::Rebuild) => crate::index_cmd::rebuild(&open_store(&config).await?, &config).await,
        Command::Attachments(cmd) => crate::attachments_cmd::run(open_store(&config).await?, &config, cmd).await,
        Command::Privacy(cmd) => crate::cli_security::run(&open_store(&config).await?, &cmd, &config.web().public_url).await,
        Command::Audit(cmd) => crate::cli_security::audit(&open_store(&config).await?, &cmd, &config.data_dir).await,
        Command::Keys(cmd) => {
            let store = open_store(&config).await?;
            let done = crate::cli_security::keys(&store, &cmd, &config.data_dir).await;
            store.close().await;
            done
        }
        Command::Doctor => crate::doctor::run(&config).await,
        Command::Bench(cmd) => bench(&config, cmd).await,
        Command::Backup { output } => {
            let store = open_store(&config).await?;
            let into_dir = output.is_none();
            let out = output.unwrap_or_else(|| config.backup_dir().join(crate::backup::default_name()));
            let written = crate::backup::create(&store, &config, &out).await;
            store.close().await;
            let w = written?;
            println!("备份完成：{}（{} 字节，{} 个文件；{}）", w.path.display(), w.bytes, w.manifest.files.len(), crate::backup::summary(&w.manifest));
            if into_dir {
                for p in crate::backup::prune(&config.backup_dir(), config.backup_keep)? {
                    println!("已删除旧备份 {}", p.display());
                }
            }
            Ok(())
        }
        Command::Restore { archive, check_only } => {
            if check_only {
                let within = std::env::temp_dir();
                let u = crate::backup::unpack(&archive, &within)?;
                println!("备份文件完好：{}，{} 个文件，生成于 {}（{}）", u.manifest.backend, u.manifest.files.len(), u.manifest.created_at, crate::backup::summary(&u.manifest));
                return Ok(());
            }
            let r = crate::backup::restore(&archive, &config).await?;
            println!("恢复完成：{}（备份生成于 {}）。数据行数与审计日志已核对无误；检索索引将在首次启动时重建。", crate::backup::summary(&r.manifest), r.manifest.created_at);
            Ok(())
        }
        Command::Calendar(_) | Command::Report(_) | Command::Fee(_) => Ok(()),
    }
}

async fn bench(config: &Config, cmd: BenchCmd) -> Result<()> {
    let store = open_store(config).await?;
    let result = match cmd {
        BenchCmd::Seed { scale, seed, password } => {
            let opts = crate::bench_seed::SeedOptions { scale, seed, password };
            crate::bench_seed::seed(&store, &config.database_url(), &opts).await.map_err(anyhow::Error::from).map(|s| {
                let rows = s.items + s.item_events + s.applications + s.steps + s.appeals;
                println!(
                    "测试数据已生成：{} 个机关，{} 个账号，{} 条信息（{} 条流程记录），{} 件申请（{} 个办理步骤），{} 件复议诉讼；用时 {:.1} 秒（{:.0} 行/秒）",
                    s.organisations, s.users, s.items, s.item_events, s.applications, s.steps, s.appeals, s.seconds, rows as f64 / s.seconds.max(1e-6)
                );
                println!("申请最多的机关：{}（账号 {}）；所有账号的密码：{}", s.busiest_org, s.busiest_user, opts.password);
            })
        }
        BenchCmd::Reports { year, publish } => crate::bench_reports::run(&store, year, publish).await,
    };
    store.close().await;
    result
}

/// `gongkai report generate`: export the latest stored revision of a year's report, or a
/// report generated from the records; list every validation finding; fail on errors (after
/// writing the file, so that staff can see what is wrong in it).
async fn report_generate(store: &Store, org_ref: &str, year: i32, format: &str, script: &str, fresh: bool, output: &std::path::Path) -> Result<()> {
    use gongkai_domain::annual_report::validate::{validate, Severity, ValidationContext};
    use gongkai_report_export::{export, ExportFormat, Script};
    use gongkai_web::reports::records;
    let format = ExportFormat::parse(format).map_err(|e| anyhow!("{e}"))?;
    let script = Script::parse(script).map_err(|e| anyhow!("{e}"))?;
    if !(2008..=Utc::now().date_naive().year()).contains(&year) {
        bail!("报告年度“{year}”超出范围（2008年至今）");
    }
    let orgs = store.orgs().await?;
    let org = orgs
        .iter()
        .find(|o| o.id.to_string() == org_ref.trim() || o.slug == org_ref.trim() || (!o.org_code.is_empty() && o.org_code == org_ref.trim()))
        .ok_or_else(|| anyhow!("找不到机关“{org_ref}”（可用编号、简称或机构代码），现有机关：{}", orgs.iter().map(|o| format!("{} {}（{}）", o.id, o.slug, o.name)).collect::<Vec<_>>().join("；")))?;
    let state = gongkai_web::AppState::new(store.clone(), gongkai_web::WebConfig::default()).await.map_err(|e| anyhow!("{e}"))?;
    let calendar = state.calendar();
    let year_reports: Vec<_> = store.reports(&[org.id]).await?.into_iter().filter(|r| r.year == year).collect();
    let first_published = records::first_published(&year_reports, year);
    let stored = year_reports.into_iter().max_by_key(|r| r.revision);
    let (report, source, this_published) = match stored {
        Some(r) if !fresh => (r.content, format!("已保存的第{}版（{}）", r.revision, r.status.label()), r.published_on),
        _ => (records::generate(store, &calendar, org, year).await.map_err(|e| anyhow!("{e}"))?, "按当前记录生成的草稿".to_string(), None),
    };
    let previous = records::previous_report(store, org.id, year).await.map_err(|e| anyhow!("{e}"))?;
    let deadline = records::deadline_of(store, org, year).await.map_err(|e| anyhow!("{e}"))?;
    let today = Utc::now().date_naive();
    // A report published on time, and any correction of it, gets no deadline warning.
    let findings = validate(&report, &ValidationContext { previous: previous.as_ref(), today, deadline, first_published });
    let standing = gongkai_domain::annual_report::DeadlineStanding::of(year, deadline, this_published, first_published, today);
    let bytes = export(&report, format, script).map_err(|e| anyhow!("{e}"))?;
    std::fs::write(output, &bytes).with_context(|| format!("无法写入 {}", output.display()))?;
    eprintln!("已导出 {} {}年度报告（{source}）到 {}（{}，{} 字节）", org.name, year, output.display(), format.label(), bytes.len());
    eprintln!("发布期限：{}（{}）", deadline.format("%Y年%-m月%-d日"), standing.label());
    for f in &findings {
        eprintln!("{}：{}", f.severity.label(), f.message);
    }
    let errors = findings.iter().filter(|f| f.severity == Severity::Error).count();
    if errors > 0 {
        bail!("报告有 {errors} 个错误（见上），改正后才能发布");
    }
    Ok(())
}

fn print_box(lines: &[String]) {
    println!("================================================================");
    for l in lines {
        println!("  {l}");
    }
    println!("================================================================");
}

/// First start: create the root organisation and the three administrators (one
/// merged account in single-person mode), each with a random password printed once. With `--demo` on an empty database, load
/// the demo instead.
async fn bootstrap(store: &Store, config: &Config, demo: bool) -> Result<()> {
    let orgs = store.orgs().await?;
    if orgs.is_empty() && demo {
        println!("正在载入演示数据（清远市清城区源潭镇人民政府等）……");
        let accounts = crate::demo::load(store).await.map_err(|e| anyhow!("{e}"))?;
        // Security (issue 12): demo passwords go to the 0600 file only, never to
        // standard output (which service managers keep in their logs).
        let accounts_text: String = accounts.iter().map(|a| format!("{:<14} {:<20} {}（{}）\n", a.username, a.password, a.org, a.roles)).collect();
        let path = config.data_dir.join("demo-accounts.txt");
        std::fs::create_dir_all(&config.data_dir).with_context(|| format!("无法创建数据目录 {}", config.data_dir.display()))?;
        write_private(&path, &accounts_text).with_context(|| format!("无法写入 {}", path.display()))?;
        let mut lines = vec![format!("演示数据已载入。演示账号的密码保存在 {}（仅本用户可读）：", path.display())];
        for a in &accounts {
            lines.push(format!("{:<14} {}（{}）", a.username, a.org, a.roles));
        }
        print_box(&lines);
        return Ok(());
    }
    if demo {
        println!("数据库中已有数据，未重复载入演示数据。");
    }
    if store.count_users().await? > 0 {
        return Ok(());
    }
    let org = match orgs.first() {
        Some(o) => o.clone(),
        None => {
            gongkai_web::ops::provision_org(
                store,
                &NewOrganisation {
                    slug: "main".into(),
                    name: config.bootstrap_org_name.clone(),
                    org_code: String::new(),
                    level: OrgLevel::CountyGovernment,
                    parent_id: None,
                    office: DisclosureOffice { name: "政府信息公开工作机构".into(), ..Default::default() },
                    index_pattern: DEFAULT_PATTERN.into(),
                    description: String::new(),
                },
            )
            .await
            .map_err(|e| anyhow!("{e}"))?
        }
    };
    // 三员分立: the system, security and audit administrators (one merged account only
    // in single-person mode).
    let accounts = crate::separation::bootstrap_accounts(store, &org, config).await?;
    // The passwords go to a file only the service user can read, never to standard output,
    // which service managers keep in their logs (issue 12).
    let mut file = String::from("gongkai 首次启动创建的管理员账号。每个密码首次登录后须更换；各自取得密码后请删除本文件。\n\n");
    let mut lines = vec![if accounts.len() == 1 { "首次启动：已创建管理员账号（single_person_mode：一人兼任三种管理员）。".to_string() } else { "首次启动：已创建系统管理员、安全管理员、审计管理员三个账号，请分别交给三位不同的工作人员。".to_string() }];
    for a in &accounts {
        let roles: Vec<&str> = a.roles.iter().map(|r| r.label()).collect();
        lines.push(format!("{}：用户名：{}", roles.join("、"), a.username));
        file.push_str(&format!("{}\n用户名：{}\n密码：{}\n\n", roles.join("、"), a.username, a.password));
    }
    let path = initial_accounts_path(config);
    std::fs::create_dir_all(&config.data_dir).with_context(|| format!("无法创建数据目录 {}", config.data_dir.display()))?;
    write_private(&path, &file).with_context(|| format!("无法写入 {}", path.display()))?;
    lines.push(format!("初始密码保存在 {}（仅本用户可读），首次登录后须设置新密码；", path.display()));
    lines.push("各自取得密码后请删除该文件。请由系统管理员在“机关设置”中填写机关名称和机构代码，".into());
    lines.push("在“用户管理”中为每位工作人员建立自己的账号；管理员角色由安全管理员授予。".into());
    print_box(&lines);
    Ok(())
}

/// Where the first start writes the administrators' issued passwords (0600).
pub fn initial_accounts_path(config: &Config) -> std::path::PathBuf {
    config.data_dir.join("initial-accounts.txt")
}

fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()
}

async fn serve(mut config: Config, demo: bool) -> Result<()> {
    // The demonstration signs in with the listed accounts alone unless two-step sign-in
    // was asked for explicitly; a real installation requires it for administrators.
    if demo && config.mfa_required_roles.is_none() {
        config.mfa_required_roles = Some(String::new());
    }
    let store = open_store(&config).await?;
    // Refuse to serve personal data the loaded keys cannot open (a key file lost or
    // replaced): every page showing it would fail.
    let problems = store.check_data_keys().await.map_err(|e| anyhow!("{e}"))?;
    if !problems.is_empty() {
        bail!("数据密钥与数据库中的加密数据不符（请从备份恢复数据目录下的 keys/ 或设置 GONGKAI_DATA_KEY）：{}", problems.join("；"));
    }
    bootstrap(&store, &config, demo).await?;
    for warning in crate::separation::check_at_start(&store, &config).await? {
        tracing::warn!("{warning}");
        eprintln!("注意：{warning}");
    }
    crate::cli_security::spawn_checkpoints(store.clone(), config.data_dir.clone());
    crate::cli_security::spawn_reencryption(store.clone());
    config.configure_outbound().map_err(|e| anyhow!(e))?;
    let mut web = config.web();
    // Served over HTTPS by this process: session cookies are Secure.
    web.secure_cookies |= config.tls_enabled();
    let state = gongkai_web::AppState::new(store.clone(), web).await.map_err(|e| anyhow!("{e}"))?;
    let app = gongkai_web::router(state.clone());
    crate::backup::spawn_schedule(store.clone(), config.clone());
    if let Some(mail) = config.mail() {
        gongkai_web::notify::start(&state, mail, std::time::Duration::from_secs(10)).map_err(|e| anyhow!("邮件通知无法启用：{e}"))?;
    }
    let bound = crate::listen::bind(&config, app, state, std::time::Duration::from_secs(5)).await?;
    println!("{}", bound.banner());
    bound.serve(shutdown_signal()).await?;
    store.close().await;
    println!("gongkai 已停止。");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

fn parse_roles(raw: &[String]) -> Result<Vec<Role>> {
    let mut roles = Vec::new();
    for r in raw {
        let r = r.trim();
        let role = Role::parse(r).ok_or_else(|| anyhow!("角色“{r}”不存在，可用：{}", crate::separation::role_codes()))?;
        if !roles.contains(&role) {
            roles.push(role);
        }
    }
    if roles.is_empty() {
        bail!("至少指定一个角色");
    }
    Ok(roles)
}

async fn user_command(store: &Store, cmd: UserCmd, config: &Config) -> Result<()> {
    match cmd {
        UserCmd::Add { username, name, org, role } => {
            if let Some(e) = gongkai_domain::validate::validate_username(&username) {
                bail!("{}", e.message);
            }
            if name.trim().is_empty() {
                bail!("姓名不能为空");
            }
            let roles = parse_roles(&role)?;
            crate::separation::check_roles(&roles, config)?;
            let org = store.org_by_slug(&org).await?.ok_or_else(|| anyhow!("机关“{org}”不存在（请使用网址标识，例如 yuantan）"))?;
            let password = gongkai_web::random_password();
            let hash = gongkai_web::hash_password(&password).map_err(|e| anyhow!("{e}"))?;
            let user = store
                .create_user(&NewUser { username: username.clone(), display_name: name.trim().into(), org_id: org.id, roles }, &hash, Utc::now())
                .await
                .map_err(|e| anyhow!("{e}"))?;
            store.issue_password(user.id, &hash).await?;
            println!("已创建账号 {}（{}），初始密码：{password}", user.username, org.name);
            println!("此密码只显示这一次，首次登录后须设置新密码。");
            Ok(())
        }
        UserCmd::SetRoles { username, role } => crate::separation::set_roles(store, config, &username, &parse_roles(&role)?).await,
        UserCmd::List => {
            let orgs: std::collections::HashMap<i64, String> = store.orgs().await?.into_iter().map(|o| (o.id, o.name)).collect();
            for u in store.users(&[]).await? {
                let roles: Vec<&str> = u.roles.iter().map(|r| r.as_str()).collect();
                println!(
                    "{:<16} {:<12} {:<28} {:<22} {}",
                    u.username,
                    u.display_name,
                    orgs.get(&u.org_id).map(String::as_str).unwrap_or("?"),
                    roles.join(","),
                    if u.disabled { "已停用" } else { "正常" }
                );
            }
            Ok(())
        }
        UserCmd::SetPassword { username, stdin } => {
            let (user, _) = store.user_by_username(&username).await?.ok_or_else(|| anyhow!("账号“{username}”不存在"))?;
            let password = if stdin {
                let mut line = String::new();
                if std::io::stdin().is_terminal() {
                    eprintln!("请输入新密码后回车：");
                }
                std::io::stdin().lock().read_line(&mut line)?;
                let p = line.trim_end_matches(['\n', '\r']).to_string();
                let policy = config.web().password_policy;
                // The same words as the back office refuses: names of the person, their
                // organisations and the site.
                let mut names = vec![user.display_name.clone(), config.site_name.clone()];
                let mut next = Some(user.org_id);
                while let Some(id) = next.take() {
                    if let Some(org) = store.org(id).await? {
                        names.push(org.name.clone());
                        next = org.parent_id.filter(|_| names.len() < 18);
                    }
                }
                let refs: Vec<&str> = names.iter().map(String::as_str).collect();
                let context = gongkai_domain::password::PasswordContext::new(&user.username, &refs);
                if let Some(e) = gongkai_domain::validate::validate_password(&p, &policy, &context) {
                    bail!("{}", e.message);
                }
                p
            } else {
                gongkai_web::random_password()
            };
            let hash = gongkai_web::hash_password(&password).map_err(|e| anyhow!("{e}"))?;
            if stdin {
                store.set_password(user.id, &hash).await?;
            } else {
                // A generated password is handed over: its holder replaces it at first sign-in.
                store.issue_password(user.id, &hash).await?;
            }
            store.reset_login_failures(user.id).await?;
            store.delete_user_sessions(user.id).await?;
            if stdin {
                println!("账号 {username} 的密码已修改。");
            } else {
                println!("账号 {username} 的新密码：{password}（只显示这一次）");
            }
            Ok(())
        }
        UserCmd::Disable { username } => {
            let (user, _) = store.user_by_username(&username).await?.ok_or_else(|| anyhow!("账号“{username}”不存在"))?;
            store.set_user_disabled(user.id, true).await?;
            store.delete_user_sessions(user.id).await?;
            println!("账号 {username} 已停用。");
            Ok(())
        }
        UserCmd::Enable { username } => {
            let (user, _) = store.user_by_username(&username).await?.ok_or_else(|| anyhow!("账号“{username}”不存在"))?;
            store.set_user_disabled(user.id, false).await?;
            println!("账号 {username} 已启用。");
            Ok(())
        }
    }
}
