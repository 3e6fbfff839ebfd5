-- +goose Up
-- Web reads of update pages, counted without cookies and without storing
-- addresses. A visitor is hash(salt of the day, address, user agent); the
-- salt and the hashes are deleted when the day is over, so no visitor can
-- be recognised across days, and the address itself is never written.

-- The salt of each UTC day (YYYY-MM-DD) still open; random, never derived.
CREATE TABLE view_salts (
    day  TEXT PRIMARY KEY,
    salt TEXT NOT NULL
);

-- Visitors seen today per update, by hash only.
CREATE TABLE view_visitors (
    day       TEXT   NOT NULL,
    update_id BIGINT NOT NULL,
    visitor   TEXT   NOT NULL,
    PRIMARY KEY (day, update_id, visitor)
);

-- The counts that stay: page views and unique visitors per update per day.
CREATE TABLE update_views (
    update_id BIGINT NOT NULL,
    day       TEXT   NOT NULL,
    views     BIGINT NOT NULL DEFAULT 0,
    uniques   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (update_id, day)
);
