//! Art. 44 (《条例》第四十四条): when several applicants ask the same organisation for the same
//! government information, the organisation may make it proactively disclosed. This module
//! finds groups of similar applications for staff to consider, proposes a title for the draft
//! item, and writes the sentence the annual report's narrative carries about the outcomes.
//!
//! Similarity is the Dice coefficient of the character bigrams of the descriptions after the
//! request formulae ("申请公开", "请提供", …) and punctuation are removed. Two applications are
//! linked when they are at least `threshold` similar and received within `window_days` calendar
//! days of each other; groups are the connected sets with enough distinct applicants.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The settings (configurable per installation).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Art44Config {
    /// Applications further apart than this many calendar days are not linked.
    pub window_days: i64,
    /// A group needs at least this many distinct applicants.
    pub min_applicants: usize,
    /// Bigram Dice similarity in 0..=1 from which two descriptions count as the same request.
    pub threshold: f64,
}

impl Default for Art44Config {
    fn default() -> Self {
        Art44Config { window_days: 180, min_applicants: 2, threshold: 0.45 }
    }
}

/// An application as the suggestion needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub id: i64,
    pub org_id: i64,
    pub received: NaiveDate,
    pub description: String,
    /// Identifies the applicant (e.g. a hash of the identity document); only compared.
    pub applicant_key: String,
}

/// A group of similar applications to the same organisation.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    pub org_id: i64,
    /// Ascending.
    pub application_ids: Vec<i64>,
    pub applicants: usize,
    pub first_received: NaiveDate,
    pub last_received: NaiveDate,
    /// The lowest similarity between linked members, for display.
    pub min_similarity: f64,
    /// The proposed title of the draft item.
    pub proposed_title: String,
}

/// Words that say "please disclose" rather than what is asked for.
const FORMULAE: [&str; 16] = [
    "申请公开", "请求公开", "要求公开", "申请获取", "请提供", "请公开", "申请提供", "本人", "我想了解", "我想查询",
    "希望公开", "相关的", "相关", "有关", "政府信息", "的信息",
];

/// The description reduced to what is asked for.
pub fn normalise(description: &str) -> String {
    let mut s: String = description.chars().filter(|c| c.is_alphanumeric()).collect::<String>().to_lowercase();
    for f in FORMULAE {
        s = s.replace(f, "");
    }
    s
}

fn bigrams(s: &str) -> HashSet<(char, char)> {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() == 1 {
        return [(chars[0], ' ')].into_iter().collect();
    }
    chars.windows(2).map(|w| (w[0], w[1])).collect()
}

/// Dice similarity of the two descriptions' bigrams, 0..=1 (0 when either is empty).
pub fn similarity(a: &str, b: &str) -> f64 {
    let (x, y) = (bigrams(&normalise(a)), bigrams(&normalise(b)));
    if x.is_empty() || y.is_empty() {
        return 0.0;
    }
    // Dice coefficient: 2·|x∩y| / (|x|+|y|).
    2.0 * x.intersection(&y).count() as f64 / (x.len() + y.len()) as f64
}

fn find(parent: &mut [usize], i: usize) -> usize {
    let mut r = i;
    while parent[r] != r {
        r = parent[r];
    }
    let mut i = i;
    while parent[i] != r {
        let next = parent[i];
        parent[i] = r;
        i = next;
    }
    r
}

/// Groups of similar applications. `decided` holds application ids already part of a decided
/// suggestion: they are left out. Groups come ordered by size (largest first), then by the
/// latest application.
pub fn suggest(requests: &[Request], decided: &HashSet<i64>, config: &Art44Config) -> Vec<Suggestion> {
    let open: Vec<&Request> = requests.iter().filter(|r| !decided.contains(&r.id)).collect();
    let n = open.len();
    let mut parent: Vec<usize> = (0..n).collect();
    let mut min_sim: HashMap<(usize, usize), f64> = HashMap::new();
    for i in 0..n {
        for j in (i + 1)..n {
            let (a, b) = (open[i], open[j]);
            if a.org_id != b.org_id || (a.received - b.received).num_days().abs() > config.window_days {
                continue;
            }
            let s = similarity(&a.description, &b.description);
            if s >= config.threshold {
                let (ra, rb) = (find(&mut parent, i), find(&mut parent, j));
                if ra != rb {
                    parent[ra] = rb;
                }
                min_sim.insert((i, j), s);
            }
        }
    }
    let mut groups: HashMap<usize, Vec<usize>> = HashMap::new();
    for i in 0..n {
        let root = find(&mut parent, i);
        groups.entry(root).or_default().push(i);
    }
    let mut out: Vec<Suggestion> = groups
        .into_values()
        .filter_map(|members| {
            let applicants: BTreeSet<&str> = members.iter().map(|&i| open[i].applicant_key.as_str()).collect();
            if members.len() < 2 || applicants.len() < config.min_applicants.max(2) {
                return None;
            }
            let set: HashSet<usize> = members.iter().copied().collect();
            let least = min_sim
                .iter()
                .filter(|((i, j), _)| set.contains(i) && set.contains(j))
                .map(|(_, s)| *s)
                .fold(1.0_f64, f64::min);
            // The most central description names the group best.
            let central = members
                .iter()
                .copied()
                .max_by(|&a, &b| {
                    let score = |x: usize| members.iter().filter(|&&y| y != x).map(|&y| similarity(&open[x].description, &open[y].description)).sum::<f64>();
                    score(a).total_cmp(&score(b)).then(open[b].id.cmp(&open[a].id))
                })
                .unwrap_or(members[0]);
            let mut ids: Vec<i64> = members.iter().map(|&i| open[i].id).collect();
            ids.sort_unstable();
            Some(Suggestion {
                org_id: open[members[0]].org_id,
                application_ids: ids,
                applicants: applicants.len(),
                first_received: members.iter().map(|&i| open[i].received).min().unwrap_or_default(),
                last_received: members.iter().map(|&i| open[i].received).max().unwrap_or_default(),
                min_similarity: least,
                proposed_title: proposed_title(&open[central].description),
            })
        })
        .collect();
    out.sort_by(|a, b| b.application_ids.len().cmp(&a.application_ids.len()).then(b.last_received.cmp(&a.last_received)));
    out
}

/// A title for the draft item from an application's description: the request formula and
/// trailing punctuation removed, at most 60 characters.
pub fn proposed_title(description: &str) -> String {
    let mut s = description.trim().to_string();
    for prefix in ["申请公开", "请求公开", "要求公开", "请公开", "请提供", "申请提供", "申请获取", "我想了解", "希望公开"] {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = rest.trim_start_matches(['：', ':', '，', ',', ' ']).to_string();
            break;
        }
    }
    let first: String = s.split(['。', '\n', '；', ';']).next().unwrap_or("").trim().trim_end_matches(['，', ',', '、']).to_string();
    let title: String = first.chars().take(60).collect();
    if title.is_empty() {
        "依申请公开转主动公开的政府信息".to_string()
    } else {
        title
    }
}

/// What the annual report says about Art. 44 in a year.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Art44Figures {
    /// Groups of applications for the same information that staff assessed in the year.
    pub groups_assessed: u64,
    /// Of which turned into draft items for proactive disclosure.
    pub groups_drafted: u64,
    /// Applications in the assessed groups.
    pub applications: u64,
    /// Items created from the groups and published (by the time of drafting).
    pub items_published: u64,
}

/// The narrative sentence on Art. 44 for 一、总体情况（二）, or None when nothing was assessed.
pub fn narrative_sentence(year: i32, me: &str, f: &Art44Figures) -> Option<String> {
    if f.groups_assessed == 0 {
        return None;
    }
    let mut s = format!(
        "{year}年，{me}对多个申请人申请公开相同政府信息的情况进行了评估，共{}组（涉及申请{}件）",
        f.groups_assessed, f.applications
    );
    if f.groups_drafted > 0 {
        s.push_str(&format!("，依据《条例》第四十四条将其中{}组纳入主动公开范围", f.groups_drafted));
        if f.items_published > 0 {
            s.push_str(&format!("，已主动公开{}条", f.items_published));
        } else {
            s.push_str("，相关信息正在办理主动公开");
        }
    }
    let kept = f.groups_assessed - f.groups_drafted.min(f.groups_assessed);
    if kept > 0 {
        s.push_str(&format!("；{kept}组经评估不宜纳入主动公开范围"));
    }
    s.push('。');
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(id: i64, org: i64, day: &str, text: &str, who: &str) -> Request {
        Request { id, org_id: org, received: NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap(), description: text.into(), applicant_key: who.into() }
    }

    #[test]
    fn similar_requests_group_and_formulae_do_not_count() {
        assert!(similarity("申请公开源潭镇2023年农村危房改造补助名单", "请提供源潭镇2023年度农村危房改造补助对象名单") > 0.45);
        // Only the request formula in common: not the same information.
        assert!(similarity("申请公开源潭镇2023年农村危房改造补助名单", "申请公开源潭镇河道采砂许可文件") < 0.45);
        assert_eq!(similarity("", "任何"), 0.0);
    }

    #[test]
    fn groups_need_distinct_applicants_same_org_and_window() {
        let reqs = vec![
            req(1, 1, "2024-03-01", "申请公开源潭镇2023年农村危房改造补助名单", "a"),
            req(2, 1, "2024-03-20", "请提供源潭镇2023年度农村危房改造补助对象名单", "b"),
            req(3, 1, "2024-04-02", "源潭镇2023年农村危房改造补助名单及金额", "c"),
            // Same text, other organisation: not grouped with the above.
            req(4, 2, "2024-03-02", "申请公开源潭镇2023年农村危房改造补助名单", "d"),
            // Same applicant twice: one applicant only.
            req(5, 1, "2024-05-01", "申请公开镇区停车场收费标准", "e"),
            req(6, 1, "2024-05-02", "申请公开镇区停车场收费标准文件", "e"),
            // Outside the window.
            req(7, 1, "2025-06-01", "申请公开源潭镇2023年农村危房改造补助名单", "f"),
        ];
        let out = suggest(&reqs, &HashSet::new(), &Art44Config::default());
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].application_ids, vec![1, 2, 3]);
        assert_eq!(out[0].applicants, 3);
        assert!(out[0].proposed_title.contains("农村危房改造补助"), "{}", out[0].proposed_title);
        assert!(!out[0].proposed_title.starts_with("申请公开"));
        // Decided applications are left out; two remain, still a group of two applicants.
        let decided: HashSet<i64> = [1].into_iter().collect();
        let out = suggest(&reqs, &decided, &Art44Config::default());
        assert_eq!(out[0].application_ids, vec![2, 3]);
        let strict = Art44Config { min_applicants: 3, ..Default::default() };
        assert!(suggest(&reqs, &decided, &strict).is_empty());
    }

    #[test]
    fn narrative_states_outcomes() {
        assert_eq!(narrative_sentence(2024, "我镇", &Art44Figures::default()), None);
        let s = narrative_sentence(2024, "我镇", &Art44Figures { groups_assessed: 3, groups_drafted: 2, applications: 7, items_published: 1 }).unwrap();
        assert_eq!(s, "2024年，我镇对多个申请人申请公开相同政府信息的情况进行了评估，共3组（涉及申请7件），依据《条例》第四十四条将其中2组纳入主动公开范围，已主动公开1条；1组经评估不宜纳入主动公开范围。");
    }
}
