-- +goose Up
-- The variants a newsletter uploaded once (PUT …/content): batches then
-- name variants without carrying them. variant_keys maps each variant ID
-- to its row in variants.
CREATE TABLE newsletter_content (
    newsletter_id TEXT   PRIMARY KEY REFERENCES newsletters (id),
    digest        TEXT   NOT NULL,
    variant_keys  TEXT   NOT NULL,
    created_at    BIGINT NOT NULL
);

-- +goose Down
DROP TABLE newsletter_content;
