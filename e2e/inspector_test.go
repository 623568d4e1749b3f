package e2e

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/conversations-go/conversations"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	groupLine   = "+15559870003" // a Group MMS number
	customer    = "+15551230001"
	supportLine = "+15559870002"
	question    = "Hi! Where is my order #1042?"
	reply       = "Thanks — an agent will be with you shortly."
)

// TestInspectorRoundTrip drives the web inspector in headless chromium
// against the emulator binary, whose webhooks go (-webhook-url) to a bot
// built on the library's WebhookHandler: a customer texts in from the page,
// the message shows in the thread, the bot's reply follows, and the reply
// reaches the customer's simulated phone.
func TestInspectorRoundTrip(t *testing.T) {
	browser := findBrowser(t)
	start := time.Now()

	bot := newBot(t)
	emu := startEmulator(t, "-webhook-url", bot.url+"/webhook")
	bot.connect(t, emu.baseURL)

	// The support line creates a conversation for whoever texts it first.
	ctx := context.Background()
	_, err := bot.client.Addresses.Create(ctx, &conversations.AddressCreateParams{
		Type: conversations.AddressSMS, Address: supportLine, FriendlyName: "support line",
		AutoCreation: conversations.AddressAutoCreationParams{Enabled: conversations.Ptr(true), Type: conversations.AutoCreationDefault},
	})
	require.NoError(t, err)

	page := openBrowser(t, browser)
	shots := screenshotDir(t)
	t.Logf("emulator and bot ready after %s", time.Since(start).Round(time.Millisecond))

	// The printed link signs the page in; the fragment then leaves the address bar.
	require.NoError(t, chromedp.Do(page,
		chromedp.Navigate(emu.inspectorURL),
		chromedp.WaitVisible(chromedp.CSS("#app")),
		chromedp.WaitVisible(chromedp.CSS("#live.on")),
	))
	loc, err := chromedp.Run(page, chromedp.Location())
	require.NoError(t, err)
	assert.NotContains(t, loc, "#", "the credentials leave the address bar")

	// Text in as a new customer.
	require.NoError(t, chromedp.Do(page,
		chromedp.Click(chromedp.CSS("#new-inbound")),
		chromedp.WaitVisible(chromedp.CSS("#custom-fields")),
		chromedp.SetValue(chromedp.CSS("#in-from"), customer),
		chromedp.SetValue(chromedp.CSS("#in-to"), supportLine),
		chromedp.SendKeys(chromedp.CSS("#body"), question),
		chromedp.Click(chromedp.CSS("#send")),
	))
	waitFor(t, page, "the customer's message in the thread",
		`[...document.querySelectorAll('#thread .msg.in .bubble')].some(e => e.textContent === %q)`, question)
	waitFor(t, page, "the bot's reply in the thread",
		`[...document.querySelectorAll('#thread .msg.out')].some(e => e.querySelector('.author').textContent === 'support-bot' && e.querySelector('.bubble').textContent === %q)`, reply)
	waitFor(t, page, "the reply on the customer's phone",
		`document.querySelector('#phone-pick').value === %q && [...document.querySelectorAll('#phone .sms-body')].some(e => e.textContent === %q)`, customer, reply)
	waitFor(t, page, "the reply delivered",
		`!!document.querySelector('#thread .msg.out .receipt .dl-delivered') && document.querySelector('#thread .msg.out .receipt').textContent.includes(%q)`, customer)
	screenshot(t, page, filepath.Join(shots, "inspector-thread.png"))

	// The webhook log shows the delivery to the bot.
	require.NoError(t, chromedp.Do(page, chromedp.Click(chromedp.CSS("#tab-webhooks"))))
	waitFor(t, page, "onMessageAdded in the webhook log",
		`[...document.querySelectorAll('#webhooks .hook')].some(e => e.querySelector('.event').textContent === %q && e.querySelector('.code').textContent === '200')`, "onMessageAdded")
	screenshot(t, page, filepath.Join(shots, "inspector-webhooks.png"))

	assert.Equal(t, int32(1), bot.replies.Load(), "the bot answered once")
	t.Logf("round trip done %s after start", time.Since(start).Round(time.Millisecond))

	// Deliveries to the customer fail from now on: the customer writes again
	// (as the conversation's SMS participant, sent with the Enter key), and
	// the bot's second answer shows a failed receipt and never reaches the
	// phone.
	require.NoError(t, chromedp.Do(page,
		chromedp.Click(chromedp.CSS("#tab-phones")),
		chromedp.Click(chromedp.CSS("#phone .seg button:nth-child(2)")),
	))
	waitFor(t, page, "the phone's deliveries set to fail", `document.querySelector('#phone .seg button.on').textContent === 'Fail'`)
	waitFor(t, page, "the composer writing as the SMS participant",
		`JSON.parse(document.querySelector('#as').value).from === %q`, customer)
	require.NoError(t, chromedp.Do(page, chromedp.SendKeys(chromedp.CSS("#body"), "Still there?"+kb.Enter)))
	waitFor(t, page, "the second reply failing",
		`document.querySelectorAll('#thread .msg.out').length === 2 && !!document.querySelector('#thread .msg.out:last-child .receipt .dl-failed')`)
	waitFor(t, page, "the phone still holding one message", `document.querySelectorAll('#phone .sms-body').length === 1`)
	assert.Equal(t, int32(2), bot.replies.Load(), "the bot answered twice")

	// The clock moves a day ahead.
	before, err := chromedp.Run(page, chromedp.Text(chromedp.CSS("#clock-now")))
	require.NoError(t, err)
	require.NoError(t, chromedp.Do(page,
		chromedp.SetValue(chromedp.CSS("#clock-advance"), "P1D"),
		chromedp.Click(chromedp.CSS("#clock-form button")),
	))
	waitFor(t, page, "the clock a day ahead", `document.querySelector('#clock-now').textContent !== %q && document.querySelector('#clock-now').classList.contains('shifted')`, before)
	screenshot(t, page, filepath.Join(shots, "inspector-failed.png"))

	groupMMSFromInspector(t, page, bot, shots)

	// A clean stop does not wait on the page's open event stream (if it did,
	// the shutdown would time out and the process exit with status 1), and
	// the page notices.
	stopping := time.Now()
	require.NoError(t, emu.stop(), "SIGTERM with the inspector open exits with status 0")
	t.Logf("stopped %s after SIGTERM", time.Since(stopping).Round(time.Millisecond))
	waitFor(t, page, "the page showing it lost the emulator", `!document.querySelector('#live').classList.contains('on')`)
}

// findBrowser returns Debian's chromium (or another Chrome on the PATH).
// .ci/run installs it; without it the test is skipped, except in CI
// (CI=true, or CONVERSATIONS_E2E_REQUIRE_BROWSER set, as .ci/run does),
// where it fails.
func findBrowser(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CONVERSATIONS_E2E_REQUIRE_BROWSER") != "" || os.Getenv("CI") == "true" {
		t.Fatal("no chromium on the PATH (apt-get install -y chromium)")
	}
	t.Skip("no chromium on the PATH (apt-get install -y chromium)")
	return ""
}

// bot is the guide's auto-reply bot: the library's WebhookHandler, answering
// each customer message through a client of the emulator.
type bot struct {
	url     string
	client  *conversations.Client
	handler atomic.Pointer[http.Handler]
	replies atomic.Int32
}

// newBot starts the bot's server; its handler is set by connect, once the
// emulator's URL is known.
func newBot(t *testing.T) *bot {
	b := &bot{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := b.handler.Load()
		if h == nil {
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
		(*h).ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	b.url = srv.URL
	return b
}

func (b *bot) connect(t *testing.T, emulatorURL string) {
	t.Helper()
	client, err := conversations.NewClient(defaultSID, defaultToken,
		conversations.WithBaseURL(emulatorURL), conversations.WithMediaBaseURL(emulatorURL))
	require.NoError(t, err)
	b.client = client
	h, err := conversations.NewWebhookHandler(defaultToken)
	require.NoError(t, err)
	h.OnMessageAdded(func(ctx context.Context, ev *conversations.MessageAddedEvent) error {
		if ev.Author == "support-bot" {
			return nil
		}
		_, err := client.Service(ev.ChatServiceSID).Messages.Create(ctx, ev.ConversationSID,
			&conversations.MessageCreateParams{Author: "support-bot", Body: reply})
		if err == nil {
			b.replies.Add(1)
		}
		return err
	})
	var hh http.Handler = h
	b.handler.Store(&hh)
}

// The emulator binary's default credentials (conversationstest's
// DefaultAccountSID and DefaultAuthToken).
const (
	defaultSID   = "AC0123456789abcdef0123456789abcdef"
	defaultToken = "0123456789abcdef0123456789abcdef"
)

type emulator struct {
	baseURL      string
	inspectorURL string
	stop         func() error // SIGTERM, then wait: the exit error (nil for status 0)
}

// startEmulator builds cmd/conversations-emulator and runs it on a free
// loopback port with args, until the test ends (SIGTERM, then wait).
func startEmulator(t *testing.T, args ...string) *emulator {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "conversations-emulator")
	build := exec.Command("go", "build", "-o", bin, "github.com/conversations-go/conversations/cmd/conversations-emulator")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)

	cmd := exec.Command(bin, append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	var wg sync.WaitGroup
	var once sync.Once
	var exitErr error
	stop := func() error {
		once.Do(func() {
			cmd.Process.Signal(syscall.SIGTERM)
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case exitErr = <-done:
			case <-time.After(10 * time.Second):
				cmd.Process.Kill()
				exitErr = fmt.Errorf("the emulator did not stop within 10s of SIGTERM")
				<-done
			}
			wg.Wait()
		})
		return exitErr
	}
	t.Cleanup(func() { stop() })

	// Read the start-up lines, then keep draining the request log.
	lines := make(chan string, 16)
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			default: // nobody reads the request log any more
			}
		}
	}()
	e := &emulator{stop: stop}
	deadline := time.After(20 * time.Second)
	for e.baseURL == "" || e.inspectorURL == "" {
		select {
		case line, ok := <-lines:
			require.True(t, ok, "the emulator exited during start-up")
			if e.baseURL == "" {
				e.baseURL = strings.TrimSpace(line)
				require.True(t, strings.HasPrefix(e.baseURL, "http://127.0.0.1:"), "first line %q", line)
			}
			if u, ok := strings.CutPrefix(line, "inspector: "); ok {
				e.inspectorURL = strings.TrimSpace(u)
			}
		case <-deadline:
			t.Fatal("the emulator printed no inspector URL within 20s")
		}
	}
	require.True(t, strings.HasPrefix(e.inspectorURL, e.baseURL+"/_emulator/ui/#"), e.inspectorURL)
	return e
}

// openBrowser starts headless chromium with a fresh profile and returns a
// tab's context; the browser stops when the test ends.
func openBrowser(t *testing.T, path string) context.Context {
	t.Helper()
	return openBrowserWith(t, path)
}

// openBrowserWith is openBrowser with extra flags.
func openBrowserWith(t *testing.T, path string, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.Flag("headless", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 800),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), append(opts, extra...)...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	// The first Run starts the browser; it must not carry a timeout.
	require.NoError(t, chromedp.Do(ctx))
	return ctx
}

// waitFor polls a JavaScript predicate (format with %q arguments) until it
// holds, for up to 20 seconds.
func waitFor(t *testing.T, page context.Context, what, format string, args ...any) {
	t.Helper()
	start := time.Now()
	_, err := chromedp.Run(page, chromedp.Poll[bool](fmt.Sprintf(format, args...),
		chromedp.WithPollingTimeout(20*time.Second), chromedp.WithPollingInterval(50*time.Millisecond)))
	if err != nil {
		body, _ := chromedp.Run(page, chromedp.Text(chromedp.CSS("body")))
		t.Fatalf("waiting for %s: %v\npage text:\n%s", what, err, body)
	}
	t.Logf("%s: %s", what, time.Since(start).Round(time.Millisecond))
}

// screenshotDir is where screenshots go: $INSPECTOR_SCREENSHOTS when set (a
// directory outside the repository), else the test's temporary directory.
func screenshotDir(t *testing.T) string {
	if d := os.Getenv("INSPECTOR_SCREENSHOTS"); d != "" {
		require.NoError(t, os.MkdirAll(d, 0o755))
		return d
	}
	return t.TempDir()
}

func screenshot(t *testing.T, page context.Context, path string) {
	t.Helper()
	png, err := chromedp.Run(page, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, png, 0o644))
	t.Logf("screenshot: %s", path)
}

// groupMMSFromInspector sends a Group MMS from the inspector's "Text in"
// form (the others field): it lands in one new group conversation whose
// header names the group's number and its three members, whose message
// lists the two other members as its recipients, and which the REST API
// lists with the three members as SMS participants without a proxy
// address. A member then texts the group again from "Text in as", into the
// same conversation.
func groupMMSFromInspector(t *testing.T, page context.Context, bot *bot, shots string) {
	t.Helper()
	ctx := context.Background()
	_, err := bot.client.Addresses.Create(ctx, &conversations.AddressCreateParams{
		Type: conversations.AddressSMS, Address: groupLine, FriendlyName: "group line",
		AutoCreation: conversations.AddressAutoCreationParams{Enabled: conversations.Ptr(true), Type: conversations.AutoCreationDefault},
	})
	require.NoError(t, err)
	members := []string{"+15551230011", "+15551230012", "+15551230013"}
	const text = "Who is driving on Saturday?"
	require.NoError(t, chromedp.Do(page,
		chromedp.Click(chromedp.CSS("#new-inbound")),
		chromedp.WaitVisible(chromedp.CSS("#in-others")),
		chromedp.SetValue(chromedp.CSS("#in-channel"), "sms"),
		chromedp.SetValue(chromedp.CSS("#in-from"), members[0]),
		chromedp.SetValue(chromedp.CSS("#in-to"), groupLine),
		chromedp.SetValue(chromedp.CSS("#in-others"), members[1]+", "+members[2]),
		chromedp.SendKeys(chromedp.CSS("#body"), text),
		chromedp.Click(chromedp.CSS("#send")),
	))
	waitFor(t, page, "the group message in the thread",
		`[...document.querySelectorAll('#thread .msg.in .bubble')].some(e => e.textContent === %q)`, text)
	waitFor(t, page, "the group's number and members in the header",
		`(() => { const g = document.querySelector('#thread-head #group-info'); return !!g && g.querySelector('.group-number').textContent.includes(%q) && g.querySelector('.group-members').textContent === %q })()`,
		groupLine, "3 members: "+strings.Join(members, ", "))
	waitFor(t, page, "the message received by the two other members",
		`(() => { const m = [...document.querySelectorAll('#thread .msg.in')].find(e => e.querySelector('.bubble') && e.querySelector('.bubble').textContent === %q);
			const who = m ? [...m.querySelectorAll('.delivery .receipt')].map(r => r.textContent.replace(/^\S+\s/, '').trim()).sort() : [];
			return !!m && !!m.querySelector('.recv-label') && JSON.stringify(who) === %q })()`,
		text, fmt.Sprintf("[%q,%q]", members[1], members[2]))
	waitFor(t, page, "the message on another member's phone, from the group's number",
		`document.querySelector('#phone-pick').value === %q && [...document.querySelectorAll('#phone .sms')].some(e => e.querySelector('.sms-body').textContent === %q && e.querySelector('.sms-from').textContent.includes(%q))`,
		members[1], text, groupLine)
	screenshot(t, page, filepath.Join(shots, "inspector-group-mms.png"))

	sid, err := chromedp.Run(page, chromedp.Evaluate[string](`document.querySelector('#thread').dataset.sid`))
	require.NoError(t, err)
	var got []string
	for p, err := range bot.client.Participants.List(ctx, sid, nil) {
		require.NoError(t, err)
		require.Equal(t, "", p.MessagingBinding.ProxyAddress, "a group member has no proxy address")
		got = append(got, p.MessagingBinding.Address)
	}
	assert.ElementsMatch(t, members, got, "the group conversation's participants")

	// The third member answers the group from "Text in as".
	opt, err := chromedp.Run(page, chromedp.Evaluate[string](fmt.Sprintf(
		`[...document.querySelectorAll('#as option')].map(o => o.value).find(v => v !== 'custom' && JSON.parse(v).from === %q) || ''`, members[2])))
	require.NoError(t, err)
	require.NotEmpty(t, opt, "a Text in as choice for the member")
	require.NoError(t, chromedp.Do(page,
		chromedp.SetValue(chromedp.CSS("#as"), opt),
		chromedp.SendKeys(chromedp.CSS("#body"), "I can"+kb.Enter),
	))
	waitFor(t, page, "the member's answer in the same conversation",
		`document.querySelector('#thread').dataset.sid === %q && [...document.querySelectorAll('#thread .msg.in')].some(e => e.querySelector('.bubble') && e.querySelector('.bubble').textContent === 'I can' && e.querySelector('.author').textContent === %q)`,
		sid, members[2])
}
