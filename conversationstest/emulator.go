package conversationstest

import (
	"crypto/subtle"
	"log"
	"math"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	formparse "github.com/conversations-go/conversations/internal/form"
)

// Default credentials. An Emulator built without [WithCredentials] accepts
// these, so code and examples can use them offline.
const (
	DefaultAccountSID = "AC0123456789abcdef0123456789abcdef"
	DefaultAuthToken  = "0123456789abcdef0123456789abcdef"
)

// DefaultWebhookTimeout is how long the emulator waits for a webhook
// response, as Twilio does for pre-event hooks before it fails open.
const DefaultWebhookTimeout = 5 * time.Second

// Option configures an [Emulator] or a [Server].
type Option func(*config)

type config struct {
	accountSID, authToken string
	apiKeys               map[string]string
	webhookTimeout        time.Duration
	httpClient            *http.Client
	logger                *log.Logger
	start                 time.Time // zero: real time
	maxParticipants       int
	maxNonChat            int
	control               controlConfig // guard.go
	ratePerSecond         float64       // ratelimit.go
	latency               time.Duration // ratelimit.go
}

// WithCredentials sets the account SID and auth token the emulator accepts
// (HTTP basic auth) and signs webhooks with. The defaults are
// [DefaultAccountSID] and [DefaultAuthToken].
func WithCredentials(accountSID, authToken string) Option {
	return func(c *config) { c.accountSID, c.authToken = accountSID, authToken }
}

// WithAPIKey makes the emulator also accept the API key sid (SK…) with its
// secret as basic-auth credentials. It may be given several times.
func WithAPIKey(sid, secret string) Option {
	return func(c *config) {
		if c.apiKeys == nil {
			c.apiKeys = make(map[string]string)
		}
		c.apiKeys[sid] = secret
	}
}

// WithWebhookTimeout sets how long the emulator waits for a webhook to
// answer; a pre-event hook that does not answer in time is treated as an
// empty 200 (fail-open), as Twilio does after 5 seconds. Tests can shorten it.
func WithWebhookTimeout(d time.Duration) Option {
	return func(c *config) { c.webhookTimeout = d }
}

// WithHTTPClient sets the client the emulator delivers webhooks with. The
// default is a new client with no timeout of its own (the webhook timeout
// applies).
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) { c.httpClient = hc }
}

// WithLogger makes the emulator log each request it serves (method, path,
// status, duration) and each webhook it delivers.
func WithLogger(l *log.Logger) Option {
	return func(c *config) { c.logger = l }
}

// WithClock freezes the emulator's clock at start: time then moves only when
// [Emulator.Advance] is called, which makes dates and timers deterministic.
// By default the clock is the real time (still movable with Advance).
func WithClock(start time.Time) Option {
	return func(c *config) { c.start = start }
}

// WithParticipantLimits sets the most participants a conversation may hold
// (Twilio: 1000, error 50417) and the most non-chat (SMS, WhatsApp) ones
// (Twilio: 50, error 50422). Tests can lower them.
func WithParticipantLimits(total, nonChat int) Option {
	return func(c *config) { c.maxParticipants, c.maxNonChat = total, nonChat }
}

// Emulator is an in-memory, stateful emulator of the Twilio Conversations v1
// REST API. It is an [http.Handler]; serve it with [NewServer], with
// net/http/httptest, or call ServeHTTP from an HTTP mock's responder.
//
// An Emulator is safe for concurrent use. It starts goroutines to deliver
// webhooks and delivery receipts when it first needs them; [Emulator.Close]
// stops them.
type Emulator struct {
	cfg      config
	mux      *http.ServeMux
	dispatch *dispatcher
	live     *feed // the change feed the web inspector follows (live.go)

	mu            sync.Mutex
	clockOffset   time.Duration
	services      table[service]
	defaultSvc    *service
	messagingSid  string
	globalHooks   hookConfig
	phones        map[string][]SimulatedMessage
	failures      map[string]failure
	nextTimerScan time.Time            // earliest timer due; zero when none
	acct          accountConfig        // configuration.go
	addresses     table[addressConfig] // addresses.go
	credentials   table[credential]    // credentials.go
	media         table[mediaFile]     // the Media Content Service's files (media.go)
	idx           index                // lookups across conversations (index.go)

	control *http.ServeMux // the control API, /_emulator/ (control.go)
	hooklog hookLog        // webhook deliveries (hooklog.go)
	traffic traffic        // request counts and rate-limit buckets (ratelimit.go); not under mu

	noReadReceipts map[string]bool // WhatsApp addresses that never read (receipts.go)
}

// New returns an Emulator configured by opts. It has one Conversation
// Service, the account's default, which the account-level /v1/... endpoints
// use.
func New(opts ...Option) *Emulator {
	cfg := config{
		accountSID:      DefaultAccountSID,
		authToken:       DefaultAuthToken,
		webhookTimeout:  DefaultWebhookTimeout,
		maxParticipants: 1000,
		maxNonChat:      50,
	}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.httpClient == nil {
		cfg.httpClient = &http.Client{}
	}
	if tooLong(cfg.control.webhookURL, MaxWebhookURLLength) { // webhook_urls.go
		cfg.control.webhookURL = ""
		if cfg.logger != nil {
			cfg.logger.Printf("conversationstest: WithWebhookURL ignored: the URL is longer than %d characters", MaxWebhookURLLength)
		}
	}
	e := &Emulator{
		cfg:          cfg,
		mux:          http.NewServeMux(),
		messagingSid: newSID("MG"),
		phones:       make(map[string][]SimulatedMessage),
		failures:     make(map[string]failure),
		globalHooks:  hookConfig{method: "POST", target: "webhook", filters: []string{}},
	}
	e.dispatch = newDispatcher(8)
	e.live = newFeed()
	e.dispatch.after = e.changed
	e.defaultSvc = e.newService("Default Conversations Service")
	e.applyWebhookURL() // reset.go
	e.routes()
	return e
}

// AccountSID returns the account SID the emulator accepts.
func (e *Emulator) AccountSID() string { return e.cfg.accountSID }

// AuthToken returns the auth token the emulator accepts and signs webhooks with.
func (e *Emulator) AuthToken() string { return e.cfg.authToken }

// DefaultServiceSID returns the SID (IS…) of the account's default
// Conversation Service, which the account-level endpoints use.
func (e *Emulator) DefaultServiceSID() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.defaultSvc.sid
}

// Close stops the emulator's webhook and delivery goroutines; webhooks not
// yet delivered are dropped. The Emulator must not be used afterwards.
func (e *Emulator) Close() {
	e.dispatch.close()
	e.live.close()
}

// Flush waits until every webhook and delivery receipt queued so far, and any
// queued while waiting, has been delivered.
func (e *Emulator) Flush() { e.dispatch.flush() }

func (e *Emulator) nowLocked() time.Time {
	if !e.cfg.start.IsZero() {
		return clampDate(e.cfg.start.Add(e.clockOffset).UTC())
	}
	return clampDate(time.Now().Add(e.clockOffset).UTC())
}

// Advance moves the emulator's clock forward by d and fires the conversation
// timers (Timers.Inactive, Timers.Closed) that fall due. A negative d moves
// it back, but never before where it started (the offset a state document
// carries is never negative).
func (e *Emulator) Advance(d time.Duration) {
	e.mu.Lock()
	switch {
	case d > 0 && e.clockOffset > math.MaxInt64-d:
		e.clockOffset = math.MaxInt64 // saturate: the clock never wraps back to the past
	case d < 0 && e.clockOffset+d < 0:
		e.clockOffset = 0
	default:
		e.clockOffset += d
	}
	e.fireTimers()
	e.mu.Unlock()
	if d != 0 {
		e.changed()
	}
}

// lock takes the emulator's mutex and fires due timers, so every request
// sees the states its time implies.
func (e *Emulator) lock() {
	e.mu.Lock()
	e.fireTimers()
}

func (e *Emulator) unlock() { e.mu.Unlock() }

// handler is an endpoint: it returns the status and body to send, or an error.
type handler func(c *call) (int, any, error)

// call is one request being served.
type call struct {
	e      *Emulator
	r      *http.Request
	base   string // scheme://host the request came in on
	form   url.Values
	scoped bool // the /v1/Services/{ChatServiceSid}/... form
	hooks  bool // X-Twilio-Webhook-Enabled: true
}

// param returns a form parameter (query for GET, body for POST).
func (c *call) param(name string) string { return c.form.Get(name) }

// has reports whether a form parameter was sent at all.
func (c *call) has(name string) bool { _, ok := c.form[name]; return ok }

// service resolves the Conversation Service of the request: the path's
// ChatServiceSid, or the default service. The emulator's lock must be held.
func (c *call) service() (*service, error) {
	if !c.scoped {
		return c.e.defaultSvc, nil
	}
	sid := c.r.PathValue("ChatServiceSid")
	svc, ok := c.e.services.get(sid)
	if !ok {
		return nil, notFound(c.r.URL.Path)
	}
	return svc, nil
}

// handle registers h for one method and mux pattern.
func (e *Emulator) handle(method, pattern string, h handler) {
	scoped := strings.HasPrefix(pattern, "/v1/Services/{ChatServiceSid}")
	e.mux.HandleFunc(method+" "+pattern, func(w http.ResponseWriter, r *http.Request) {
		c := &call{e: e, r: r, base: baseURL(r), scoped: scoped}
		// formparse reads a raw ';' as an ordinary character, as the form
		// parsers of Node, Python, Rails and PHP do; r.ParseForm refuses it.
		if err := formparse.ParseRequest(r); err != nil {
			writeError(w, badRequest(codeInvalidParam, "Invalid request body: %v", err))
			return
		}
		if r.Method == http.MethodPost {
			c.form = r.PostForm
		} else {
			c.form = formparse.Query(r.URL)
		}
		c.hooks = strings.EqualFold(r.Header.Get("X-Twilio-Webhook-Enabled"), "true")
		status, body, err := h(c)
		if err != nil {
			writeError(w, err)
			return
		}
		writeJSON(w, status, body)
	})
}

// handleBoth registers h under the account-level path "/v1"+suffix, which
// uses the default service, and under "/v1/Services/{ChatServiceSid}"+suffix.
func (e *Emulator) handleBoth(method, suffix string, h handler) {
	e.handle(method, "/v1"+suffix, h)
	e.handle(method, "/v1/Services/{ChatServiceSid}"+suffix, h)
}

func (e *Emulator) routes() {
	e.serviceRoutes()
	e.conversationRoutes()
	e.participantRoutes()
	e.messageRoutes()
	e.receiptRoutes()
	e.webhookConfigRoutes()
	e.scopedWebhookRoutes()
	e.roleRoutes()
	e.userRoutes()
	e.userConversationRoutes()
	e.participantConversationRoutes()
	e.bindingRoutes()
	e.configurationRoutes()
	e.addressRoutes()
	e.credentialRoutes()
	e.conversationWithParticipantsRoutes()
	e.mediaRoutes()
	e.controlRoutes()
	e.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, notFound(r.URL.Path))
	})
}

// ServeHTTP serves the Conversations v1 API after checking HTTP basic auth
// against the configured credentials, and the control API under
// /_emulator/ behind its own checks. Every route first checks the Host and
// Origin headers (see [WithAllowedHosts]); no answer carries a
// WWW-Authenticate challenge, so a browser never caches the credentials. A
// browser opening the base URL (/) is sent to the web inspector.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	control := isControlPath(r.URL.Path)
	if control {
		e.serveControl(rec, r) // control.go: Host check, then its own guards
	} else if err := e.restGuard(r); err != nil { // guard.go
		writeError(rec, err)
	} else if r.URL.Path == "/" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		rec.Header().Set("Cache-Control", "no-store")
		http.Redirect(rec, r, uiPrefix, http.StatusFound)
	} else if !publicPath(r) && !e.authorized(r) {
		writeError(rec, errorf(http.StatusUnauthorized, codeAuth, "Authenticate"))
	} else if e.admit(rec, r) {
		e.mux.ServeHTTP(rec, r)
	}
	// Only a write the emulator accepted moves the state version; a refused
	// one (401, 403, 404, 415, 429, a validation error) and a read do not.
	// The control routes move it themselves when they change something.
	if !control && r.Method != http.MethodGet && r.Method != http.MethodHead && rec.status < http.StatusBadRequest {
		e.changed()
	}
	if l := e.cfg.logger; l != nil && !inspectorRead(r) {
		l.Printf("%s %s %d %s", r.Method, r.URL.RequestURI(), rec.status, time.Since(start).Round(time.Microsecond))
	}
}

func (e *Emulator) authorized(r *http.Request) bool {
	user, pass, ok := r.BasicAuth()
	if !ok {
		return false
	}
	if user == e.cfg.accountSID {
		return subtle.ConstantTimeCompare([]byte(pass), []byte(e.cfg.authToken)) == 1
	}
	if secret, ok := e.cfg.apiKeys[user]; ok {
		return subtle.ConstantTimeCompare([]byte(pass), []byte(secret)) == 1
	}
	return false
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// baseURL returns the scheme and host a request came in on; every URL the
// emulator renders starts with it, so clients follow links to the emulator.
// A request handed over in-process (no listener) keeps the scheme its
// client used: https for Twilio's default base URL behind an HTTP mock, so
// the client follows next_page_url rather than refusing an http link.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || (r.URL.Scheme == "https" && r.Context().Value(http.LocalAddrContextKey) == nil) {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Twilio-Request-Id", newSID("RQ"))
	if status == http.StatusNoContent {
		w.WriteHeader(status)
		return
	}
	data, err := encodeBody(body) // encode.go
	if err != nil {
		status = http.StatusInternalServerError
		data, _ = encodeBody(errorf(status, 20500, "The answer could not be encoded: %v", err).body())
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(data)
}

func writeError(w http.ResponseWriter, err error) {
	ae, ok := err.(*apiError)
	if !ok {
		ae = errorf(http.StatusInternalServerError, 20500, "%v", err)
	}
	writeJSON(w, ae.Status, ae.body())
}
