//! Organisations (机关).

use gongkai_domain::model::{DisclosureOffice, OrgLevel, Organisation};
use sqlx::any::AnyRow;
use sqlx::AnyConnection;

use super::util::{bind_all, ints, unique_violation, Filter, RowExt};
use super::Store;
use crate::{NewOrganisation, Result, StoreError};

const ORG_COLS: &str =
    "id, slug, name, org_code, level, parent_id, office_name, office_address, office_hours, \
     office_phone, office_fax, office_email, office_website, index_pattern, description";

fn org_from_row(r: &AnyRow) -> Result<Organisation> {
    Ok(Organisation {
        id: r.int("id")?,
        slug: r.text("slug")?,
        name: r.text("name")?,
        org_code: r.text("org_code")?,
        level: r.code("level", OrgLevel::parse)?,
        parent_id: r.opt_int("parent_id")?,
        office: DisclosureOffice {
            name: r.text("office_name")?,
            address: r.text("office_address")?,
            hours: r.text("office_hours")?,
            phone: r.text("office_phone")?,
            fax: r.text("office_fax")?,
            email: r.text("office_email")?,
            website: r.text("office_website")?,
        },
        index_pattern: r.text("index_pattern")?,
        description: r.text("description")?,
    })
}

fn slug_conflict(slug: &str) -> StoreError {
    StoreError::Conflict {
        field: "slug",
        message: format!("标识“{slug}”已被其他机关使用"),
    }
}

fn org_code_conflict(code: &str) -> StoreError {
    StoreError::Conflict {
        field: "org_code",
        message: format!("机构代码“{code}”已被其他机关使用"),
    }
}

/// Map a write error: unique violations to the field's conflict.
fn write_error(e: sqlx::Error, slug: &str, org_code: &str) -> StoreError {
    match unique_violation(&e) {
        Some(t) if t.contains("slug") => slug_conflict(slug),
        Some(t) if t.contains("org_code") => org_code_conflict(org_code),
        _ => StoreError::Db(e),
    }
}

/// Check slug and org_code are free (ignoring organisation `except`).
async fn check_unique(
    conn: &mut AnyConnection,
    except: Option<i64>,
    slug: &str,
    org_code: &str,
) -> Result<()> {
    let except = except.unwrap_or(0);
    let taken = sqlx::query("SELECT id FROM organisations WHERE slug = $1 AND id <> $2")
        .bind(slug)
        .bind(except)
        .fetch_optional(&mut *conn)
        .await?;
    if taken.is_some() {
        return Err(slug_conflict(slug));
    }
    let taken = sqlx::query("SELECT id FROM organisations WHERE org_code = $1 AND id <> $2")
        .bind(org_code)
        .bind(except)
        .fetch_optional(&mut *conn)
        .await?;
    if taken.is_some() {
        return Err(org_code_conflict(org_code));
    }
    Ok(())
}

async fn org_exists(conn: &mut AnyConnection, id: i64) -> Result<bool> {
    Ok(sqlx::query("SELECT id FROM organisations WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .is_some())
}

/// The organisation and its descendants (unordered). UNION (not UNION ALL)
/// stops at cycles, should the data ever contain one.
async fn subtree(conn: &mut AnyConnection, id: i64) -> Result<Vec<i64>> {
    let rows = sqlx::query(
        "WITH RECURSIVE sub(id) AS ( \
             SELECT id FROM organisations WHERE id = $1 \
             UNION SELECT o.id FROM organisations o JOIN sub ON o.parent_id = sub.id) \
         SELECT id FROM sub ORDER BY id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(|r| r.int("id")).collect()
}

impl Store {
    /// Errors: Conflict("slug") on a duplicate slug (标识), Conflict("org_code") on a
    /// duplicate org_code (机构代码); NotFound("上级机关").
    pub async fn create_org(&self, new: &NewOrganisation) -> Result<Organisation> {
        let mut tx = self.begin().await?;
        check_unique(&mut tx, None, &new.slug, &new.org_code).await?;
        if let Some(parent) = new.parent_id {
            if !org_exists(&mut tx, parent).await? {
                return Err(StoreError::NotFound("上级机关"));
            }
        }
        let o = &new.office;
        let row = sqlx::query(
            "INSERT INTO organisations (slug, name, org_code, level, parent_id, office_name, office_address, \
             office_hours, office_phone, office_fax, office_email, office_website, index_pattern, description) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
        )
        .bind(&new.slug)
        .bind(&new.name)
        .bind(&new.org_code)
        .bind(new.level.as_str())
        .bind(new.parent_id)
        .bind(&o.name)
        .bind(&o.address)
        .bind(&o.hours)
        .bind(&o.phone)
        .bind(&o.fax)
        .bind(&o.email)
        .bind(&o.website)
        .bind(&new.index_pattern)
        .bind(&new.description)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| write_error(e, &new.slug, &new.org_code))?;
        let id = row.int("id")?;
        self.commit_for(tx, Some(id)).await?;
        Ok(Organisation {
            id,
            slug: new.slug.clone(),
            name: new.name.clone(),
            org_code: new.org_code.clone(),
            level: new.level,
            parent_id: new.parent_id,
            office: new.office.clone(),
            index_pattern: new.index_pattern.clone(),
            description: new.description.clone(),
        })
    }

    /// Updates every field but id. Errors: NotFound("机关"); the same conflicts
    /// as [`Store::create_org`]; Conflict("parent_id") if the new parent is the
    /// organisation itself or one of its descendants.
    pub async fn update_org(&self, org: &Organisation) -> Result<()> {
        let mut tx = self.begin().await?;
        if !org_exists(&mut tx, org.id).await? {
            return Err(StoreError::NotFound("机关"));
        }
        check_unique(&mut tx, Some(org.id), &org.slug, &org.org_code).await?;
        if let Some(parent) = org.parent_id {
            if !org_exists(&mut tx, parent).await? {
                return Err(StoreError::NotFound("上级机关"));
            }
            if subtree(&mut tx, org.id).await?.contains(&parent) {
                return Err(StoreError::Conflict {
                    field: "parent_id",
                    message: "上级机关不能是本机关或其下级机关".to_owned(),
                });
            }
        }
        let o = &org.office;
        sqlx::query(
            "UPDATE organisations SET slug = $2, name = $3, org_code = $4, level = $5, parent_id = $6, \
             office_name = $7, office_address = $8, office_hours = $9, office_phone = $10, office_fax = $11, \
             office_email = $12, office_website = $13, index_pattern = $14, description = $15 WHERE id = $1",
        )
        .bind(org.id)
        .bind(&org.slug)
        .bind(&org.name)
        .bind(&org.org_code)
        .bind(org.level.as_str())
        .bind(org.parent_id)
        .bind(&o.name)
        .bind(&o.address)
        .bind(&o.hours)
        .bind(&o.phone)
        .bind(&o.fax)
        .bind(&o.email)
        .bind(&o.website)
        .bind(&org.index_pattern)
        .bind(&org.description)
        .execute(&mut *tx)
        .await
        .map_err(|e| write_error(e, &org.slug, &org.org_code))?;
        self.commit(tx).await?;
        Ok(())
    }

    pub async fn org(&self, id: i64) -> Result<Option<Organisation>> {
        let sql = format!("SELECT {ORG_COLS} FROM organisations WHERE id = $1");
        sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(org_from_row)
            .transpose()
    }

    /// The organisations with these ids that exist, ordered by id, in one query.
    pub async fn orgs_by_ids(&self, ids: &[i64]) -> Result<Vec<Organisation>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut f = Filter::default();
        f.any_of("id", ints(ids));
        let sql = format!("SELECT {ORG_COLS} FROM organisations{} ORDER BY id", f.sql());
        bind_all(sqlx::query(&sql), &f.args).fetch_all(&self.pool).await?.iter().map(org_from_row).collect()
    }

    pub async fn org_by_slug(&self, slug: &str) -> Result<Option<Organisation>> {
        let sql = format!("SELECT {ORG_COLS} FROM organisations WHERE slug = $1");
        sqlx::query(&sql)
            .bind(slug)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(org_from_row)
            .transpose()
    }

    /// All organisations ordered by id.
    pub async fn orgs(&self) -> Result<Vec<Organisation>> {
        let sql = format!("SELECT {ORG_COLS} FROM organisations ORDER BY id");
        sqlx::query(&sql)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(org_from_row)
            .collect()
    }

    /// The organisation and all its descendants' ids (the organisation first,
    /// then the descendants by id). Errors: NotFound("机关").
    pub async fn org_subtree_ids(&self, id: i64) -> Result<Vec<i64>> {
        let mut conn = self.pool.acquire().await?;
        let ids = subtree(&mut conn, id).await?;
        if !ids.contains(&id) {
            return Err(StoreError::NotFound("机关"));
        }
        let mut out = Vec::with_capacity(ids.len());
        out.push(id);
        out.extend(ids.into_iter().filter(|&i| i != id));
        Ok(out)
    }
}
