package conversations

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// Version is the version of this library, sent in the User-Agent header.
const Version = "0.2.0"

// DefaultBaseURL is the Conversations API's base URL.
const DefaultBaseURL = "https://conversations.twilio.com"

// DefaultMediaBaseURL is the base URL of Twilio's Media Content Service
// (MCS), which stores the media files of messages. Twilio documents no MCS
// host outside US1, so [WithRegion] does not change it; use
// [WithMediaBaseURL] for another host.
const DefaultMediaBaseURL = "https://mcs.us1.twilio.com"

// Client is a client of the Twilio Conversations v1 REST API.
//
// Its embedded [Scope] holds the services that work on the account's default
// Conversation Service: Conversations, Participants, Messages, Receipts,
// Webhooks, Roles, Users, UserConversations, ParticipantConversations and
// Media.
// The account-level services Services, Configuration, Addresses and
// Credentials are its own fields. [Client.Service] gives the same Scope for
// another Conversation Service.
//
// A Client is safe for concurrent use by many goroutines.
type Client struct {
	// Scope holds the services shared with [ServiceScope], working on the
	// account's default Conversation Service (the /v1/... paths). Pass it
	// where code should work on either scope.
	*Scope

	// Services manages Conversation Services.
	Services *ServicesService
	// Configuration manages the account-level configuration and its webhook
	// configuration.
	Configuration *ConfigurationService
	// Addresses manages address configurations that auto-create conversations.
	Addresses *AddressesService
	// Credentials manages push notification credentials.
	Credentials *CredentialsService

	core *core
}

// Scope holds the services that exist both at the account level (/v1/...,
// the default Conversation Service) and in one Conversation Service
// (/v1/Services/{ChatServiceSid}/...). [Client] and [ServiceScope] embed one,
// so a function taking a *Scope works on either:
//
//	func reply(ctx context.Context, s *conversations.Scope, conversationSID, body string) error
type Scope struct {
	// Conversations manages conversations.
	Conversations *ConversationsService
	// Participants manages the participants of a conversation.
	Participants *ParticipantsService
	// Messages manages the messages of a conversation.
	Messages *MessagesService
	// Receipts reads the delivery receipts of a message.
	Receipts *ReceiptsService
	// Webhooks manages conversation-scoped webhooks.
	Webhooks *ConversationWebhooksService
	// Roles manages roles and their permissions.
	Roles *RolesService
	// Users manages chat users.
	Users *UsersService
	// UserConversations manages a user's membership state in conversations.
	UserConversations *UserConversationsService
	// ParticipantConversations lists the conversations of an identity or address.
	ParticipantConversations *ParticipantConversationsService
	// Media uploads and reads media files on the Media Content Service. At
	// the account level it works in the account's default Conversation
	// Service, read once from the account's configuration.
	Media *MediaService
}

// ServiceScope is the API scoped to one Conversation Service: the services
// of [Scope] over /v1/Services/{ChatServiceSid}/..., plus the resources that
// exist only per service (Bindings, its Configuration).
type ServiceScope struct {
	// Scope holds the services shared with [Client], working in this
	// Conversation Service.
	*Scope

	sid string
	// Bindings manages the service's push notification bindings.
	Bindings *BindingsService
	// Configuration manages the service's configuration, notifications and
	// webhook configuration.
	Configuration *ServiceConfigurationService
}

// SID returns the Conversation Service SID (IS...) this scope works in.
func (sc *ServiceScope) SID() string { return sc.sid }

// service is the shared state of every resource service: the client core and
// the path prefix of the scope it works in.
type service struct {
	core   *core
	prefix string      // "" at the account level, "Services/{sid}/" when scoped
	err    error       // a scope error reported by every call (empty service SID)
	pace   RateLimiter // overrides core.limiter: the bulk operations' pacing (bulk.go)
}

func newScope(s *service) *Scope {
	return &Scope{
		Conversations:            (*ConversationsService)(s),
		Participants:             (*ParticipantsService)(s),
		Messages:                 (*MessagesService)(s),
		Receipts:                 (*ReceiptsService)(s),
		Webhooks:                 (*ConversationWebhooksService)(s),
		Roles:                    (*RolesService)(s),
		Users:                    (*UsersService)(s),
		UserConversations:        (*UserConversationsService)(s),
		ParticipantConversations: (*ParticipantConversationsService)(s),
		Media:                    (*MediaService)(s),
	}
}

// Service returns the API scoped to the Conversation Service sid. An empty sid
// is reported as an error by every call made through the returned view.
func (c *Client) Service(sid string) *ServiceScope {
	s := &service{core: c.core}
	if sid == "" {
		s.err = fmt.Errorf("%w: ChatServiceSid", ErrEmptyParameter)
	} else if err := checkSegment("ChatServiceSid", sid); err != nil {
		s.err = err
	} else {
		s.prefix = "Services/" + url.PathEscape(sid) + "/"
	}
	return &ServiceScope{
		Scope:         newScope(s),
		sid:           sid,
		Bindings:      (*BindingsService)(s),
		Configuration: (*ServiceConfigurationService)(s),
	}
}

// Option configures a [Client].
type Option func(*config) error

type config struct {
	httpClient *http.Client
	baseURL    string
	mediaURL   string
	region     string
	edge       string
	userAgent  string
	retry      RetryPolicy
	logger     *slog.Logger
	keySID     string
	keySecret  string
	limiter    RateLimiter
	telemetry  Telemetry
}

// WithAPIKey authenticates with an API key SID (SK...) and secret instead of
// the account's auth token. Twilio recommends API keys for production.
func WithAPIKey(sid, secret string) Option {
	return func(c *config) error {
		if sid == "" || secret == "" {
			return errors.New("conversations: WithAPIKey needs a key SID and a secret")
		}
		c.keySID, c.keySecret = sid, secret
		return nil
	}
}

// WithHTTPClient sets the HTTP client used for requests. The client is never
// modified; its Transport, Timeout and Jar are used as they are. Redirects to
// a host other than the API host are refused.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return errors.New("conversations: WithHTTPClient needs a non-nil *http.Client")
		}
		c.httpClient = hc
		return nil
	}
}

// WithBaseURL overrides the API's base URL (https://conversations.twilio.com),
// for the conversationstest emulator, a proxy or tests. Credentials are sent
// only to this URL's host. It must be http(s)://host[:port], with no path,
// query, fragment or user info.
func WithBaseURL(baseURL string) Option {
	return func(c *config) error {
		u, err := parseBaseURL("base URL", baseURL)
		c.baseURL = u
		return err
	}
}

// WithMediaBaseURL overrides the Media Content Service's base URL
// (https://mcs.us1.twilio.com), for the conversationstest emulator, a proxy,
// tests, or an MCS host outside US1 (Twilio documents none; WithRegion keeps
// mcs.us1.twilio.com). Credentials are sent only to this host and the API host.
func WithMediaBaseURL(baseURL string) Option {
	return func(c *config) error {
		u, err := parseBaseURL("media base URL", baseURL)
		c.mediaURL = u
		return err
	}
}

// parseBaseURL accepts only http(s)://host[:port] with an optional "/": a
// path, query or fragment would be dropped silently, and credentials in the
// URL would end up in error texts.
func parseBaseURL(what, raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" ||
		u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.Opaque != "" {
		return "", fmt.Errorf("conversations: invalid %s %q: want http(s)://host[:port]", what, raw)
	}
	if port, err := strconv.Atoi(u.Port()); strings.HasSuffix(u.Host, ":") || u.Port() != "" && (err != nil || port < 1 || port > 65535) {
		return "", fmt.Errorf("conversations: invalid %s %q: bad port", what, raw)
	}
	return u.Scheme + "://" + u.Host, nil
}

// WithRegion sets the Twilio edge location and processing region, giving the
// host conversations.{edge}.{region}.twilio.com (for example "dublin" and
// "ie1"). An edge without a region uses region us1; a region without an edge
// is an error, since region-only hosts do not serve Conversations. The
// Media Content Service host is not changed (see [DefaultMediaBaseURL]).
func WithRegion(edge, region string) Option {
	return func(c *config) error {
		c.edge, c.region = edge, region
		return nil
	}
}

// WithUserAgent appends suffix to the User-Agent header, to identify the
// application in Twilio's logs. It must not hold control characters.
func WithUserAgent(suffix string) Option {
	return func(c *config) error {
		for _, r := range suffix {
			if r < ' ' || r == 0x7f {
				return fmt.Errorf("conversations: invalid User-Agent suffix %q: control character", suffix)
			}
		}
		c.userAgent = suffix
		return nil
	}
}

// WithRetryPolicy sets how failed requests are retried. See [RetryPolicy];
// [NoRetries] turns retries off.
func WithRetryPolicy(p RetryPolicy) Option {
	return func(c *config) error {
		if p.MaxAttempts < 0 || p.BaseDelay < 0 || p.MaxDelay < 0 {
			return errors.New("conversations: retry policy values must not be negative")
		}
		c.retry = p
		return nil
	}
}

// WithLogger logs each request attempt at debug level, and retries at info
// level: method, path, the query's keys (its values, such as a phone number
// in a filter, are left out), status, attempt, duration and Twilio request
// ID. Credentials are never logged.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		c.logger = l
		return nil
	}
}

// NewClient returns a client authenticated with the account SID (AC...) and
// auth token, or with an API key given by [WithAPIKey].
func NewClient(accountSID, authToken string, opts ...Option) (*Client, error) {
	cfg := config{retry: DefaultRetryPolicy}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	if accountSID == "" {
		return nil, errors.New("conversations: account SID is empty")
	}
	user, pass := accountSID, authToken
	if cfg.keySID != "" {
		user, pass = cfg.keySID, cfg.keySecret
	} else if authToken == "" {
		return nil, errors.New("conversations: auth token is empty (or use WithAPIKey)")
	}
	base, err := cfg.resolveBaseURL()
	if err != nil {
		return nil, err
	}
	media := cfg.mediaURL
	if media == "" {
		media = DefaultMediaBaseURL
	}
	mediaBase, err := url.Parse(media)
	if err != nil {
		return nil, fmt.Errorf("conversations: invalid media base URL: %w", err)
	}
	co := newCore(&cfg, base, mediaBase, user, pass)
	s := &service{core: co}
	return &Client{
		Scope:         newScope(s),
		Services:      (*ServicesService)(s),
		Configuration: (*ConfigurationService)(s),
		Addresses:     (*AddressesService)(s),
		Credentials:   (*CredentialsService)(s),
		core:          co,
	}, nil
}

// NewClientFromEnv returns a client configured from the environment:
// TWILIO_ACCOUNT_SID with TWILIO_AUTH_TOKEN, or with TWILIO_API_KEY and
// TWILIO_API_SECRET (preferred when set); TWILIO_REGION and TWILIO_EDGE.
// Options given here override the environment.
//
// When CONVERSATIONS_EMULATOR_HOST is set ([EmulatorHostEnv], host:port),
// the API and media requests go to the emulator at http://host:port instead,
// TWILIO_REGION and TWILIO_EDGE are ignored, and when no credentials are set
// the emulator's default ones are used.
func NewClientFromEnv(opts ...Option) (*Client, error) {
	emu, emulated, err := emulatorFromEnv() // emulator_env.go
	if err != nil {
		return nil, err
	}
	env := emu
	k, s := os.Getenv("TWILIO_API_KEY"), os.Getenv("TWILIO_API_SECRET")
	if k != "" || s != "" {
		env = append(env, WithAPIKey(k, s))
	}
	if r, e := os.Getenv("TWILIO_REGION"), os.Getenv("TWILIO_EDGE"); (r != "" || e != "") && !emulated {
		env = append(env, WithRegion(e, r))
	}
	sid, token := os.Getenv("TWILIO_ACCOUNT_SID"), os.Getenv("TWILIO_AUTH_TOKEN")
	if emulated && sid == "" && token == "" && k == "" && s == "" {
		sid, token = emulatorAccountSID, emulatorAuthToken
	}
	if sid == "" {
		return nil, errors.New("conversations: TWILIO_ACCOUNT_SID is not set")
	}
	return NewClient(sid, token, append(env, opts...)...)
}

// resolveBaseURL applies the region and edge to the base URL's host.
func (c *config) resolveBaseURL() (*url.URL, error) {
	raw := c.baseURL
	if raw == "" {
		raw = DefaultBaseURL
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("conversations: invalid base URL: %w", err)
	}
	if c.region == "" && c.edge == "" {
		return u, nil
	}
	if c.region != "" && c.edge == "" {
		return nil, fmt.Errorf("conversations: region %q needs an edge (e.g. dublin with ie1): region-only hosts do not serve Conversations", c.region)
	}
	region := c.region
	if region == "" {
		region = "us1"
	}
	for _, label := range []string{c.edge, region} {
		if !validLabel(label) {
			return nil, fmt.Errorf("conversations: invalid edge or region %q", label)
		}
	}
	labels := strings.Split(u.Hostname(), ".")
	if len(labels) < 3 || labels[len(labels)-2] != "twilio" || labels[len(labels)-1] != "com" {
		return nil, fmt.Errorf("conversations: an edge and region apply only to twilio.com hosts, not %q", u.Hostname())
	}
	host := labels[0] + "." + c.edge + "." + region + ".twilio.com"
	if p := u.Port(); p != "" {
		host += ":" + p
	}
	u.Host = host
	return u, nil
}

func validLabel(s string) bool {
	if s == "" || len(s) > 63 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

func userAgent(suffix string) string {
	ua := "conversations-go/" + Version + " (" + runtime.GOOS + " " + runtime.GOARCH + ") " + runtime.Version()
	if suffix != "" {
		ua += " " + suffix
	}
	return ua
}
