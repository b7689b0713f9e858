//! Types of the import of existing content (issue 14 part 1): items that were published
//! elsewhere and enter as published history with their own dates and 索引号.

use chrono::NaiveDate;
use gongkai_domain::model::{ItemFields, Validity};

/// One item to import.
#[derive(Debug, Clone)]
pub struct ImportedItem {
    pub fields: ItemFields,
    /// The original 索引号; `None` assigns the next serial like a publication would.
    pub index_no: Option<String>,
    /// The original 发布日期.
    pub publish_date: NaiveDate,
    pub validity: Validity,
    pub attachments: Vec<ImportedAttachment>,
}

/// An attachment of an imported item (already checked by the web layer).
#[derive(Debug, Clone)]
pub struct ImportedAttachment {
    pub filename: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// Whether an item with this import key already exists in the organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportMatch {
    /// Not there yet.
    New,
    /// The same item is already stored (same 索引号, or same title, 发布日期 and 文号): skipped.
    Exists(i64),
    /// The 索引号 belongs to another organisation's item.
    IndexTaken,
}
