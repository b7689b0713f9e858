//! Public attachment downloads with validators and byte ranges: the ETag is
//! the file's SHA-256 (so a 304 costs nothing), and a single `Range` is served
//! as 206 by reading only that part, from the database or the object store —
//! a large PDF can be resumed or opened page by page.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use gongkai_domain::model::Attachment;

use crate::error::AppError;
use crate::AppState;

/// A requested byte range, inclusive, already clamped to the file.
#[derive(Debug, PartialEq, Eq)]
enum Wanted {
    All,
    Part(u64, u64),
    Unsatisfiable,
}

/// Read one `bytes=` range; several ranges or anything odd means the whole
/// file (which RFC 9110 allows a server to answer instead).
fn wanted(headers: &HeaderMap, size: u64) -> Wanted {
    let Some(spec) = headers.get(header::RANGE).and_then(|v| v.to_str().ok()) else { return Wanted::All };
    let Some(spec) = spec.trim().strip_prefix("bytes=") else { return Wanted::All };
    if spec.contains(',') {
        return Wanted::All;
    }
    let Some((a, b)) = spec.split_once('-') else { return Wanted::All };
    let (a, b) = (a.trim(), b.trim());
    let (start, end) = match (a.parse::<u64>(), b.parse::<u64>()) {
        (Ok(s), Ok(e)) if s <= e => (s, e.min(size.saturating_sub(1))),
        (Ok(_), Ok(_)) => return Wanted::All,
        (Ok(s), Err(_)) if b.is_empty() => (s, size.saturating_sub(1)),
        (Err(_), Ok(n)) if a.is_empty() => {
            if n == 0 {
                return Wanted::Unsatisfiable;
            }
            (size.saturating_sub(n), size.saturating_sub(1))
        }
        _ => return Wanted::All,
    };
    if size == 0 || start >= size {
        return Wanted::Unsatisfiable;
    }
    Wanted::Part(start, end)
}

fn etag_of(a: &Attachment) -> String {
    format!("\"{}\"", a.sha256)
}

/// Answer a download of a public attachment.
pub async fn serve(state: &AppState, a: &Attachment, headers: &HeaderMap) -> Result<Response, AppError> {
    let etag = etag_of(a);
    let size = u64::try_from(a.size).unwrap_or(0);
    if let Some(inm) = headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) {
        if inm.split(',').map(str::trim).any(|t| t == "*" || t == etag || t.strip_prefix("W/") == Some(etag.as_str())) {
            let mut res = StatusCode::NOT_MODIFIED.into_response();
            finish(&mut res, a, &etag);
            return Ok(res);
        }
    }
    // `If-Range` with another validator: the client's part is stale, send all.
    let range_ok = headers.get(header::IF_RANGE).and_then(|v| v.to_str().ok()).is_none_or(|v| v.trim() == etag);
    let want = if range_ok { wanted(headers, size) } else { Wanted::All };
    let mut res = match want {
        Wanted::All => {
            let bytes = state.store.attachment_content(a.id).await?.ok_or(AppError::NotFound)?;
            crate::portal::attachment_response(a, bytes)
        }
        Wanted::Part(start, end) => {
            let bytes = state.store.attachment_range(a.id, start, end).await?.ok_or(AppError::NotFound)?;
            let mut res = crate::portal::attachment_response(a, bytes);
            *res.status_mut() = StatusCode::PARTIAL_CONTENT;
            if let Ok(v) = HeaderValue::from_str(&format!("bytes {start}-{end}/{size}")) {
                res.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            res
        }
        Wanted::Unsatisfiable => {
            let mut res = (StatusCode::RANGE_NOT_SATISFIABLE, "请求的范围超出了文件大小").into_response();
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{size}")) {
                res.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            res
        }
    };
    finish(&mut res, a, &etag);
    Ok(res)
}

fn finish(res: &mut Response, _a: &Attachment, etag: &str) {
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(etag) {
        h.insert(header::ETAG, v);
    }
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    // Public while the item is published: revalidate (cheap) before each use.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, no-cache"));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(v: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::RANGE, HeaderValue::from_static(v));
        h
    }

    #[test]
    fn ranges() {
        assert_eq!(wanted(&HeaderMap::new(), 100), Wanted::All);
        assert_eq!(wanted(&range("bytes=0-9"), 100), Wanted::Part(0, 9));
        assert_eq!(wanted(&range("bytes=90-"), 100), Wanted::Part(90, 99));
        assert_eq!(wanted(&range("bytes=-10"), 100), Wanted::Part(90, 99));
        assert_eq!(wanted(&range("bytes=-500"), 100), Wanted::Part(0, 99));
        assert_eq!(wanted(&range("bytes=50-5000"), 100), Wanted::Part(50, 99));
        assert_eq!(wanted(&range("bytes=100-"), 100), Wanted::Unsatisfiable);
        assert_eq!(wanted(&range("bytes=-0"), 100), Wanted::Unsatisfiable);
        assert_eq!(wanted(&range("bytes=0-1,5-6"), 100), Wanted::All);
        assert_eq!(wanted(&range("bytes=9-1"), 100), Wanted::All);
        assert_eq!(wanted(&range("items=0-1"), 100), Wanted::All);
        assert_eq!(wanted(&range("bytes=x-y"), 100), Wanted::All);
    }
}
