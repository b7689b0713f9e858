//! The annual report writes itself (政府信息公开工作年度报告): the report model, its generation
//! from the records, the drafted narrative, validation (spec C1–C11), the publication deadline
//! and the report workflow.
//!
//! - [`model`]: the report as a document ([`AnnualReport`]).
//! - [`generate`]: records → report ([`ReportInputs`], [`generate()`], [`refresh_figures`]).
//! - [`narrative`]: the draft of sections 一, 五 and 六 and the narrative-figure check.
//! - [`validate`]: the checks run before publishing ([`validate()`]).
//! - [`workflow`]: draft → review → published, revisions, and the deadline.
//! - [`imported`]: past reports imported from a published file, as the next year's baseline.

pub mod generate;
pub mod imported;
pub mod model;
pub mod narrative;
pub mod validate;
pub mod workflow;

pub use generate::{
    combine, entered_cells, entered_key, entered_kind, generate, parse_figures_table, portal_name,
    refresh_figures, EnteredFigures, PublishedRecord, ReportInputs,
    FIGURES_HEADER,
};
pub use imported::{ImportedFigures, ImportedFinding, ImportedNarrative, ImportedSection2Row, ImportedSection3Row};
pub use model::{
    is_subheading, paragraphs, AnnualReport, CategoryCount, Cell, CellError, ReportOrg,
    Section2Block, Section2Row, Section3Row, SourceFigures, AMOUNT_SCALE, SCHEMA_VERSION,
};
pub use validate::{similarity, validate, Finding, Severity, ValidationContext};
pub use workflow::{
    deadline, DeadlineRule, DeadlineStanding, ProgressStatus, ReportAction, ReportStatus, ReportWorkflowError,
};
