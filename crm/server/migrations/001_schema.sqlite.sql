-- +goose Up
-- Times are Unix milliseconds, so both dialects compare them the same way.
CREATE TABLE contacts (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    email             TEXT    NOT NULL UNIQUE,
    name              TEXT    NOT NULL DEFAULT '',
    segments          TEXT    NOT NULL DEFAULT '[]',
    attributes        TEXT    NOT NULL DEFAULT '{}',
    subscribed        BOOLEAN NOT NULL DEFAULT TRUE,
    unsubscribe_token TEXT    NOT NULL UNIQUE,
    unsubscribed_at   BIGINT,
    created_at        BIGINT  NOT NULL,
    updated_at        BIGINT  NOT NULL
);

-- contacts.segments is what a recipient shows; this table is what segment
-- filters search.
CREATE TABLE contact_segments (
    segment    TEXT    NOT NULL,
    contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    PRIMARY KEY (segment, contact_id)
);
CREATE INDEX contact_segments_contact ON contact_segments (contact_id);

CREATE TABLE newsletters (
    id         TEXT   PRIMARY KEY,
    first_seen BIGINT NOT NULL
);

-- One row per distinct variant content of a newsletter: key is the SHA-256
-- of newsletter ID, variant ID and content.
CREATE TABLE variants (
    key           TEXT   PRIMARY KEY,
    newsletter_id TEXT   NOT NULL REFERENCES newsletters (id),
    variant_id    TEXT   NOT NULL,
    subject       TEXT   NOT NULL,
    preheader     TEXT   NOT NULL DEFAULT '',
    html_body     TEXT   NOT NULL DEFAULT '',
    text_body     TEXT   NOT NULL DEFAULT '',
    fallbacks     TEXT   NOT NULL DEFAULT '{}',
    created_at    BIGINT NOT NULL
);

CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    newsletter_id   TEXT    NOT NULL REFERENCES newsletters (id),
    address         TEXT    NOT NULL,
    contact_id      INTEGER REFERENCES contacts (id),
    name            TEXT    NOT NULL DEFAULT '',
    variant_key     TEXT    REFERENCES variants (key),
    merge           TEXT    NOT NULL DEFAULT '{}',
    own_subject     TEXT    NOT NULL DEFAULT '',
    own_html        TEXT    NOT NULL DEFAULT '',
    own_text        TEXT    NOT NULL DEFAULT '',
    status          TEXT    NOT NULL,
    smtp_message_id TEXT    NOT NULL DEFAULT '',
    error           TEXT    NOT NULL DEFAULT '',
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT  NOT NULL,
    locked_until    BIGINT  NOT NULL DEFAULT 0,
    created_at      BIGINT  NOT NULL,
    sent_at         BIGINT,
    UNIQUE (newsletter_id, address)
);
CREATE INDEX deliveries_queue ON deliveries (next_attempt_at, id) WHERE status = 'queued';
CREATE INDEX deliveries_newsletter ON deliveries (newsletter_id, id);

CREATE TABLE idempotency_keys (
    key            TEXT    PRIMARY KEY,
    request_sha256 TEXT    NOT NULL,
    status         TEXT    NOT NULL,
    response_code  INTEGER NOT NULL DEFAULT 0,
    response       TEXT    NOT NULL DEFAULT '',
    created_at     BIGINT  NOT NULL,
    updated_at     BIGINT  NOT NULL
);
