package activitytypes

import (
	"time"
)

// PruneInput says what a scheduled prune of the artifact store keeps.
type PruneInput struct {
	// KeepEditions is how many of the newest editions keep their
	// artifacts (at least 1).
	KeepEditions int `json:"keep_editions"`
	// MinAge keeps every artifact younger than this (default 24h).
	MinAge time.Duration `json:"min_age,omitempty"`
	// CacheMaxAge deletes cached model replies last used longer ago than
	// this (default: the store's DefaultCacheMaxAge).
	CacheMaxAge time.Duration `json:"cache_max_age,omitempty"`
	// WorkflowType names the runs whose editions are kept while they run.
	WorkflowType string `json:"workflow_type"`
	// IDPrefix is the prefix of those runs' workflow IDs before the
	// edition.
	IDPrefix string `json:"id_prefix"`
}
