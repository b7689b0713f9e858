//! The `gongkai` command: serve the platform, migrate, manage users, ask the
//! working-day calendar, check annual reports, load the demo.

pub mod cli;
pub mod cli_import;
pub mod cli_submission;
pub mod cli_security;
pub mod config;
pub mod demo;
pub mod demo_applications;
pub mod demo_channels;
pub mod demo_data;
pub mod demo_reports;
pub mod attachments_cmd;
pub mod bench_cases;
pub mod bench_reports;
pub mod bench_seed;
pub mod bench_sink;
pub mod bench_text;
pub mod demo_site;
pub mod index_cmd;
pub mod report_import_cmd;
pub mod separation;
// Operations (issue 14).
pub mod backup;
pub mod doctor;
pub mod http_server;
pub mod listen;
pub mod tls;
