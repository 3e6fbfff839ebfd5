-- +goose Up
-- Times are Unix milliseconds, so both dialects compare them the same way.
-- tags and sections are JSON arrays kept as text.
CREATE TABLE updates (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    slug            TEXT   NOT NULL UNIQUE,
    title           TEXT   NOT NULL,
    summary         TEXT   NOT NULL DEFAULT '',
    body_html       TEXT   NOT NULL,
    body_markdown   TEXT   NOT NULL DEFAULT '',
    tags            TEXT   NOT NULL DEFAULT '[]',
    edition         TEXT   NOT NULL,
    source_revision TEXT   NOT NULL DEFAULT '',
    sections        TEXT   NOT NULL DEFAULT '[]',
    content_hash    TEXT   NOT NULL,
    published_at    BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX updates_edition ON updates (edition);

-- The reply owed to a repeated Idempotency-Key; only successful requests
-- leave a row.
CREATE TABLE idempotency_keys (
    key            TEXT    PRIMARY KEY,
    request_sha256 TEXT    NOT NULL,
    response_code  INTEGER NOT NULL,
    response       TEXT    NOT NULL,
    created_at     BIGINT  NOT NULL
);
