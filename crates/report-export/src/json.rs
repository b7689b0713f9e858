//! The machine-readable JSON export: a stable document described by the JSON Schema in
//! `docs/schema/annual-report.schema.json` (see `docs/annual-report-json.md`). It is written
//! field by field rather than by serialising the report struct, so that the storage model can
//! change without changing the published format.

use gongkai_domain::annual_report::{AnnualReport, SCHEMA_VERSION};
use gongkai_domain::report_format::{CellKind, RowRole};
use serde_json::{json, Map, Value};

use crate::script::Script;
use crate::text::{paras, Para};
use crate::ExportError;

/// The `$id` of the schema, written as `$schema` in every export.
pub const JSON_SCHEMA_ID: &str = "urn:gongkai:schema:annual-report:1";

const SCHEMA: &str = include_str!("../../../docs/schema/annual-report.schema.json");

/// The JSON Schema (draft 2020-12) of the JSON export.
pub fn json_schema() -> &'static str {
    SCHEMA
}

fn kind_name(k: CellKind) -> &'static str {
    match k {
        CellKind::Count => "count",
        CellKind::SignedCount => "signed_count",
        CellKind::Amount => "amount",
    }
}

fn role_name(r: RowRole) -> &'static str {
    match r {
        RowRole::Received => "received",
        RowRole::CarriedIn => "carried_in",
        RowRole::Result => "result",
        RowRole::ResultTotal => "result_total",
        RowRole::CarriedOut => "carried_out",
    }
}

/// A number exactly as printed: integers as integers, amounts with their decimals.
fn number(cell: gongkai_domain::annual_report::Cell) -> Value {
    match cell.kind {
        CellKind::Amount => cell
            .display()
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or(Value::Null, Value::Number),
        _ => Value::from(cell.value),
    }
}

fn paragraph_values(paras: &[Para]) -> Vec<Value> {
    paras
        .iter()
        .map(|p| json!({ "text": p.text, "subheading": p.subheading }))
        .collect()
}

/// The report as a JSON value in `script` (labels and text converted; ids stay Simplified).
pub(crate) fn to_value(report: &AnnualReport, script: Script) -> Value {
    let t = |s: &str| script.convert(s);
    let fmt = report.format_data();

    let sections: Vec<Value> = fmt
        .sections
        .iter()
        .map(|s| {
            let narrative = report.narrative(s.number);
            json!({
                "number": s.number,
                "heading": t(s.heading),
                "full_heading": t(&s.full_heading()),
                "kind": if narrative.is_some() { "narrative" } else { "table" },
                "paragraphs": narrative.map(|n| paragraph_values(&paras(n, script))).unwrap_or_default(),
            })
        })
        .collect();

    let section2: Vec<Value> = report
        .section2
        .iter()
        .map(|b| {
            let kinds: Vec<&str> = fmt
                .section2_block(b.article_item)
                .filter(|f| f.columns.len() == b.columns.len())
                .map(|f| f.kinds.iter().map(|k| kind_name(*k)).collect())
                .unwrap_or_else(|| {
                    (0..b.columns.len())
                        .map(|i| {
                            b.rows
                                .iter()
                                .find_map(|r| r.cells.get(i))
                                .map_or("count", |c| kind_name(c.kind))
                        })
                        .collect()
                });
            json!({
                "item": t(&b.item),
                "article_item": b.article_item,
                "columns": b.columns.iter().map(|c| t(c)).collect::<Vec<_>>(),
                "kinds": kinds,
                "rows": b.rows.iter().map(|r| json!({
                    "label": t(&r.label),
                    "cells": r.cells.iter().map(|c| number(*c)).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();

    let heading_of = |group: &str| -> String {
        fmt.section3_groups
            .iter()
            .find(|(name, _)| *name == group)
            .map_or_else(|| group.to_string(), |(_, h)| h.to_string())
    };
    let section3 = json!({
        "note": t(fmt.section3_note),
        "columns": fmt.section3_columns.iter().map(|c| t(c)).collect::<Vec<_>>(),
        "rows": report.section3.iter().map(|r| json!({
            "id": r.id,
            "label": t(&r.label),
            "group": r.group.as_deref().map(&t),
            "group_heading": r.group.as_deref().map(|g| t(&heading_of(g))),
            "role": role_name(r.role),
            "cells": r.cells.to_vec(),
        })).collect::<Vec<_>>(),
    });

    let groups: Vec<Value> = fmt
        .section4_groups()
        .iter()
        .enumerate()
        .map(|(g, name)| {
            let cells: Vec<u64> = fmt
                .section4
                .iter()
                .zip(report.section4.iter())
                .filter(|(c, _)| c.group == *name)
                .map(|(_, v)| *v)
                .collect();
            json!({ "index": g, "label": t(name), "cells": cells })
        })
        .collect();
    let section4 = json!({
        "columns": fmt.section4.iter().filter(|c| c.group == fmt.section4[0].group)
            .map(|c| t(c.column)).collect::<Vec<_>>(),
        "groups": groups,
        "cells": report.section4.to_vec(),
    });

    let f = &report.figures;
    let figures = json!({
        "items_published": f.items_published,
        "categories": f.categories.iter().map(|c| json!({"name": t(&c.name), "count": c.count})).collect::<Vec<_>>(),
        "guide_updates": f.guide_updates,
        "validity_marked": f.validity_marked,
        "late_publications": f.late_publications,
        "late_replies": f.late_replies,
        "fee_notices": f.fee_notices,
        "fees_noticed_fen": f.fees_noticed_fen,
        "fees_collected_fen": f.fees_collected_fen,
        "portal_name": t(&f.portal_name),
        "self_reference": t(&f.self_reference),
        "unentered": f.unentered,
    });

    let org = &report.organisation;
    let level = serde_json::to_value(org.level).unwrap_or(Value::Null);
    let mut doc = Map::new();
    doc.insert("$schema".into(), Value::from(JSON_SCHEMA_ID));
    doc.insert("schema_version".into(), Value::from(SCHEMA_VERSION));
    doc.insert("format".into(), Value::from(report.format.as_str()));
    doc.insert("format_document".into(), Value::from(fmt.document));
    doc.insert("script".into(), Value::from(script.as_str()));
    doc.insert("lang".into(), Value::from(script.lang()));
    doc.insert("year".into(), Value::from(report.year));
    doc.insert(
        "organisation".into(),
        json!({ "id": org.id, "name": t(&org.name), "code": org.code, "level": level }),
    );
    doc.insert("title".into(), Value::from(t(report.title.trim())));
    doc.insert(
        "preamble".into(),
        Value::from(paragraph_values(&paras(&report.preamble, script))),
    );
    doc.insert("sections".into(), Value::from(sections));
    doc.insert("section2".into(), Value::from(section2));
    doc.insert("section3".into(), section3);
    doc.insert("section4".into(), section4);
    doc.insert("signature".into(), Value::from(t(report.signature.trim())));
    doc.insert(
        "date".into(),
        report
            .date
            .map_or(Value::Null, |d| Value::from(d.format("%Y-%m-%d").to_string())),
    );
    doc.insert("figures".into(), figures);
    Value::Object(doc)
}

pub(crate) fn to_json(report: &AnnualReport, script: Script) -> Result<Vec<u8>, ExportError> {
    let mut bytes = serde_json::to_vec_pretty(&to_value(report, script))
        .map_err(|e| ExportError::Json(e.to_string()))?;
    bytes.push(b'\n');
    Ok(bytes)
}
