-- Where an attachment's bytes are kept: 'db' (in `content`, the default) or
-- 's3' (in the configured S3-compatible object store under sha256/<digest>;
-- `content` is then empty).
ALTER TABLE attachments ADD COLUMN location TEXT NOT NULL DEFAULT 'db';
