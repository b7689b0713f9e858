//! Catalog trees (目录), one per organisation.

use gongkai_domain::model::{CatalogKind, CatalogNode};
use sqlx::any::AnyRow;
use sqlx::AnyConnection;

use super::util::{bind_all, ints, is_foreign_key_violation, unique_violation, Filter, RowExt};
use super::Store;
use crate::{Result, StoreError};

const CATALOG_COLS: &str = "id, org_id, parent_id, name, sort_order, kind";

fn node_from_row(r: &AnyRow) -> Result<CatalogNode> {
    Ok(CatalogNode {
        id: r.int("id")?,
        org_id: r.int("org_id")?,
        parent_id: r.opt_int("parent_id")?,
        name: r.text("name")?,
        sort_order: r.int("sort_order")?,
        kind: r.code("kind", CatalogKind::parse)?,
    })
}

fn name_conflict(name: &str) -> StoreError {
    StoreError::Conflict {
        field: "name",
        message: format!("同一上级栏目下已有名为“{name}”的栏目"),
    }
}

pub(crate) async fn load_node(conn: &mut AnyConnection, id: i64) -> Result<Option<CatalogNode>> {
    let sql = format!("SELECT {CATALOG_COLS} FROM catalog_nodes WHERE id = $1");
    sqlx::query(&sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .as_ref()
        .map(node_from_row)
        .transpose()
}

/// Is `name` free under `parent_id` in the organisation (ignoring node `except`)?
async fn check_name(
    conn: &mut AnyConnection,
    org_id: i64,
    parent_id: Option<i64>,
    name: &str,
    except: i64,
) -> Result<()> {
    let taken = match parent_id {
        Some(p) => {
            sqlx::query("SELECT id FROM catalog_nodes WHERE org_id = $1 AND parent_id = $2 AND name = $3 AND id <> $4")
                .bind(org_id)
                .bind(p)
                .bind(name)
                .bind(except)
                .fetch_optional(&mut *conn)
                .await?
        }
        None => {
            sqlx::query("SELECT id FROM catalog_nodes WHERE org_id = $1 AND parent_id IS NULL AND name = $2 AND id <> $3")
                .bind(org_id)
                .bind(name)
                .bind(except)
                .fetch_optional(&mut *conn)
                .await?
        }
    };
    if taken.is_some() {
        Err(name_conflict(name))
    } else {
        Ok(())
    }
}

/// The parent must exist in the same organisation.
async fn check_parent(conn: &mut AnyConnection, org_id: i64, parent_id: i64) -> Result<()> {
    match load_node(conn, parent_id).await? {
        Some(p) if p.org_id == org_id => Ok(()),
        _ => Err(StoreError::NotFound("上级栏目")),
    }
}

impl Store {
    /// Errors: Conflict("name") on a duplicate name under the same parent (栏目名称);
    /// NotFound("上级栏目") if the parent is not the organisation's; NotFound("机关").
    pub async fn create_catalog_node(
        &self,
        org_id: i64,
        parent_id: Option<i64>,
        name: &str,
        sort_order: i64,
        kind: CatalogKind,
    ) -> Result<CatalogNode> {
        let mut tx = self.begin().await?;
        if let Some(p) = parent_id {
            check_parent(&mut tx, org_id, p).await?;
        }
        check_name(&mut tx, org_id, parent_id, name, 0).await?;
        let row = sqlx::query(
            "INSERT INTO catalog_nodes (org_id, parent_id, name, sort_order, kind) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(org_id)
        .bind(parent_id)
        .bind(name)
        .bind(sort_order)
        .bind(kind.as_str())
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| {
            if unique_violation(&e).is_some() {
                name_conflict(name)
            } else if is_foreign_key_violation(&e) {
                StoreError::NotFound("机关")
            } else {
                StoreError::Db(e)
            }
        })?;
        let id = row.int("id")?;
        self.commit_for(tx, Some(id)).await?;
        Ok(CatalogNode {
            id,
            org_id,
            parent_id,
            name: name.to_owned(),
            sort_order,
            kind,
        })
    }

    /// Rename, reorder or move a node within its organisation. Errors:
    /// NotFound("栏目"), NotFound("上级栏目"), Conflict("name") on a duplicate
    /// name, Conflict("parent_id") when moving a node under itself or a descendant.
    pub async fn update_catalog_node(
        &self,
        id: i64,
        name: &str,
        sort_order: i64,
        parent_id: Option<i64>,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let node = load_node(&mut tx, id)
            .await?
            .ok_or(StoreError::NotFound("栏目"))?;
        if let Some(p) = parent_id {
            check_parent(&mut tx, node.org_id, p).await?;
            // Walk up from the new parent: meeting the node itself means a cycle.
            let mut cursor = Some(p);
            let mut steps = 0;
            while let Some(c) = cursor {
                if c == id {
                    return Err(StoreError::Conflict {
                        field: "parent_id",
                        message: "不能把栏目移到它自己或其下级栏目之下".to_owned(),
                    });
                }
                steps += 1;
                if steps > 10_000 {
                    return Err(StoreError::Corrupt("栏目层级存在循环".to_owned()));
                }
                cursor = load_node(&mut tx, c).await?.and_then(|n| n.parent_id);
            }
        }
        check_name(&mut tx, node.org_id, parent_id, name, id).await?;
        sqlx::query(
            "UPDATE catalog_nodes SET name = $2, sort_order = $3, parent_id = $4 WHERE id = $1",
        )
        .bind(id)
        .bind(name)
        .bind(sort_order)
        .bind(parent_id)
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            if unique_violation(&e).is_some() {
                name_conflict(name)
            } else {
                StoreError::Db(e)
            }
        })?;
        self.commit(tx).await?;
        Ok(())
    }

    /// Errors: Conflict("catalog") if the node has children or items (栏目); NotFound("栏目").
    pub async fn delete_catalog_node(&self, id: i64) -> Result<()> {
        let mut tx = self.begin().await?;
        let node = load_node(&mut tx, id)
            .await?
            .ok_or(StoreError::NotFound("栏目"))?;
        let children = sqlx::query("SELECT COUNT(*) AS n FROM catalog_nodes WHERE parent_id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?
            .int("n")?;
        if children > 0 {
            return Err(StoreError::Conflict {
                field: "catalog",
                message: format!("栏目“{}”下还有 {children} 个子栏目，不能删除", node.name),
            });
        }
        let items = sqlx::query("SELECT COUNT(*) AS n FROM items WHERE catalog_id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?
            .int("n")?;
        if items > 0 {
            return Err(StoreError::Conflict {
                field: "catalog",
                message: format!("栏目“{}”下还有 {items} 条信息，不能删除", node.name),
            });
        }
        sqlx::query("DELETE FROM catalog_nodes WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// The organisation's catalog, ordered by (sort_order, id).
    pub async fn catalog(&self, org_id: i64) -> Result<Vec<CatalogNode>> {
        self.catalogs(&[org_id]).await
    }

    /// The catalogs of several organisations in one query, ordered by organisation, then
    /// (sort_order, id).
    pub async fn catalogs(&self, org_ids: &[i64]) -> Result<Vec<CatalogNode>> {
        let mut f = Filter::default();
        f.any_of("org_id", ints(org_ids));
        let sql = format!("SELECT {CATALOG_COLS} FROM catalog_nodes{} ORDER BY org_id, sort_order, id", f.sql());
        bind_all(sqlx::query(&sql), &f.args)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(node_from_row)
            .collect()
    }

    pub async fn catalog_node(&self, id: i64) -> Result<Option<CatalogNode>> {
        let mut conn = self.pool.acquire().await?;
        load_node(&mut conn, id).await
    }
}
