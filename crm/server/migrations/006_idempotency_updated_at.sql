-- +goose Up
-- The hourly prune deletes idempotency keys by updated_at; without an
-- index it reads every key the CRM holds (a week of batches).
CREATE INDEX idempotency_keys_updated_at ON idempotency_keys (updated_at);

-- +goose Down
DROP INDEX idempotency_keys_updated_at;
