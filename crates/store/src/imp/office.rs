//! Back-office storage: settings, sign-off and issue of letters with 文书编号,
//! item reviews, duplicate applications, consultation codes. See `crate::office`.

use chrono::{DateTime, Utc};
use gongkai_domain::application::Step;
use gongkai_domain::signoff::{DocNumberPattern, ReviewLevel, SignoffPolicy};
use sqlx::any::AnyRow;

use super::applications::{append_step_in, application_from_row, check_user, load_letter};
use super::util::{corrupt, day, ts, unique_violation, RowExt};
use crate::applications::{Letter, StoredApplication};
use crate::channels::Consultation;
use crate::office::*;
use crate::{RecentApplication, Result, Store, StoreError, RECENT_APPLICATIONS_LIMIT};

fn letter_conflict(message: &str) -> StoreError {
    StoreError::Conflict { field: "letter", message: message.to_owned() }
}

fn review_from_row(r: &AnyRow) -> Result<ItemReview> {
    let level = r.text("level")?;
    Ok(ItemReview {
        id: r.int("id")?,
        item_id: r.int("item_id")?,
        level: ReviewLevel::parse(&level).ok_or_else(|| corrupt("审核级次", &level))?,
        secrecy_opinion: r.text("secrecy_opinion")?,
        disclosure_opinion: r.text("disclosure_opinion")?,
        reviewer_id: r.int("reviewer_id")?,
        reviewer_name: r.text("reviewer_name")?,
        reviewed_on: r.date("reviewed_on")?,
        superseded: r.flag("superseded")?,
        at: r.time("at")?,
    })
}

impl Store {
    // ---- settings ----

    /// The organisation's settings, or the defaults when none are stored.
    pub async fn office_settings(&self, org_id: i64) -> Result<OfficeSettings> {
        let row = sqlx::query("SELECT signoff_steps, review_levels, doc_number_pattern FROM office_settings WHERE org_id = $1")
            .bind(org_id)
            .fetch_optional(&self.pool)
            .await?;
        let Some(r) = row else { return Ok(OfficeSettings::defaults(org_id)) };
        let steps = r.text("signoff_steps")?;
        let pattern = r.text("doc_number_pattern")?;
        Ok(OfficeSettings {
            org_id,
            signoff: SignoffPolicy::parse(&steps).map_err(|e| corrupt("签发设置", e))?,
            review_levels: u8::try_from(r.int("review_levels")?).map_err(|e| corrupt("审核级次", e))?,
            doc_number_pattern: DocNumberPattern::parse(&pattern).map_err(|e| corrupt("文书编号格式", e))?,
        })
    }

    /// Store the settings (insert or replace). Errors: NotFound("机关").
    pub async fn put_office_settings(&self, s: &OfficeSettings, at: DateTime<Utc>) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO office_settings (org_id, signoff_steps, review_levels, doc_number_pattern, updated_at) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (org_id) DO UPDATE SET signoff_steps = excluded.signoff_steps, \
             review_levels = excluded.review_levels, doc_number_pattern = excluded.doc_number_pattern, \
             updated_at = excluded.updated_at",
        )
        .bind(s.org_id)
        .bind(s.signoff.to_codes())
        .bind(i64::from(s.review_levels))
        .bind(s.doc_number_pattern.as_str())
        .bind(ts(at))
        .execute(&mut *tx)
        .await
        .map_err(|e| if super::util::is_foreign_key_violation(&e) { StoreError::NotFound("机关") } else { StoreError::Db(e) })?;
        self.commit(tx).await?;
        Ok(())
    }

    // ---- letters: held steps, sign-off, numbered issue ----

    /// A new draft letter holding the step it will record when issued (version as in
    /// `create_letter`, counted among drafts of the same kind not yet tied to a step).
    /// Errors: NotFound("申请"); NotFound("用户").
    #[allow(clippy::too_many_arguments)]
    pub async fn create_held_letter(
        &self,
        application_id: i64,
        kind: &str,
        title: &str,
        body_html: &str,
        step: &Step,
        created_by: i64,
        at: DateTime<Utc>,
    ) -> Result<Letter> {
        let json = serde_json::to_string(step).map_err(|e| StoreError::Corrupt(format!("办理记录无法保存：{e}")))?;
        let mut tx = self.begin().await?;
        let r = sqlx::query("UPDATE applications SET steps = steps WHERE id = $1").bind(application_id).execute(&mut *tx).await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::NotFound("申请"));
        }
        check_user(&mut tx, Some(created_by)).await?;
        let version = sqlx::query("SELECT COALESCE(MAX(version), 0) + 1 AS v FROM letters WHERE application_id = $1 AND kind = $2 AND step_key = -1")
            .bind(application_id)
            .bind(kind)
            .fetch_one(&mut *tx)
            .await?
            .int("v")?;
        let row = sqlx::query(
            "INSERT INTO letters (application_id, kind, step_seq, step_key, version, title, body_html, \
             created_by, created_at, issued_by, issued_at, pending_step) \
             VALUES ($1, $2, NULL, -1, $3, $4, $5, $6, $7, NULL, NULL, $8) RETURNING id",
        )
        .bind(application_id)
        .bind(kind)
        .bind(version)
        .bind(title)
        .bind(body_html)
        .bind(created_by)
        .bind(ts(at))
        .bind(&json)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| if unique_violation(&e).is_some() { letter_conflict("该文书已有新版本，请刷新后重试") } else { StoreError::Db(e) })?;
        let letter = load_letter(&mut tx, row.int("id")?).await?.ok_or(StoreError::NotFound("文书"))?;
        self.commit_for(tx, Some(letter.id)).await?;
        Ok(letter)
    }

    /// Record the office head's sign-off on a draft. Conflict("letter") if it is issued
    /// or already signed off. Errors: NotFound("文书"); NotFound("用户").
    pub async fn sign_off_letter(&self, letter_id: i64, user_id: i64, at: DateTime<Utc>) -> Result<Letter> {
        let mut tx = self.begin().await?;
        check_user(&mut tx, Some(user_id)).await?;
        let r = sqlx::query("UPDATE letters SET signed_off_by = $2, signed_off_at = $3 WHERE id = $1 AND issued_at IS NULL AND signed_off_at IS NULL")
            .bind(letter_id)
            .bind(user_id)
            .bind(ts(at))
            .execute(&mut *tx)
            .await?;
        if r.rows_affected() == 0 {
            return Err(match load_letter(&mut tx, letter_id).await? {
                None => StoreError::NotFound("文书"),
                Some(l) if l.issued_at.is_some() => letter_conflict("该文书已出具，不能再签发"),
                Some(_) => letter_conflict("该文书已签发"),
            });
        }
        let letter = load_letter(&mut tx, letter_id).await?.ok_or(StoreError::NotFound("文书"))?;
        self.commit(tx).await?;
        Ok(letter)
    }

    /// Issue a draft in one transaction: freeze it (refused unless signed off when
    /// `require_signoff`), record the held step on the case (Conflict("status") if
    /// another step came first), and allocate the next 文书编号 of the organisation and
    /// year. Nothing is written on any error.
    pub async fn issue_letter_numbered(&self, req: &IssueLetter) -> Result<Letter> {
        let mut tx = self.begin().await?;
        check_user(&mut tx, Some(req.issued_by)).await?;
        let guard = if req.require_signoff { " AND signed_off_at IS NOT NULL" } else { "" };
        let r = sqlx::query(&format!("UPDATE letters SET issued_by = $2, issued_at = $3 WHERE id = $1 AND issued_at IS NULL{guard}"))
            .bind(req.letter_id)
            .bind(req.issued_by)
            .bind(ts(req.at))
            .execute(&mut *tx)
            .await?;
        if r.rows_affected() == 0 {
            return Err(match load_letter(&mut tx, req.letter_id).await? {
                None => StoreError::NotFound("文书"),
                Some(l) if l.issued_at.is_some() => letter_conflict("该文书已出具，不能修改；如需更正请生成新版本"),
                Some(_) => letter_conflict("该文书须经公开工作机构负责人签发后才能出具"),
            });
        }
        let letter = load_letter(&mut tx, req.letter_id).await?.ok_or(StoreError::NotFound("文书"))?;
        if let Some(h) = &req.step {
            let stored = append_step_in(&mut tx, letter.application_id, h.expected_seq, &h.step, h.state_after, h.handler_id, Some(req.issued_by), &h.note, req.at).await?;
            sqlx::query("UPDATE letters SET step_seq = $2, step_key = $2, pending_step = NULL WHERE id = $1")
                .bind(req.letter_id)
                .bind(stored.seq)
                .execute(&mut *tx)
                .await
                .map_err(|e| if unique_violation(&e).is_some() { letter_conflict("该步骤已有同类文书，请刷新后重试") } else { StoreError::Db(e) })?;
        }
        let n = sqlx::query(
            "INSERT INTO doc_number_counters (org_id, year, last_number) VALUES ($1, $2, 1) \
             ON CONFLICT (org_id, year) DO UPDATE SET last_number = doc_number_counters.last_number + 1 \
             RETURNING last_number",
        )
        .bind(req.org_id)
        .bind(i64::from(req.year))
        .fetch_one(&mut *tx)
        .await?
        .int("last_number")?;
        sqlx::query("UPDATE letters SET doc_number = $2 WHERE id = $1")
            .bind(req.letter_id)
            .bind(req.pattern.render(req.year, n))
            .execute(&mut *tx)
            .await?;
        let letter = load_letter(&mut tx, req.letter_id).await?.ok_or(StoreError::NotFound("文书"))?;
        self.commit(tx).await?;
        Ok(letter)
    }

    /// Unissued letters of the organisations (drafts and signed-off ones), oldest first.
    pub async fn letters_in_progress(&self, org_ids: &[i64]) -> Result<Vec<LetterAwaiting>> {
        if org_ids.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (1..=org_ids.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT l.id, l.application_id, a.org_id, a.tracking_code, l.kind, l.title, l.created_at, l.signed_off_at \
             FROM letters l JOIN applications a ON a.id = l.application_id \
             WHERE l.issued_at IS NULL AND a.org_id IN ({}) ORDER BY l.id",
            marks.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for id in org_ids {
            q = q.bind(*id);
        }
        q.fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(LetterAwaiting {
                    letter_id: r.int("id")?,
                    application_id: r.int("application_id")?,
                    org_id: r.int("org_id")?,
                    tracking_code: r.text("tracking_code")?,
                    kind: r.text("kind")?,
                    title: r.text("title")?,
                    created_at: r.time("created_at")?,
                    signed_off: r.opt_text("signed_off_at")?.is_some(),
                })
            })
            .collect()
    }

    // ---- duplicate applications ----

    /// What the duplicate rule compares of the organisation's applications from the same
    /// identity document created at or after `since` (merged ones excluded), newest first,
    /// at most [`RECENT_APPLICATIONS_LIMIT`]: a light query on the submission path, whose
    /// cost does not grow with how many applications one person has made.
    pub async fn recent_applications_of(&self, org_id: i64, id_doc_number: &str, since: DateTime<Utc>) -> Result<Vec<RecentApplication>> {
        let sealer = self.sealer();
        let lookup = sealer.id_doc_lookup(id_doc_number);
        let [blind, legacy] = lookup.as_slice() else {
            return Ok(Vec::new());
        };
        sqlx::query(
            "SELECT id, org_id, applicant_name, id_doc_number, description, created_at FROM applications \
             WHERE org_id = $1 AND id_doc_key IN ($2, $3) AND created_at >= $4 AND merged_into IS NULL \
             ORDER BY id DESC LIMIT $5",
        )
        .bind(org_id)
        .bind(blind)
        .bind(legacy)
        .bind(ts(since))
        .bind(RECENT_APPLICATIONS_LIMIT)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(RecentApplication {
                id: r.int("id")?,
                org_id: r.int("org_id")?,
                applicant_name: r.text("applicant_name")?,
                id_doc_number: sealer.open(crate::data_keys::Field::IdDocNumber, &r.text("id_doc_number")?)?,
                description: r.text("description")?,
                created_at: r.time("created_at")?,
            })
        })
        .collect()
    }

    /// Mark `duplicate` as merged into `keep`, which the domain has allowed
    /// (`gongkai_domain::duplicates::check_merge`). The statement re-checks the
    /// organisation, that the duplicate has no steps and that neither is merged, so a
    /// concurrent change makes it a Conflict("status") and nothing is written.
    pub async fn merge_application(&self, duplicate: i64, keep: i64, by: i64, at: DateTime<Utc>) -> Result<StoredApplication> {
        let mut tx = self.begin().await?;
        check_user(&mut tx, Some(by)).await?;
        let r = sqlx::query(
            "UPDATE applications SET merged_into = $2, merged_by = $3, merged_at = $4, updated_at = $4 \
             WHERE id = $1 AND merged_into IS NULL AND steps = 0 AND id <> $2 \
             AND org_id = (SELECT k.org_id FROM applications k WHERE k.id = $2 AND k.merged_into IS NULL)",
        )
        .bind(duplicate)
        .bind(keep)
        .bind(by)
        .bind(ts(at))
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::Conflict { field: "status", message: "申请已有变化，不能合并，请刷新后重试".to_owned() });
        }
        let sql = format!("SELECT {} FROM applications a WHERE a.id = $1", super::applications::APP_COLS);
        let row = sqlx::query(&sql).bind(duplicate).fetch_one(&mut *tx).await?;
        let app = application_from_row(&row, &self.sealer())?;
        self.commit(tx).await?;
        Ok(app)
    }

    /// Applications merged into `keep`.
    pub async fn merged_into(&self, keep: i64) -> Result<Vec<StoredApplication>> {
        let sql = format!("SELECT {} FROM applications a WHERE a.merged_into = $1 ORDER BY a.id", super::applications::APP_COLS);
        sqlx::query(&sql).bind(keep).fetch_all(&self.pool).await?.iter().map(|r| application_from_row(r, &self.sealer())).collect()
    }

    // ---- consultation codes ----

    /// Attach a 查询码 and the hash of its secret to a consultation.
    /// Conflict("tracking_code") if the code is taken.
    pub async fn set_consultation_code(&self, consultation_id: i64, code: &str, secret_hash: &str) -> Result<()> {
        sqlx::query("INSERT INTO consultation_codes (consultation_id, tracking_code, secret_hash) VALUES ($1, $2, $3)")
            .bind(consultation_id)
            .bind(code)
            .bind(secret_hash)
            .execute(&self.pool)
            .await
            .map_err(|e| match unique_violation(&e) {
                Some(t) if t.contains("tracking_code") => StoreError::Conflict { field: "tracking_code", message: format!("查询码“{code}”已被使用") },
                _ => StoreError::Db(e),
            })?;
        Ok(())
    }

    /// The consultation and its secret hash, by 查询码.
    pub async fn consultation_by_code(&self, code: &str) -> Result<Option<(Consultation, String)>> {
        let row = sqlx::query("SELECT consultation_id, secret_hash FROM consultation_codes WHERE tracking_code = $1")
            .bind(code)
            .fetch_optional(&self.pool)
            .await?;
        let Some(r) = row else { return Ok(None) };
        let hash = r.text("secret_hash")?;
        Ok(self.consultation(r.int("consultation_id")?).await?.map(|c| (c, hash)))
    }

    /// The 查询码 of a consultation, if it has one.
    pub async fn consultation_code(&self, consultation_id: i64) -> Result<Option<String>> {
        Ok(sqlx::query("SELECT tracking_code FROM consultation_codes WHERE consultation_id = $1")
            .bind(consultation_id)
            .fetch_optional(&self.pool)
            .await?
            .map(|r| r.text("tracking_code"))
            .transpose()?)
    }

    // ---- item reviews ----

    /// Record a review. Errors: NotFound("信息") / NotFound("用户").
    pub async fn add_item_review(&self, r: &NewItemReview) -> Result<ItemReview> {
        let mut tx = self.begin().await?;
        let row = sqlx::query(
            "INSERT INTO item_reviews (item_id, level, secrecy_opinion, disclosure_opinion, reviewer_id, reviewer_name, reviewed_on, superseded, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8) RETURNING id",
        )
        .bind(r.item_id)
        .bind(r.level.as_str())
        .bind(&r.secrecy_opinion)
        .bind(&r.disclosure_opinion)
        .bind(r.reviewer_id)
        .bind(&r.reviewer_name)
        .bind(day(r.reviewed_on))
        .bind(ts(r.at))
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| if super::util::is_foreign_key_violation(&e) { StoreError::NotFound("信息") } else { StoreError::Db(e) })?;
        let id = row.int("id")?;
        let row = sqlx::query("SELECT * FROM item_reviews WHERE id = $1").bind(id).fetch_one(&mut *tx).await?;
        let review = review_from_row(&row)?;
        self.commit_for(tx, Some(id)).await?;
        Ok(review)
    }

    /// All reviews of an item, oldest first.
    pub async fn item_reviews(&self, item_id: i64) -> Result<Vec<ItemReview>> {
        sqlx::query("SELECT * FROM item_reviews WHERE item_id = $1 ORDER BY id")
            .bind(item_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(review_from_row)
            .collect()
    }

    /// Mark the current reviews of an item as belonging to an earlier submission.
    pub async fn supersede_item_reviews(&self, item_id: i64) -> Result<()> {
        sqlx::query("UPDATE item_reviews SET superseded = 1 WHERE item_id = $1").bind(item_id).execute(&self.pool).await?;
        Ok(())
    }

    /// The current (not superseded) reviews of the items: (item, level, reviewer).
    pub async fn current_review_levels(&self, item_ids: &[i64]) -> Result<Vec<(i64, ReviewLevel, i64)>> {
        let mut out = Vec::new();
        for id in item_ids {
            for r in self.item_reviews(*id).await? {
                if !r.superseded {
                    out.push((r.item_id, r.level, r.reviewer_id));
                }
            }
        }
        Ok(out)
    }

    /// The display name of a user (the signer shown on a letter).
    pub async fn signer_name(&self, user_id: i64) -> Result<Option<String>> {
        Ok(sqlx::query("SELECT display_name FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?
            .map(|r| r.text("display_name"))
            .transpose()?)
    }
}
