//! `gongkai index rebuild`: rebuild this node's search index from the
//! database, with a progress bar.

use anyhow::{anyhow, Result};
use gongkai_search::SearchService;
use gongkai_store::Store;
use indicatif::{ProgressBar, ProgressStyle};

use crate::config::Config;

pub async fn rebuild(store: &Store, config: &Config) -> Result<()> {
    let dir = config.search_index_dir();
    let svc = SearchService::open_index(store.clone(), Some(dir.clone())).await.map_err(|e| anyhow!("{e}"))?;
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{spinner} 重建检索索引 [{bar:40}] {pos}/{len} 条（{per_sec}，剩余约 {eta}）")
            .map_err(|e| anyhow!("{e}"))?
            .progress_chars("=> "),
    );
    let started = std::time::Instant::now();
    let n = svc
        .rebuild(|done, total| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        })
        .await
        .map_err(|e| anyhow!("{e}"))?;
    bar.finish_and_clear();
    println!(
        "检索索引已重建：{n} 条已发布的信息，用时 {:.1} 秒，索引目录 {}（已应用变更序号 {}）",
        started.elapsed().as_secs_f64(),
        dir.display(),
        svc.applied_seq().await
    );
    Ok(())
}
