//! Server-rendered HTML with minijinja. Templates are compiled into the
//! binary; output is HTML-escaped unless a value is explicitly marked safe
//! (only sanitised 正文 is).

use std::sync::OnceLock;

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use minijinja::{AutoEscape, Environment, Value};

use crate::error::AppError;

macro_rules! templates {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../templates/", $name)))),*]
    };
}

const TEMPLATES: &[(&str, &str)] = templates!(
    "portal_base.html",
    // E-mail notifications (issue 14).
    "admin_outbox.html",
    "admin_notifications.html",
    "admin_base.html",
    "error.html",
    "portal_home.html",
    "portal_org.html",
    "portal_column.html",
    "portal_item.html",
    "portal_guide.html",
    "portal_reports.html",
    "portal_contact.html",
    "admin_login.html",
    // Security (issue 12): the personal-data guard.
    "admin_privacy.html",
    "admin_privacy_review.html",
    "admin_dashboard.html",
    "admin_items.html",
    "admin_item.html",
    "admin_item_form.html",
    "admin_catalog.html",
    "admin_users.html",
    "admin_reveal_grants.html",
    "admin_org.html",
    "admin_orgs.html",
    "admin_calendar.html",
    "admin_audit.html",
    "admin_vocabularies.html",
    "admin_art44.html",
    "admin_password.html",
    "admin_login_mfa.html",
    "admin_mfa.html",
    "_org_fields.html",
    "admin_report_check.html",
    "portal_apply.html",
    "portal_receipt.html",
    "portal_track.html",
    "portal_track_result.html",
    "admin_applications.html",
    "admin_application_new.html",
    "admin_application.html",
    "admin_letter.html",
    "admin_appeals.html",
    "admin_statistics.html",
    "admin_reports.html",
    "admin_report.html",
    "admin_report_figures.html",
    "admin_report_rollup.html",
    "portal_report.html",
    // Past annual reports imported from their published files (issue 14).
    "admin_report_import.html",
    "admin_import.html",
    "portal_past_report.html",
    "portal_consult.html",
    "portal_consult_done.html",
    // back office (issue 15): consultation tracking, sign-off settings
    "portal_consult_track.html",
    "portal_consult_answer.html",
    "admin_office_settings.html",
    "_consult_dashboard.html",
    "admin_consultations.html",
    "admin_consultation.html",
    "admin_consultation_stats.html",
    "admin_consultation_convert.html",
    "admin_channels.html",
    "admin_keywork.html",
    "admin_submissions.html",
    "admin_boards.html",
    "portal_led.html",
    "board_sheet.html",
    "kiosk_base.html",
    "kiosk_home.html",
    "kiosk_org.html",
    "kiosk_list.html",
    "kiosk_item.html",
    "portal_search.html",
    "admin_search_stats.html",
    // portal conventions (issue 16)
    "portal_sitemap.html",
    "admin_site.html",
    "admin_interpretations.html",
    "kiosk_start.html",
);

fn build() -> Result<Environment<'static>, minijinja::Error> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|name| if name.ends_with(".html") { AutoEscape::Html } else { AutoEscape::None });
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
    // Escape &, <, >, " and ' only: '/' stays readable in 索引号 and URLs.
    // A missing value prints nothing.
    env.set_formatter(|out, state, value| {
        if value.is_none() || value.is_undefined() {
            Ok(())
        } else if state.auto_escape() == AutoEscape::Html && !value.is_safe() {
            let text = value.to_string();
            let mut escaped = String::with_capacity(text.len());
            for c in text.chars() {
                match c {
                    '&' => escaped.push_str("&amp;"),
                    '<' => escaped.push_str("&lt;"),
                    '>' => escaped.push_str("&gt;"),
                    '"' => escaped.push_str("&quot;"),
                    '\'' => escaped.push_str("&#39;"),
                    c => escaped.push(c),
                }
            }
            out.write_str(&escaped).map_err(|e| minijinja::Error::new(minijinja::ErrorKind::WriteFailure, e.to_string()))
        } else {
            minijinja::escape_formatter(out, state, value)
        }
    });
    // The site identity of the current request (portal conventions, issue 16).
    env.add_function("site", crate::portal::site::current);
    for (name, source) in TEMPLATES {
        env.add_template(name, source)?;
    }
    Ok(env)
}

/// The template environment (built once).
pub fn environment() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| match build() {
        Ok(env) => env,
        // Templates are compiled in; a broken one is a build defect caught by the tests.
        Err(e) => panic!("embedded template failed to compile: {e:#}"),
    })
}

/// Render a template to an HTML response.
pub fn page(name: &str, ctx: Value) -> Result<Response, AppError> {
    page_with_status(StatusCode::OK, name, ctx)
}

pub fn page_with_status(status: StatusCode, name: &str, ctx: Value) -> Result<Response, AppError> {
    let tmpl = environment().get_template(name)?;
    let html = tmpl.render(ctx)?;
    Ok((status, Html(html)).into_response())
}

/// The error page; falls back to plain text if even that fails.
pub fn error_page(status: StatusCode, title: &str, message: &str) -> Response {
    let ctx = minijinja::context! { title, message, status => status.as_u16() };
    match environment().get_template("error.html").and_then(|t| t.render(ctx)) {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (status, format!("{title}：{message}")).into_response(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn all_templates_compile() {
        super::build().expect("templates compile");
    }

    #[test]
    fn output_is_escaped_but_slashes_stay() {
        let mut env = super::build().expect("env");
        env.add_template("t.html", "{{ v }}|{{ s }}|{{ n }}").expect("template");
        let out = env
            .get_template("t.html")
            .and_then(|t| t.render(minijinja::context! { v => "<b a=\"x\">'&/2023-1", s => minijinja::Value::from_safe_string("<p>ok</p>".into()), n => () }))
            .expect("render");
        assert_eq!(out, "&lt;b a=&quot;x&quot;&gt;&#39;&amp;/2023-1|<p>ok</p>|");
    }
}
