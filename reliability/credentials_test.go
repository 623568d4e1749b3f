package reliability_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/conversations-go/conversations"
	fs "github.com/conversations-go/conversations/internal/faultserver"
)

// TestRedirectNeverLeavesHost: whatever the redirect status and method, the
// API host's redirects to another host (another port, another name for the
// same address, another scheme) are refused before anything is sent there.
func TestRedirectNeverLeavesHost(t *testing.T) {
	a, b := fs.New(), fs.New()
	defer a.Close()
	defer b.Close()
	aPort := a.URL[strings.LastIndexByte(a.URL, ':')+1:]
	targets := map[string]string{
		"other port":             b.URL,
		"other name, same addr":  "http://localhost:" + aPort,
		"other scheme":           "https://127.0.0.1:" + aPort,
		"scheme-relative other":  "//localhost:" + aPort,
		"userinfo to other host": "http://user:pass@localhost:" + aPort,
	}
	for _, auth := range []string{"auth token", "API key"} {
		var opts []conversations.Option
		if auth == "API key" {
			opts = append(opts, conversations.WithAPIKey(apiKeySID, apiSecret))
		}
		c, _ := newClient(t, a.URL, testPolicy, opts...)
		for name, target := range targets {
			for _, status := range []int{301, 302, 303, 307, 308} {
				for _, o := range []op{opFetch, opCreate, opDelete} {
					a.Reset()
					b.Reset()
					a.Push(fs.Redirect(status, target+"/v1/Conversations/"+convSID), fs.OK())
					err := o.run(context.Background(), c)
					if !errors.Is(err, conversations.ErrForeignRedirect) {
						t.Errorf("%s, %s, %d, %s: got %v, want ErrForeignRedirect", auth, name, status, o.name, err)
					}
					if a.Requests() != 1 || b.Requests() != 0 {
						t.Errorf("%s, %s, %d, %s: A got %d requests, B %d; want 1 and 0", auth, name, status, o.name, a.Requests(), b.Requests())
					}
					if strings.Contains(err.Error(), authToken) {
						t.Errorf("error text holds the auth token: %v", err)
					}
				}
			}
		}
	}
}

// TestForeignNextPageURL: a list whose next_page_url points anywhere but the
// API host (scheme, host and port) stops with ErrForeignPageURL and never
// contacts that host; a next page on the API host is followed.
func TestForeignNextPageURL(t *testing.T) {
	a, b := fs.New(), fs.New()
	defer a.Close()
	defer b.Close()
	aHostPort := strings.TrimPrefix(a.URL, "http://")
	aPort := aHostPort[strings.LastIndexByte(aHostPort, ':')+1:]
	page := func(next string) fs.Fault {
		return fs.Respond(200, fmt.Sprintf(`{"conversations":[{"sid":"CH00000000000000000000000000000000"}],"meta":{"page":0,"page_size":1,"key":"conversations","next_page_url":%q}}`, next))
	}
	c, _ := newClient(t, a.URL, testPolicy)
	for _, next := range []string{
		b.URL + "/v1/Conversations?PageSize=1&Page=1",
		"http://localhost:" + aPort + "/v1/Conversations?Page=1",
		"https://" + aHostPort + "/v1/Conversations?Page=1",
		"http://user:" + authToken + "@" + aHostPort + "/v1/Conversations?Page=1",
		"//" + strings.TrimPrefix(b.URL, "http://") + "/v1/Conversations?Page=1",
		"/v1/Conversations?Page=1",
		"javascript:alert(1)",
		"file:///etc/passwd",
		"http://" + aHostPort + "@" + strings.TrimPrefix(b.URL, "http://") + "/v1/Conversations",
	} {
		a.Reset()
		b.Reset()
		a.Push(page(next))
		n := 0
		var err error
		for _, e := range c.Conversations.List(context.Background(), &conversations.ConversationListParams{PageSize: 1}) {
			if e != nil {
				err = e
				break
			}
			n++
		}
		if n != 1 || !errors.Is(err, conversations.ErrForeignPageURL) {
			t.Errorf("next %q: %d items, err %v; want 1 item then ErrForeignPageURL", next, n, err)
		}
		if a.Requests() != 1 || b.Requests() != 0 {
			t.Errorf("next %q: A got %d requests, B %d; want 1 and 0", next, a.Requests(), b.Requests())
		}
		// Resume refuses the same URL.
		p := c.Conversations.Pager(nil)
		if err := p.Resume(next); !errors.Is(err, conversations.ErrForeignPageURL) {
			t.Errorf("Resume(%q) = %v, want ErrForeignPageURL", next, err)
		}
	}

	// Positive control: a next page on the API host is followed.
	a.Reset()
	a.Push(page(a.URL + "/v1/Conversations?PageSize=1&Page=1"))
	n := 0
	for _, err := range c.Conversations.List(context.Background(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 2 || a.Requests() != 2 || a.AuthSeen() != 2 {
		t.Errorf("same-host next page: %d items, %d requests, %d with auth; want 2, 2, 2", n, a.Requests(), a.AuthSeen())
	}
}

// TestMediaURLs: media metadata is fetched with credentials from the Media
// Content Service only; the pre-signed content URL it hands out is fetched
// without credentials wherever it points (a CDN, a redirect from there, or
// even the API host), its signature stays out of error texts, and MCS
// redirects to other hosts are refused.
func TestMediaURLs(t *testing.T) {
	api, mcs, cdn, far := fs.New(), fs.New(), fs.New(), fs.New()
	defer api.Close()
	defer mcs.Close()
	defer cdn.Close()
	defer far.Close()
	const serviceSID, mediaSID = "ISaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "MEaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	c, _ := newClient(t, api.URL, testPolicy, conversations.WithMediaBaseURL(mcs.URL))
	media := c.Service(serviceSID).Media
	meta := func(link string) fs.Fault {
		return fs.Respond(200, fmt.Sprintf(`{"sid":%q,"service_sid":%q,"size":5,"content_type":"image/png","links":{"content":"/v1/Services/%s/Media/%s/Content","content_direct_temporary":%q}}`,
			mediaSID, serviceSID, serviceSID, mediaSID, link))
	}
	reset := func() {
		for _, s := range []*fs.Server{api, mcs, cdn, far} {
			s.Reset()
		}
	}
	download := func() (string, error) {
		rc, _, err := media.Download(context.Background(), mediaSID)
		if err != nil {
			return "", err
		}
		defer rc.Close()
		b, err := io.ReadAll(rc)
		return string(b), err
	}

	for name, tc := range map[string]struct {
		link  func() string
		setup func()
		hosts []*fs.Server // servers the content request may reach, without auth
	}{
		"CDN":             {func() string { return cdn.URL + "/f.png?Signature=s3cr3t-sig" }, func() { cdn.Push(fs.Respond(200, "bytes", "Content-Type", "image/png")) }, []*fs.Server{cdn}},
		"CDN redirects":   {func() string { return cdn.URL + "/f.png?Signature=s3cr3t-sig" }, func() { cdn.Push(fs.Redirect(302, far.URL+"/g.png"), fs.OK()); far.Push(fs.Respond(200, "bytes")) }, []*fs.Server{cdn, far}},
		"API host itself": {func() string { return api.URL + "/f.png?Signature=s3cr3t-sig" }, func() { api.Push(fs.Respond(200, "bytes")) }, []*fs.Server{api}},
		"relative link":   {func() string { return "/f.png?Signature=s3cr3t-sig" }, func() { mcs.Push(fs.Respond(200, "bytes")) }, nil},
	} {
		reset()
		mcs.Push(meta(tc.link()))
		tc.setup()
		got, err := download()
		if err != nil || got != "bytes" {
			t.Errorf("%s: Download = %q, %v", name, got, err)
		}
		if name == "relative link" {
			// Resolved against the MCS host: the metadata request carried
			// credentials, the content request did not.
			if mcs.Requests() != 2 || mcs.AuthSeen() != 1 {
				t.Errorf("%s: MCS got %d requests, %d with auth; want 2 and 1", name, mcs.Requests(), mcs.AuthSeen())
			}
			continue
		}
		if mcs.Requests() != 1 || mcs.AuthSeen() != 1 {
			t.Errorf("%s: MCS got %d requests, %d with auth; want 1 and 1", name, mcs.Requests(), mcs.AuthSeen())
		}
		for _, h := range tc.hosts {
			if h.Requests() != 1 || h.AuthSeen() != 0 {
				t.Errorf("%s: content host got %d requests, %d with auth; want 1 and 0", name, h.Requests(), h.AuthSeen())
			}
		}
	}

	// A failing content URL: a typed error without the URL's signature.
	reset()
	mcs.Push(meta(cdn.URL + "/f.png?Signature=s3cr3t-sig"))
	cdn.Push(fs.Respond(403, "<Error>AccessDenied</Error>", "Content-Type", "application/xml"))
	_, err := download()
	var apiErr *conversations.Error
	if !errors.As(err, &apiErr) || apiErr.Status != 403 || strings.Contains(err.Error(), "s3cr3t-sig") {
		t.Errorf("expired content URL: %v", err)
	}

	// Non-HTTP content links are refused before any request.
	for _, link := range []string{"file:///etc/passwd", "javascript:alert(1)", "ftp://cdn.test/x"} {
		reset()
		mcs.Push(meta(link))
		if _, err := download(); err == nil {
			t.Errorf("content link %q accepted", link)
		}
		if n := api.Requests() + cdn.Requests() + far.Requests(); n != 0 || mcs.Requests() != 1 {
			t.Errorf("content link %q: %d other requests", link, n)
		}
	}

	// The MCS redirecting a credentialed request elsewhere is refused.
	for _, call := range []func() error{
		func() error { _, err := media.Fetch(context.Background(), mediaSID); return err },
		func() error {
			_, err := media.Upload(context.Background(), strings.NewReader("bytes"), &conversations.MediaUploadParams{ContentType: "image/png"})
			return err
		},
	} {
		reset()
		mcs.Push(fs.Redirect(307, cdn.URL+"/v1/Services/"+serviceSID+"/Media"))
		// Fetch refuses the redirect; Upload's streamed body cannot be
		// replayed, so its 307 comes back as an API error. Neither follows.
		err := call()
		var apiErr *conversations.Error
		if !errors.Is(err, conversations.ErrForeignRedirect) && !(errors.As(err, &apiErr) && apiErr.Status == 307) {
			t.Errorf("MCS redirect: %v, want ErrForeignRedirect or the 307", err)
		}
		if cdn.Requests() != 0 || mcs.AuthSeen() != 1 {
			t.Errorf("MCS redirect: CDN got %d requests; MCS %d with auth", cdn.Requests(), mcs.AuthSeen())
		}
	}
}

// TestLogsHoldNoSecrets logs every attempt at debug level (JSON into a
// buffer) through a run with retries, errors, resets, redirects and foreign
// page URLs, with the auth token and with an API key, and greps the logs and
// the error texts for the secrets and the Authorization header value.
func TestLogsHoldNoSecrets(t *testing.T) {
	a, b := fs.New(), fs.New()
	defer a.Close()
	defer b.Close()
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	secrets := []string{
		authToken, apiSecret,
		base64.StdEncoding.EncodeToString([]byte(accountSID + ":" + authToken)),
		base64.StdEncoding.EncodeToString([]byte(apiKeySID + ":" + apiSecret)),
		"Basic ",
	}
	var errs []string
	for _, auth := range []string{"auth token", "API key"} {
		opts := []conversations.Option{conversations.WithLogger(logger)}
		if auth == "API key" {
			opts = append(opts, conversations.WithAPIKey(apiKeySID, apiSecret))
		}
		c, _ := newClient(t, a.URL, conversations.RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Second}, opts...)
		run := func(o op, f ...fs.Fault) {
			a.Reset()
			a.Push(f...)
			if err := o.run(context.Background(), c); err != nil {
				errs = append(errs, err.Error())
			}
		}
		run(opCreate, fs.RateLimit(""), fs.RateLimit("1"))
		run(opCreate, fs.ServerError(500))
		run(opFetch, fs.ServerError(503), fs.HTMLPage(502), fs.ResetBeforeResponse())
		run(opFetch, repeat(4, fs.ServerError(500))...)
		run(opFetch, fs.ResetMidBody())
		run(opCreate, fs.ResetBeforeResponse())
		run(opFetch, fs.Redirect(302, b.URL+"/v1/Conversations/"+convSID))
		run(opList, fs.Respond(200, `{"conversations":[],"meta":{"next_page_url":"`+b.URL+`/v1/Conversations?Page=1"}}`))
		run(opDelete, fs.BigBody(404, 1<<20))
		run(opUpdate)
	}
	logs := buf.String()
	if n := strings.Count(logs, "\n"); n < 30 || !strings.Contains(logs, "retrying") {
		t.Fatalf("expected a log line per attempt with retries, got %d lines:\n%s", n, logs)
	}
	for _, s := range secrets {
		if strings.Contains(logs, s) {
			t.Errorf("debug logs contain %q", s)
		}
		for _, e := range errs {
			if strings.Contains(e, s) {
				t.Errorf("error text contains %q: %s", s, e)
			}
		}
	}
	if b.Requests() != 0 {
		t.Errorf("the other host got %d requests", b.Requests())
	}
	t.Logf("%d log lines and %d error texts checked for %d secret forms", strings.Count(logs, "\n"), len(errs), len(secrets))
}
