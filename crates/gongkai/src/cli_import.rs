//! `gongkai import`: bring an office's existing published items in, from a manifest
//! (CSV/XLSX plus a folder of files) or from a saved copy of its old 政府信息公开 column.
//! A dry run prints the plan and every problem; a real run stores everything or nothing and
//! can be repeated (items already there are skipped).

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use chrono::Utc;
use clap::Subcommand;
use gongkai_domain::model::{Organisation, Role};
use gongkai_store::{AuditContext, Store};
use gongkai_web::import::{self, mapping, manifest, site, Importer, Plan};
use gongkai_web::malware_scan::Scanner;

/// Who the audit log names for an import from the command line.
const CLI_ACTOR: &str = "命令行";

#[derive(Subcommand, Debug)]
pub enum ImportCmd {
    /// 按清单（CSV 或 XLSX，每行一条信息）导入已有公开信息
    Manifest {
        /// 机关：编号、门户地址中的简称（如 yuantan）或机构代码
        #[arg(long)]
        org: String,
        /// 存放正文文件和附件的目录（清单中的文件名相对于此目录）
        #[arg(long)]
        files: Option<PathBuf>,
        /// 只列出将新建的信息和全部问题，不做任何改动
        #[arg(long)]
        dry_run: bool,
        /// 信息记录中的经办账号（默认：本机关第一个编辑或管理员）
        #[arg(long)]
        user: Option<String>,
        /// 清单文件（.csv 或 .xlsx）
        file: PathBuf,
    },
    /// 导入已有政府信息公开栏目的网站副本（如 wget --mirror 保存的目录）
    Site {
        /// 机关：编号、门户地址中的简称（如 yuantan）或机构代码
        #[arg(long)]
        org: String,
        /// 栏目对应表（两列：来源栏目、目录栏目）
        #[arg(long, required_unless_present = "suggest_mapping")]
        mapping: Option<PathBuf>,
        /// 只列出将新建的信息和全部问题，不做任何改动
        #[arg(long)]
        dry_run: bool,
        /// 按栏目名称的相似度输出建议的对应表，不导入
        #[arg(long)]
        suggest_mapping: bool,
        /// 原网站的域名（绝对地址的附件链接按此对应到副本中的文件），可重复
        #[arg(long)]
        site_host: Vec<String>,
        /// 信息记录中的经办账号（默认：本机关第一个编辑或管理员）
        #[arg(long)]
        user: Option<String>,
        /// 网站副本目录
        dir: PathBuf,
    },
}

async fn find_org(store: &Store, org_ref: &str) -> Result<Organisation> {
    let orgs = store.orgs().await?;
    let r = org_ref.trim();
    orgs.iter()
        .find(|o| o.id.to_string() == r || o.slug == r || (!o.org_code.is_empty() && o.org_code == r))
        .cloned()
        .ok_or_else(|| anyhow!("找不到机关“{org_ref}”（可用编号、简称或机构代码）"))
}

/// The staff account the imported items' events name.
async fn importer(store: &Store, org: &Organisation, user: Option<&str>) -> Result<Importer> {
    let users = store.users(&[org.id]).await?;
    let chosen = match user {
        Some(name) => users.iter().find(|u| u.username == name).ok_or_else(|| anyhow!("本机关没有账号“{name}”"))?,
        None => users
            .iter()
            .find(|u| !u.disabled && (u.has_role(Role::Editor) || u.has_role(Role::Admin)))
            .ok_or_else(|| anyhow!("本机关还没有编辑或管理员账号，请先用 gongkai user add 建立，或用 --user 指定"))?,
    };
    Ok(Importer {
        user_id: chosen.id,
        actor_id: None,
        actor_name: format!("{CLI_ACTOR}（经办：{}）", chosen.display_name),
        client: "cli".into(),
        ctx: AuditContext::default(),
    })
}

/// Print the plan; store it unless it is a dry run. Problems make the command fail.
async fn finish(store: &Store, org: &Organisation, plan: Plan, dry_run: bool, user: Option<&str>) -> Result<()> {
    print!("{}", plan.report());
    if !plan.problems.is_empty() {
        bail!("有 {} 个问题，未导入任何信息；请修正后重新运行", plan.problems.len());
    }
    if dry_run {
        println!("试运行：未做任何改动");
        return Ok(());
    }
    let by = importer(store, org, user).await?;
    let ids = import::apply(store, org, &plan, by, Utc::now()).await?;
    println!("已导入 {} 条信息（作为已发布的历史信息，保留原发布日期和索引号）", ids.len());
    Ok(())
}

fn read_file(path: &Path, what: &str) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("无法读取{what}“{}”", path.display()))
}

pub async fn run(store: &Store, cmd: ImportCmd, scanner: &Scanner) -> Result<()> {
    match cmd {
        ImportCmd::Manifest { org, files, dry_run, user, file } => {
            let org = find_org(store, &org).await?;
            let data = read_file(&file, "清单")?;
            let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            if let Some(dir) = &files {
                if !dir.is_dir() {
                    bail!("文件目录“{}”不存在", dir.display());
                }
            }
            let (drafts, problems) = manifest::read(&name, &data, files.as_deref())?;
            let plan = import::resolve(store, &org, drafts, problems, &|c| Some(c.to_string()), scanner).await?;
            finish(store, &org, plan, dry_run, user.as_deref()).await
        }
        ImportCmd::Site { org, mapping: mapping_file, dry_run, suggest_mapping, site_host, user, dir } => {
            let org = find_org(store, &org).await?;
            let copy = site::read(&dir, &site_host)?;
            if suggest_mapping {
                let catalog = store.catalog(org.id).await?;
                print!("{}", mapping::suggestion_file(&catalog, &copy.columns));
                return Ok(());
            }
            let path = mapping_file.ok_or_else(|| anyhow!("请用 --mapping 指定栏目对应表（可先用 --suggest-mapping 生成建议）"))?;
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let map = mapping::parse(&name, &read_file(&path, "对应表")?)?;
            let plan = import::resolve(store, &org, copy.drafts, copy.problems, &|c| map.get(c).cloned(), scanner).await?;
            finish(store, &org, plan, dry_run, user.as_deref()).await
        }
    }
}
