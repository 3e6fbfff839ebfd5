package browsertest

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"
)

// Click loads url in headless Chromium, clicks the element matching
// selector with the mouse, as a person would, waits for the page that
// follows (a form's POST answer, say) and returns its DOM. It drives
// Chromium over the DevTools protocol on a pipe, so the page's own
// Content-Security-Policy applies to everything the page does.
func Click(t testing.TB, url, selector string, opts ...Option) string {
	t.Helper()
	r := newRun(opts)
	bin := Chromium(t)
	profile, err := os.MkdirTemp("", "browsertest-profile-")
	if err != nil {
		t.Fatalf("chromium profile: %v", err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(profile) })
	ctx, cancel := context.WithTimeout(context.Background(), r.timeout)
	defer cancel()
	toChrome, ourEnd, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	fromChrome, chromeEnd, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
		"--no-first-run", "--no-default-browser-check", "--mute-audio", "--user-data-dir="+profile,
		fmt.Sprintf("--window-size=%d,%d", r.width, r.height), "--remote-debugging-pipe", "about:blank")
	cmd.ExtraFiles = []*os.File{toChrome, chromeEnd} // fd 3: commands in, fd 4: replies out
	setProcessGroup(cmd)
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	toChrome.Close()
	chromeEnd.Close()
	c := newCDP(ourEnd, fromChrome)
	defer func() {
		_, _ = c.call(ctx, "", "Browser.close", nil)
		ourEnd.Close()
		_ = cmd.Wait()
		fromChrome.Close()
	}()
	dom, err := c.clickFlow(ctx, url, selector, r.before)
	if err != nil {
		t.Fatalf("chromium click %s on %s: %v", selector, url, err)
	}
	return dom
}

type cdp struct {
	w      *os.File
	mu     sync.Mutex
	next   int
	wait   map[int]chan cdpMsg
	events chan cdpMsg
}

type cdpMsg struct {
	ID        int             `json:"id,omitempty"`
	Method    string          `json:"method,omitempty"`
	SessionID string          `json:"sessionId,omitempty"`
	Params    any             `json:"params,omitempty"`
	Result    json.RawMessage `json:"result,omitempty"`
	Error     *struct {
		Message string `json:"message"`
	} `json:"error,omitempty"`
}

func newCDP(w, r *os.File) *cdp {
	c := &cdp{w: w, wait: map[int]chan cdpMsg{}, events: make(chan cdpMsg, 256)}
	go func() {
		br := bufio.NewReader(r)
		for {
			raw, err := br.ReadBytes(0)
			if err != nil {
				close(c.events)
				return
			}
			var m cdpMsg
			if json.Unmarshal(raw[:len(raw)-1], &m) != nil {
				continue
			}
			if m.ID != 0 {
				c.mu.Lock()
				ch := c.wait[m.ID]
				delete(c.wait, m.ID)
				c.mu.Unlock()
				if ch != nil {
					ch <- m
				}
				continue
			}
			select {
			case c.events <- m:
			default: // events nobody waits for are dropped
			}
		}
	}()
	return c
}

func (c *cdp) call(ctx context.Context, session, method string, params any) (json.RawMessage, error) {
	c.mu.Lock()
	c.next++
	id := c.next
	ch := make(chan cdpMsg, 1)
	c.wait[id] = ch
	b, _ := json.Marshal(cdpMsg{ID: id, Method: method, SessionID: session, Params: params})
	_, err := c.w.Write(append(b, 0))
	c.mu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", method, err)
	}
	select {
	case m := <-ch:
		if m.Error != nil {
			return nil, fmt.Errorf("%s: %s", method, m.Error.Message)
		}
		return m.Result, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("%s: %w", method, ctx.Err())
	}
}

func (c *cdp) waitEvent(ctx context.Context, method string) error {
	for {
		select {
		case m, ok := <-c.events:
			if !ok {
				return fmt.Errorf("chromium closed while waiting for %s", method)
			}
			if m.Method == method {
				return nil
			}
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w", method, ctx.Err())
		}
	}
}

func (c *cdp) clickFlow(ctx context.Context, url, selector string, before []step) (string, error) {
	var target struct {
		TargetID string `json:"targetId"`
	}
	res, err := c.call(ctx, "", "Target.createTarget", map[string]any{"url": "about:blank"})
	if err != nil {
		return "", err
	}
	_ = json.Unmarshal(res, &target)
	var att struct {
		SessionID string `json:"sessionId"`
	}
	if res, err = c.call(ctx, "", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}); err != nil {
		return "", err
	}
	_ = json.Unmarshal(res, &att)
	s := att.SessionID
	if _, err := c.call(ctx, s, "Page.enable", nil); err != nil {
		return "", err
	}
	if _, err := c.call(ctx, s, "Page.navigate", map[string]any{"url": url}); err != nil {
		return "", err
	}
	if err := c.waitEvent(ctx, "Page.loadEventFired"); err != nil {
		return "", err
	}
	for _, st := range before {
		if err := c.clickOn(ctx, s, st.selector); err != nil {
			return "", err
		}
		if st.text == nil {
			continue
		}
		if _, err := c.call(ctx, s, "Input.dispatchKeyEvent", map[string]any{"type": "keyDown", "key": "a", "code": "KeyA",
			"modifiers": 2, "commands": []string{"selectAll"}}); err != nil {
			return "", err
		}
		if _, err := c.call(ctx, s, "Input.dispatchKeyEvent", map[string]any{"type": "keyUp", "key": "a", "code": "KeyA", "modifiers": 2}); err != nil {
			return "", err
		}
		if _, err := c.call(ctx, s, "Input.insertText", map[string]any{"text": *st.text}); err != nil {
			return "", err
		}
	}
	if err := c.clickOn(ctx, s, selector); err != nil {
		return "", err
	}
	if err := c.waitEvent(ctx, "Page.loadEventFired"); err != nil {
		return "", err
	}
	var box struct {
		Result struct {
			Value string `json:"value"`
		} `json:"result"`
	}
	if res, err = c.call(ctx, s, "Runtime.evaluate", map[string]any{"expression": "document.documentElement.outerHTML", "returnByValue": true}); err != nil {
		return "", err
	}
	_ = json.Unmarshal(res, &box)
	return box.Result.Value, nil
}

// clickOn scrolls the element matching selector into view and clicks its
// middle with the mouse.
func (c *cdp) clickOn(ctx context.Context, session, selector string) error {
	var box struct {
		Result struct {
			Value string `json:"value"`
		} `json:"result"`
	}
	expr := fmt.Sprintf(`(() => { const e = document.querySelector(%q); if (!e) return ""; e.scrollIntoView({block: "center"}); const r = e.getBoundingClientRect(); return JSON.stringify({x: r.x + r.width/2, y: r.y + r.height/2}); })()`, selector)
	res, err := c.call(ctx, session, "Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true})
	if err != nil {
		return err
	}
	_ = json.Unmarshal(res, &box)
	if box.Result.Value == "" {
		return fmt.Errorf("no element matches %s", selector)
	}
	var at struct{ X, Y float64 }
	_ = json.Unmarshal([]byte(box.Result.Value), &at)
	for _, typ := range []string{"mouseMoved", "mousePressed", "mouseReleased"} {
		if _, err := c.call(ctx, session, "Input.dispatchMouseEvent", map[string]any{"type": typ, "x": at.X, "y": at.Y, "button": "left", "clickCount": 1}); err != nil {
			return err
		}
	}
	return nil
}
