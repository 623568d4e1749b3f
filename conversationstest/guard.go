package conversationstest

import (
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
)

// The guards of the emulator's routes: a web page the developer happens to
// visit must not be able to drive or read the emulator.
//
// On every route (the REST API under /v1/, the media routes, the control
// API under /_emulator/, the inspector and /):
//
//   - Host check, against DNS rebinding: the Host header must name the
//     emulator itself (a loopback name or the address the connection was
//     accepted on, with its port), or a host given to [WithAllowedHosts]. The
//     REST API also accepts Twilio's own API hosts (conversations.twilio.com,
//     mcs.us1.twilio.com and their regional forms) with any port: an SDK
//     whose transport rewrites the URL but keeps the Host header sends them,
//     and no web page can (it would have to be served from twilio.com).
//   - Origin check: a request carrying an Origin other than the emulator's
//     own is refused (a cross-site fetch or form post always carries one;
//     SDKs never send one).
//   - Credentials are never asked for with a WWW-Authenticate challenge, so
//     a browser never caches them (and never sends them on a cross-site
//     form post).
//
// The control API also needs the credentials (but for health and the
// inspector's static files) and JSON bodies on POST and PUT, which a
// cross-site form cannot send without a CORS preflight the emulator never
// answers.
//
// In-process use: a request handed to ServeHTTP directly (an HTTP mock's
// responder, a custom RoundTripper, httptest.NewRecorder) came over no
// network connection, so no web page can have sent it: the REST API then
// accepts any Host (an emulator behind an HTTP mock sees
// conversations.twilio.com, a test's httptest.NewRequest example.com); the
// control API still wants a loopback name or an allowed host. Whether a
// request came through a listener is read from http.LocalAddrContextKey,
// which net/http's Server sets: a handler in front of the emulator must keep
// the request's context (derive from it, as middleware does).

// access is what a control route requires beyond the Host check.
type access int

const (
	accessPublic access = iota // Host check only (health, the inspector's static files)
	accessRead                 // credentials and Origin check
	accessWrite                // credentials, Origin check and a JSON body
)

// controlConfig is the configuration of the control API and of the
// start-up webhook target (part of config).
type controlConfig struct {
	allowedHosts []string // extra host names (no port) the Host check accepts
	webhookURL   string   // WithWebhookURL
}

// WithAllowedHosts adds host names (without port) that the Host check of
// every route accepts besides the loopback names and the address the
// emulator was reached on: for example a container's name when the emulator
// is reached through it. The port must still be the one the connection came
// in on.
func WithAllowedHosts(hosts ...string) Option {
	return func(c *config) {
		for _, h := range hosts {
			c.control.allowedHosts = append(c.control.allowedHosts, strings.ToLower(strings.Trim(h, " []")))
		}
	}
}

// hostAllowed reports whether r's Host header names the emulator itself: a
// loopback name (127.0.0.1, localhost, ::1), the IP the connection was
// accepted on, or an allowed host, each with the port the connection was
// accepted on. When the request did not come through a listener (ServeHTTP
// called directly), the loopback names pass with any port. A REST request
// (rest) also passes with one of Twilio's API hosts, any port, and with any
// Host when it did not come through a listener.
func (e *Emulator) hostAllowed(r *http.Request, rest bool) bool {
	host, port := splitHostPort(r.Host)
	local, _ := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if rest && (local == nil || twilioAPIHost(host)) {
		return true
	}
	if host == "" {
		return false
	}
	tcp, _ := local.(*net.TCPAddr)
	if port == "" { // browsers leave the scheme's default port out
		port = "80"
		if r.TLS != nil {
			port = "443"
		}
	}
	if tcp != nil && port != strconv.Itoa(tcp.Port) {
		return false
	}
	switch host {
	case "127.0.0.1", "localhost", "::1":
		return true
	}
	if tcp != nil && !tcp.IP.IsUnspecified() {
		if ip := net.ParseIP(host); ip != nil && ip.Equal(tcp.IP) {
			return true
		}
	}
	for _, h := range e.cfg.control.allowedHosts {
		if h == host {
			return true
		}
	}
	return false
}

// twilioAPIHost reports whether host (lowercase, no port) is one of the
// hosts Twilio serves this API on: conversations.twilio.com and the Media
// Content Service mcs.us1.twilio.com, or their edge and region forms
// (conversations.dublin.ie1.twilio.com, mcs.ie1.twilio.com). No trailing
// dot: "conversations.twilio.com." is another name to a browser.
func twilioAPIHost(host string) bool {
	first, rest, ok := strings.Cut(host, ".")
	if !ok || (first != "conversations" && first != "mcs") {
		return false
	}
	return rest == "twilio.com" || strings.HasSuffix(rest, ".twilio.com")
}

// restGuard applies the Host and Origin checks to a request outside the
// control API, and returns the error to answer with (Twilio's error body),
// or nil.
func (e *Emulator) restGuard(r *http.Request) error {
	if !e.hostAllowed(r, true) {
		return errorf(http.StatusForbidden, codeForbidden, "Host %q is not this emulator's address (DNS rebinding protection; see -allow-host or WithAllowedHosts)", truncateLog(r.Host, 256))
	}
	if !e.originAllowed(r) {
		return errorf(http.StatusForbidden, codeForbidden, "Cross-origin request refused: Origin %q is not this emulator", truncateLog(r.Header.Get("Origin"), 256))
	}
	return nil
}

// splitHostPort splits a Host header into a lowercase host (brackets
// removed) and its port ("" when absent).
func splitHostPort(hostport string) (host, port string) {
	hostport = strings.ToLower(hostport)
	if h, p, err := net.SplitHostPort(hostport); err == nil {
		return h, p
	}
	return strings.Trim(hostport, "[]"), ""
}

// originAllowed reports whether r carries no Origin header, or the
// emulator's own origin: the scheme and Host the request came in on.
func (e *Emulator) originAllowed(r *http.Request) bool {
	origins := r.Header.Values("Origin")
	if len(origins) == 0 {
		return true
	}
	return len(origins) == 1 && strings.EqualFold(origins[0], baseURL(r))
}

// jsonBody reports whether r's Content-Type is application/json.
func jsonBody(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "application/json"
}

// guard applies the checks acc asks for to a control request (the Host
// check has been done by serveControl) and returns the error to answer
// with, or nil.
func (e *Emulator) guard(r *http.Request, acc access) error {
	if acc == accessPublic {
		return nil
	}
	if !e.authorized(r) {
		return controlErr(http.StatusUnauthorized, "the control API needs the emulator's credentials (HTTP basic auth: account SID and auth token)")
	}
	if !e.originAllowed(r) {
		return controlErr(http.StatusForbidden, "cross-origin request refused: Origin %q is not this emulator", r.Header.Get("Origin"))
	}
	if acc == accessWrite && !jsonBody(r) {
		return controlErr(http.StatusUnsupportedMediaType, "Content-Type must be application/json")
	}
	return nil
}
