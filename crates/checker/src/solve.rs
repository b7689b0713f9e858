//! Table cells run together without separators ("121000013"), solved with the format's own
//! arithmetic: every split of the digit runs into the row's cells (spaces are hard
//! boundaries, no leading zeros, bounded cell width) that satisfies the row total, then the
//! one combination of rows that satisfies the column identities of section 三 (C1, C3). When
//! more than one reading remains the checker says so and lists them; it never guesses.

use crate::tables::{ReadRow, S3_OTHER_2019};
use gongkai_domain::report_format::{format, FormatVersion, RowRole};

/// Widest cell accepted when splitting a run (counts up to 999,999).
const MAX_CELL_DIGITS: usize = 6;
/// At most this many readings of one row are listed.
pub const MAX_CANDIDATES: usize = 32;
/// At most this many combinations of ambiguous rows are tried against the column identities.
const MAX_COMBINATIONS: usize = 50_000;

/// All splits of the digit `tokens` into `n` cells, in order, each token split into one or
/// more whole cells. With `group > 0`, every group of `group` cells must satisfy "the first
/// `group − 1` add up to the last" (row totals; section 四's groups of five). At most `cap`
/// splits are returned; `None` when a token is not a plain digit run.
pub fn splits(tokens: &[&str], n: usize, group: usize, cap: usize) -> Option<Vec<Vec<i64>>> {
    if tokens.is_empty() || tokens.iter().any(|t| t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    let digits: usize = tokens.iter().map(|t| t.len()).sum();
    if digits < n || tokens.len() > n || digits > n * MAX_CELL_DIGITS {
        return None;
    }
    let toks: Vec<&[u8]> = tokens.iter().map(|t| t.as_bytes()).collect();
    let mut out = Vec::new();
    let mut cur = Vec::with_capacity(n);
    rec(&toks, 0, 0, n, group, cap, &mut cur, &mut out);
    Some(out)
}

#[allow(clippy::too_many_arguments)]
fn rec(toks: &[&[u8]], ti: usize, off: usize, n: usize, group: usize, cap: usize, cur: &mut Vec<i64>, out: &mut Vec<Vec<i64>>) {
    if out.len() >= cap {
        return;
    }
    // Token finished: move to the next one.
    if ti < toks.len() && off == toks[ti].len() {
        return rec(toks, ti + 1, 0, n, group, cap, cur, out);
    }
    if ti == toks.len() {
        if cur.len() == n {
            out.push(cur.clone());
        }
        return;
    }
    if cur.len() == n {
        return;
    }
    // Cells still needed must fit the digits left, and every token left needs a cell.
    let left_digits: usize = toks[ti].len() - off + toks[ti + 1..].iter().map(|t| t.len()).sum::<usize>();
    let left_cells = n - cur.len();
    if left_digits < left_cells || toks.len() - ti > left_cells || left_digits > left_cells * MAX_CELL_DIGITS {
        return;
    }
    let tok = toks[ti];
    let max_len = (tok.len() - off).min(MAX_CELL_DIGITS);
    for len in 1..=max_len {
        let part = &tok[off..off + len];
        if len > 1 && part[0] == b'0' {
            break;
        }
        let v = part.iter().fold(0i64, |a, d| a * 10 + i64::from(d - b'0'));
        cur.push(v);
        let ok = group == 0 || cur.len() % group != 0 || {
            let g = &cur[cur.len() - group..];
            g[..group - 1].iter().sum::<i64>() == g[group - 1]
        };
        if ok {
            rec(toks, ti, off + len, n, group, cap, cur, out);
        }
        cur.pop();
        if out.len() >= cap {
            return;
        }
    }
}

/// A row whose reading is not settled.
#[derive(Debug, Clone)]
pub struct Ambiguity {
    pub id: &'static str,
    pub line: usize,
    /// The readings that remain (each a full row).
    pub candidates: Vec<Vec<i64>>,
    /// No combination satisfied the column identities (a defect or a misread elsewhere).
    pub no_fit: bool,
}

/// Chooses among the readings of section 三 rows by the column identities C1 and C3.
/// Settled rows get their values; the rest are returned.
pub fn resolve_section3(rows: &mut [ReadRow], version: FormatVersion) -> Vec<Ambiguity> {
    let amb: Vec<usize> = (0..rows.len()).filter(|&i| rows[i].candidates.len() > 1).collect();
    if amb.is_empty() {
        return Vec::new();
    }
    let fmt = format(version);
    let role_idx = |role: RowRole| fmt.section3_row_with_role(role).and_then(|r| rows.iter().position(|x| x.id == r.id));
    let (recv, cin, total, cout) =
        (role_idx(RowRole::Received), role_idx(RowRole::CarriedIn), role_idx(RowRole::ResultTotal), role_idx(RowRole::CarriedOut));
    let result_rows: Vec<usize> = (0..rows.len())
        .filter(|&i| {
            rows[i].id == S3_OTHER_2019
                || format(FormatVersion::V2021).section3_row(rows[i].id).is_some_and(|s| s.role == RowRole::Result)
        })
        .collect();
    let combos: usize = amb.iter().map(|&i| rows[i].candidates.len()).try_fold(1usize, |a, n| a.checked_mul(n)).unwrap_or(usize::MAX);
    let mut survivors: Vec<Vec<usize>> = Vec::new();
    if combos <= MAX_COMBINATIONS {
        let base: Vec<[i64; 7]> = rows
            .iter()
            .map(|r| {
                let mut v = [0i64; 7];
                for (k, x) in r.values.iter().take(7).enumerate() {
                    v[k] = x.or_zero() as i64;
                }
                v
            })
            .collect();
        let mut choice = vec![0usize; amb.len()];
        loop {
            let mut vals = base.clone();
            for (k, &ri) in amb.iter().enumerate() {
                for (c, x) in rows[ri].candidates[choice[k]].iter().take(7).enumerate() {
                    vals[ri][c] = *x;
                }
            }
            let mut ok = true;
            if let (Some(a), Some(b), Some(t), Some(c)) = (recv, cin, total, cout) {
                ok &= (0..7).all(|col| vals[a][col] + vals[b][col] == vals[t][col] + vals[c][col]);
            }
            if let Some(t) = total {
                if ok && !result_rows.is_empty() {
                    ok &= (0..7).all(|col| result_rows.iter().map(|&r| vals[r][col]).sum::<i64>() == vals[t][col]);
                }
            }
            if ok {
                survivors.push(choice.clone());
            }
            // Next combination.
            let mut k = 0;
            loop {
                if k == amb.len() {
                    break;
                }
                choice[k] += 1;
                if choice[k] < rows[amb[k]].candidates.len() {
                    break;
                }
                choice[k] = 0;
                k += 1;
            }
            if k == amb.len() {
                break;
            }
        }
    }
    let mut out = Vec::new();
    let no_fit = combos <= MAX_COMBINATIONS && survivors.is_empty();
    for (k, &ri) in amb.iter().enumerate() {
        let mut kept: Vec<usize> = survivors.iter().map(|c| c[k]).collect();
        kept.sort_unstable();
        kept.dedup();
        if kept.len() == 1 {
            let v = rows[ri].candidates[kept[0]].clone();
            rows[ri].values = v.into_iter().map(crate::report::Value::Int).collect();
            rows[ri].run_together = true;
            rows[ri].candidates.clear();
            continue;
        }
        let candidates: Vec<Vec<i64>> = if kept.is_empty() {
            rows[ri].candidates.clone()
        } else {
            kept.iter().map(|&c| rows[ri].candidates[c].clone()).collect()
        };
        rows[ri].candidates = candidates.clone();
        rows[ri].values = agreed(&candidates);
        out.push(Ambiguity { id: rows[ri].id, line: rows[ri].line, candidates, no_fit });
    }
    out
}

/// The readings as text ("12、1、0…；1、2、10…") and the columns they differ in.
pub fn describe(candidates: &[Vec<i64>], columns: &[&str]) -> (String, String) {
    let shown: Vec<String> = candidates
        .iter()
        .take(6)
        .map(|c| c.iter().map(|v| v.to_string()).collect::<Vec<_>>().join("、"))
        .collect();
    let mut list = shown.join("；");
    if candidates.len() > 6 {
        list.push_str(&format!("；等共 {} 种", candidates.len()));
    }
    let first = candidates.first().cloned().unwrap_or_default();
    let differ: Vec<String> = (0..first.len())
        .filter(|&c| candidates.iter().any(|x| x.get(c) != first.get(c)))
        .map(|c| format!("“{}”", columns.get(c).copied().unwrap_or("?")))
        .collect();
    (list, differ.join("、"))
}

/// The cells on which all readings agree; the others blank.
pub fn agreed(candidates: &[Vec<i64>]) -> Vec<crate::report::Value> {
    use crate::report::Value;
    let Some(first) = candidates.first() else { return Vec::new() };
    (0..first.len())
        .map(|c| if candidates.iter().all(|x| x.get(c) == first.get(c)) { Value::Int(first[c]) } else { Value::Blank })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_splits() {
        let s = splits(&["121000013"], 7, 7, 32).unwrap();
        assert!(s.contains(&vec![12, 1, 0, 0, 0, 0, 13]));
        assert!(s.contains(&vec![1, 2, 10, 0, 0, 0, 13]));
        assert_eq!(splits(&["2000002"], 7, 7, 32).unwrap(), vec![vec![2, 0, 0, 0, 0, 0, 2]]);
        // Spaces are hard boundaries.
        assert_eq!(splits(&["12", "1", "0000", "13"], 7, 7, 32).unwrap(), vec![vec![12, 1, 0, 0, 0, 0, 13]]);
        assert!(splits(&["12a"], 7, 7, 32).is_none());
        // Section 四: groups of five.
        let s = splits(&["100010001100000"], 15, 5, 32).unwrap();
        assert_eq!(s, vec![vec![1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]]);
        // "1210012" into groups of five: 1+2+1+0 ≠ 0 … only splits whose groups add up.
        let s = splits(&["11002", "00000", "00000"], 15, 5, 32).unwrap();
        assert_eq!(s, vec![vec![1, 1, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]]);
    }
}
