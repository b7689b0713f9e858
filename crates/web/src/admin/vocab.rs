//! 主题分类 and 体裁分类 vocabularies: the defaults shipped as data files
//! (`crates/web/data/topics.txt`, `genres.txt`), per-organisation lists edited by administrators.

use gongkai_store::writing::VocabularyKind;

use super::*;

const DEFAULT_TOPICS: &str = include_str!("../../data/topics.txt");
const DEFAULT_GENRES: &str = include_str!("../../data/genres.txt");

/// Most terms in one list, and the longest term.
const MAX_TERMS: usize = 200;
const MAX_TERM_CHARS: usize = 50;

/// The terms of a list file or textarea: one per line, `#` comments and blank lines skipped,
/// duplicates dropped (first kept).
pub(super) fn parse_terms(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        if !out.iter().any(|t| t == line) {
            out.push(line.to_string());
        }
    }
    out
}

pub(super) fn default_terms(kind: VocabularyKind) -> Vec<String> {
    parse_terms(match kind {
        VocabularyKind::Topic => DEFAULT_TOPICS,
        VocabularyKind::Genre => DEFAULT_GENRES,
    })
}

/// The organisation's list, or the default one.
pub(super) async fn terms(state: &AppState, org_id: i64, kind: VocabularyKind) -> Result<Vec<String>, AppError> {
    Ok(match state.store.vocabulary(org_id, kind).await? {
        Some(t) => t,
        None => default_terms(kind),
    })
}

/// Check an edited list; errors are Chinese messages.
pub(super) fn check_terms(label: &str, terms: &[String]) -> Result<(), String> {
    if terms.len() > MAX_TERMS {
        return Err(format!("{label}最多 {MAX_TERMS} 项，实际 {} 项", terms.len()));
    }
    if let Some(t) = terms.iter().find(|t| t.chars().count() > MAX_TERM_CHARS) {
        return Err(format!("{label}中的“{t}”超过 {MAX_TERM_CHARS} 字"));
    }
    Ok(())
}

#[derive(Deserialize)]
pub(super) struct VocabForm {
    #[serde(default)]
    topics: String,
    #[serde(default)]
    genres: String,
    /// "default" restores both default lists.
    #[serde(default)]
    reset: String,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

async fn vocab_view(state: &AppState, staff: &Staff, topics: String, genres: String, msg: Option<&str>, err: Option<&str>, status: StatusCode) -> Result<Response, AppError> {
    let custom_topics = state.store.vocabulary(staff.org.id, VocabularyKind::Topic).await?.is_some();
    let custom_genres = state.store.vocabulary(staff.org.id, VocabularyKind::Genre).await?.is_some();
    render::page_with_status(
        status,
        "admin_vocabularies.html",
        context! {
            staff => staff.ctx(), site_name => state.config.site_name,
            topics, genres, custom_topics, custom_genres, msg, err,
            max_terms => MAX_TERMS,
        },
    )
}

pub(super) async fn vocab_page(State(state): State<AppState>, staff: Staff, Query(q): Query<MessageQuery>) -> Result<Response, AppError> {
    staff.require(Role::Admin)?;
    let topics = terms(&state, staff.org.id, VocabularyKind::Topic).await?.join("\n");
    let genres = terms(&state, staff.org.id, VocabularyKind::Genre).await?.join("\n");
    vocab_view(&state, &staff, topics, genres, q.msg.as_deref(), q.err.as_deref(), StatusCode::OK).await
}

pub(super) async fn vocab_save(State(state): State<AppState>, staff: Staff, Form(form): Form<VocabForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    staff.require(Role::Admin)?;
    if form.reset == "default" {
        let store = staff.audited(&state, "vocabulary.reset", &format!("org:{}", staff.org.id), "主题分类、体裁分类恢复默认词表");
        store.set_vocabularies(staff.org.id, &[(VocabularyKind::Topic, &[]), (VocabularyKind::Genre, &[])]).await?;
        return Ok(Redirect::to(&format!("/admin/vocabularies?msg={}", crate::util::url_encode("已恢复默认词表"))).into_response());
    }
    let topics = parse_terms(&form.topics);
    let genres = parse_terms(&form.genres);
    let problem = if topics.is_empty() || genres.is_empty() {
        Some("词表不能为空：每行填写一项；如需恢复默认词表，请点击“恢复默认”".to_string())
    } else {
        check_terms("主题分类", &topics).and_then(|_| check_terms("体裁分类", &genres)).err()
    };
    if let Some(e) = problem {
        return vocab_view(&state, &staff, form.topics, form.genres, None, Some(&e), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    // Saving the default list unchanged keeps following the default.
    let store_list = |kind, list: &Vec<String>| if *list == default_terms(kind) { Vec::new() } else { list.clone() };
    let store = staff.audited(&state, "vocabulary.update", &format!("org:{}", staff.org.id), &format!("主题分类 {} 项，体裁分类 {} 项", topics.len(), genres.len()));
    let (topic_list, genre_list) = (store_list(VocabularyKind::Topic, &topics), store_list(VocabularyKind::Genre, &genres));
    store.set_vocabularies(staff.org.id, &[(VocabularyKind::Topic, &topic_list), (VocabularyKind::Genre, &genre_list)]).await?;
    Ok(Redirect::to(&format!("/admin/vocabularies?msg={}", crate::util::url_encode("分类词表已保存"))).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_national_lists() {
        let topics = default_terms(VocabularyKind::Topic);
        assert_eq!(topics.first().map(String::as_str), Some("综合政务"));
        assert_eq!(topics.len(), 21);
        let genres = default_terms(VocabularyKind::Genre);
        for g in ["决议", "命令（令）", "纪要", "通知", "其他"] {
            assert!(genres.iter().any(|x| x == g), "{g}");
        }
        assert_eq!(parse_terms("# 注释\n a \n\nb\na\n"), vec!["a".to_string(), "b".to_string()]);
        assert!(check_terms("主题分类", &["很".repeat(51)]).is_err());
    }
}
