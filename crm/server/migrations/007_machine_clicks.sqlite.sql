-- +goose Up
-- Clicks of link scanners (mail security gateways following every link
-- of a message as it arrives) per link and UTC day, counted apart from
-- readers' clicks in link_clicks. A count may be written negative to
-- link_clicks when clicks already written turn out to be a scanner's.
CREATE TABLE link_machine_clicks (
    link_id INTEGER NOT NULL REFERENCES links (id),
    day     TEXT    NOT NULL,
    clicks  INTEGER NOT NULL,
    PRIMARY KEY (link_id, day)
);

ALTER TABLE recipient_clicks ADD COLUMN machine BOOLEAN NOT NULL DEFAULT FALSE;

-- The sections of each newsletter, in the order of its variants' HTML,
-- so a report lists sections nobody clicked, and sections without links.
CREATE TABLE newsletter_sections (
    newsletter_id TEXT    NOT NULL REFERENCES newsletters (id),
    category      TEXT    NOT NULL,
    position      INTEGER NOT NULL,
    PRIMARY KEY (newsletter_id, category)
);

-- +goose Down
DROP TABLE newsletter_sections;
ALTER TABLE recipient_clicks DROP COLUMN machine;
DROP TABLE link_machine_clicks;
