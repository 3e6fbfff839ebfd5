-- +goose Up
-- Usage figures the newsletter may quote, in display order.
CREATE TABLE stats (
    key        TEXT             PRIMARY KEY,
    label      TEXT             NOT NULL,
    value      DOUBLE PRECISION NOT NULL,
    unit       TEXT             NOT NULL DEFAULT '',
    position   INTEGER          NOT NULL DEFAULT 0,
    updated_at BIGINT           NOT NULL
);

-- Sample figures so a fresh Platform has something to show; replace them
-- with real ones (platform serve -stats FILE, or Server.SetStats).
INSERT INTO stats (key, label, value, unit, position, updated_at) VALUES
    ('active_breathers',         'Active breathers',             12480,   'people',   1, 1767225600000),
    ('sessions_completed_week',  'Sessions completed this week', 48210,   'sessions', 2, 1767225600000),
    ('minutes_breathed',         'Minutes breathed',             1920500, 'minutes',  3, 1767225600000),
    ('devices_shipped',          'Devices shipped',              3150,    'devices',  4, 1767225600000);
