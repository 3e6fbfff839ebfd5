-- +goose Up
-- The links of each variant, rewritten to /r/<token> when tracking is on.
-- position is the link's place in the variant's HTML (-1: the open pixel);
-- category is the section it came from ('' outside any section).
CREATE TABLE links (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    newsletter_id TEXT    NOT NULL REFERENCES newsletters (id),
    variant_key   TEXT    NOT NULL REFERENCES variants (key),
    position      INTEGER NOT NULL,
    url           TEXT    NOT NULL,
    category      TEXT    NOT NULL DEFAULT '',
    created_at    BIGINT  NOT NULL,
    UNIQUE (variant_key, position)
);
CREATE INDEX links_newsletter ON links (newsletter_id);

-- Clicks per link and UTC day (YYYY-MM-DD). No recipient is kept here.
CREATE TABLE link_clicks (
    link_id BIGINT NOT NULL REFERENCES links (id),
    day     TEXT   NOT NULL,
    clicks  BIGINT NOT NULL,
    PRIMARY KEY (link_id, day)
);

-- Opens (pixel loads) per newsletter, UTC day and kind: machine opens are
-- privacy proxies prefetching and loads within a second of sending.
CREATE TABLE open_counts (
    newsletter_id TEXT    NOT NULL REFERENCES newsletters (id),
    day           TEXT    NOT NULL,
    machine       BOOLEAN NOT NULL,
    opens         BIGINT  NOT NULL,
    PRIMARY KEY (newsletter_id, day, machine)
);

-- Unique clicks and opens without recipients: a visitor is a hash of the
-- client's address and user agent under a salt that changes every UTC day
-- and is never stored, so it cannot be traced back to a reader. scope is
-- "click", "click:<category>" or "open".
CREATE TABLE visitors (
    newsletter_id TEXT NOT NULL REFERENCES newsletters (id),
    scope         TEXT NOT NULL,
    visitor       TEXT NOT NULL,
    PRIMARY KEY (newsletter_id, scope, visitor)
);

-- Written only with individual tracking (TRACKING_INDIVIDUAL=true): which
-- delivery, and so which recipient, clicked or opened.
CREATE TABLE recipient_clicks (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    link_id     BIGINT NOT NULL REFERENCES links (id),
    delivery_id BIGINT NOT NULL REFERENCES deliveries (id),
    clicked_at  BIGINT NOT NULL
);
CREATE INDEX recipient_clicks_link ON recipient_clicks (link_id);

CREATE TABLE recipient_opens (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id BIGINT  NOT NULL REFERENCES deliveries (id),
    machine     BOOLEAN NOT NULL,
    opened_at   BIGINT  NOT NULL
);
CREATE INDEX recipient_opens_delivery ON recipient_opens (delivery_id);

-- +goose Down
DROP TABLE recipient_opens;
DROP TABLE recipient_clicks;
DROP TABLE visitors;
DROP TABLE open_counts;
DROP TABLE link_clicks;
DROP TABLE links;
