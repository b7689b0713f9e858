//! gongkai-search: full-text search over published information items.
//!
//! - [`index`]: a tantivy index whose text fields are segmented by jieba
//!   ([`tokenizer`]) after folding Traditional script into Simplified
//!   ([`text`]), so a query in either script finds items in either.
//! - [`service`]: keeps one node's index in step with the database through
//!   the `search_changes` log the store writes in the same transaction as
//!   every item change; also rebuilds the index from the database.
//! - [`corpus`]: the synthetic corpus of the benchmark.

pub mod corpus;
pub mod index;
pub mod service;
pub mod text;
pub mod tokenizer;

pub use index::{IndexDoc, SearchHit, SearchIndex, SearchRequest, SearchResults, Sort, WriterOptions};
pub use service::SearchService;

/// Errors of the search layer, with Chinese messages.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("请输入检索词（至少包含一个汉字、字母或数字）")]
    EmptyQuery,
    #[error("搜索索引出错：{0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("{0}")]
    Store(#[from] gongkai_store::StoreError),
    #[error("{0}")]
    Io(String),
    #[error("搜索索引结构不符：{0}")]
    Schema(String),
    #[error("搜索索引目录正被另一个进程（例如正在运行的 gongkai serve）使用；每个服务进程需要自己的索引目录，重建索引前请先停止服务")]
    Locked,
    #[error("搜索任务中断：{0}")]
    Join(String),
}
