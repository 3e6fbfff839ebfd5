package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/halcytone/contentgen/approvals"
	"github.com/halcytone/contentgen/approvals/token"
	"github.com/halcytone/contentgen/workflows"
)

// networkValues is a repeatable network=value flag.
type networkValues struct {
	pairs [][2]string
	want  string // e.g. "network=text"
}

func (f *networkValues) String() string { return "" }

func (f *networkValues) Set(v string) error {
	network, value, ok := strings.Cut(v, "=")
	if !ok || strings.TrimSpace(network) == "" {
		return fmt.Errorf("want %s", f.want)
	}
	f.pairs = append(f.pairs, [2]string{strings.ToLower(strings.TrimSpace(network)), value})
	return nil
}

func runSocialEdit(ctx context.Context, e *Env, args []string) error {
	fs := flags(e, "social edit", "Change an edition's social posts while it awaits approval, with your approve token from the proof:\n"+
		"rewrite a post, or turn one on or off. The edition changes: approvals so far no longer count and a\n"+
		"new proof goes out to every approver, which needs approving. Each post must keep its link to the update.",
		"starter social edit --edition 2026-W48 --by ana@example.com --token v1.… --text 'mastodon=Sleep mode is here https://…' --post x=off")
	d := registerDecision(e, fs, "approve", approvals.Mint)
	texts := &networkValues{want: "network=text, e.g. mastodon='Sleep mode is here https://…'"}
	posts := &networkValues{want: "network=on or network=off, e.g. x=off"}
	fs.Var(texts, "text", "network=text: the post's new text (repeatable)")
	fs.Var(posts, "post", "network=on|off: post it, or keep it a draft (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	edits, err := socialEditsFrom(texts, posts)
	if err != nil {
		return err
	}
	c, id, tok, err := d.open(ctx, e, token.ActionApprove)
	if err != nil {
		return err
	}
	defer c.Close()
	msg, err := approvals.EditSocial(ctx, c, id, "", *d.by, tok, edits)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "%s: %s\n", id, msg)
	return nil
}

// socialEditsFrom merges --text and --post into one edit per network.
func socialEditsFrom(texts, posts *networkValues) ([]workflows.SocialEdit, error) {
	var edits []workflows.SocialEdit
	at := func(network string) *workflows.SocialEdit {
		for i := range edits {
			if edits[i].Network == network {
				return &edits[i]
			}
		}
		edits = append(edits, workflows.SocialEdit{Network: network})
		return &edits[len(edits)-1]
	}
	for _, p := range texts.pairs {
		if strings.TrimSpace(p[1]) == "" {
			return nil, fmt.Errorf("--text %s= is empty: give the post's new text, or --post %s=off to keep it a draft", p[0], p[0])
		}
		at(p[0]).Text = p[1]
	}
	for _, p := range posts.pairs {
		var on bool
		switch strings.ToLower(strings.TrimSpace(p[1])) {
		case "on", "true", "yes":
			on = true
		case "off", "false", "no":
		default:
			return nil, fmt.Errorf("--post %s=%s: want on or off", p[0], p[1])
		}
		at(p[0]).Post = &on
	}
	if len(edits) == 0 {
		return nil, fmt.Errorf("nothing to change: give --text network=… or --post network=on|off")
	}
	return edits, nil
}
