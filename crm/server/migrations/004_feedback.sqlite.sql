-- +goose Up
-- Bounces and complaints that came back for sent deliveries: from the
-- inbound DSN/ARF listener or a provider's webhook. event_id identifies
-- the event at its source, so a redelivered event is recorded once.
CREATE TABLE delivery_feedback (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id   INTEGER REFERENCES deliveries (id),
    newsletter_id TEXT   NOT NULL DEFAULT '',
    address       TEXT   NOT NULL,
    kind          TEXT   NOT NULL,
    source        TEXT   NOT NULL,
    event_id      TEXT   NOT NULL,
    detail        TEXT   NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL,
    UNIQUE (source, event_id)
);
CREATE INDEX delivery_feedback_address ON delivery_feedback (address, kind);
CREATE INDEX delivery_feedback_newsletter ON delivery_feedback (newsletter_id, kind);

-- Addresses no newsletter goes to any more: a hard bounce, a complaint,
-- or too many soft bounces. Unlike an unsubscribe, the contact did not
-- ask; lifting a suppression is an operator's decision.
CREATE TABLE suppressions (
    address       TEXT   PRIMARY KEY,
    reason        TEXT   NOT NULL,
    detail        TEXT   NOT NULL DEFAULT '',
    newsletter_id TEXT   NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL
);

-- Keys the CRM made for itself, shared by the processes of one database:
-- "verp" signs the return-path tokens, so a bounce cannot be forged for
-- a delivery by anyone who has not received it.
CREATE TABLE crm_secrets (
    name       TEXT   PRIMARY KEY,
    value      TEXT   NOT NULL,
    created_at BIGINT NOT NULL
);

-- +goose Down
DROP TABLE crm_secrets;
DROP TABLE suppressions;
DROP TABLE delivery_feedback;
