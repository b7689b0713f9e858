-- Reveal grants (issue 12), sqlite flavour. Keep in step with ../postgres/0018_reveal_grants.sql.
--
-- A supervising organisation sees a subordinate organisation's applications with the
-- applicant's personal data masked. The subordinate organisation's security administrator
-- (安全管理员) may grant holders of a named role at a supervising organisation the right to
-- reveal it: one row per (organisation, grantee organisation, role). Granting and revoking
-- are audited in the same transaction.
CREATE TABLE reveal_grants (
    org_id          INTEGER NOT NULL REFERENCES organisations (id),
    grantee_org_id  INTEGER NOT NULL REFERENCES organisations (id),
    role            TEXT NOT NULL,
    granted_by      INTEGER NOT NULL REFERENCES users (id),
    granted_at      TEXT NOT NULL,
    PRIMARY KEY (org_id, grantee_org_id, role),
    CHECK (org_id <> grantee_org_id)
);
