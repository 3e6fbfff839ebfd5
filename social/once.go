package social

import (
	"context"
	"fmt"
)

// Poster is a network client as Once uses it.
type Poster interface {
	// Post publishes p. key identifies the post across attempts; networks
	// with idempotency keys send it, the others ignore it.
	Post(ctx context.Context, key string, p Post) (Result, error)
	// Find looks through the account's recent posts for one linking to
	// marker (the edition's web update URL).
	Find(ctx context.Context, marker string) (Result, bool, error)
}

// Journal records, durably and before any request goes out, that a post
// is about to be made.
type Journal interface {
	// Intend records the intent to post under key and reports whether an
	// earlier attempt had already recorded it, and so may have posted.
	Intend(ctx context.Context, key string) (earlier bool, err error)
}

// Once posts p exactly once: it records the intent, and when an earlier
// attempt had recorded it (a crash, a timeout, a lost reply) it first looks
// for the post by its link and returns the one it finds. found says the
// post was already there.
func Once(ctx context.Context, n Poster, j Journal, key string, p Post) (res Result, found bool, err error) {
	if p.Link == "" {
		return Result{}, false, fmt.Errorf("post %s has no link: the edition's web update URL is the marker that keeps posting exactly once", key)
	}
	earlier, err := j.Intend(ctx, key)
	if err != nil {
		return Result{}, false, fmt.Errorf("record intent to post %s: %w", key, err)
	}
	if earlier {
		res, ok, err := n.Find(ctx, p.Link)
		if err != nil {
			return Result{}, false, err
		}
		if ok {
			return res, true, nil
		}
	}
	res, err = n.Post(ctx, key, p)
	return res, false, err
}
