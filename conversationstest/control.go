package conversationstest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/conversations-go/conversations"
)

// The control API: routes under /_emulator/ that drive the emulator from
// outside Go (simulated users, phones, deliveries, clock, webhook log,
// reset, state). Its shapes are documented in docs/emulator.md; [ControlClient]
// calls it from Go.

// controlPrefix is the path prefix of the control API; no Twilio path uses it.
const controlPrefix = "/_emulator/"

// maxControlBody is the largest JSON body the control API reads (a state
// document with media can be large).
const maxControlBody = 256 << 20

// controlHandler serves one JSON control route: it returns the status and
// the body to encode, or an error (a *controlError, or any error as a 500).
type controlHandler func(r *http.Request) (int, any, error)

// controlError is a control API error, rendered as
// {"status": N, "message": "..."}.
type controlError struct {
	Status  int    `json:"status"`
	Message string `json:"message"`
}

func (e *controlError) Error() string { return e.Message }

func controlErr(status int, format string, args ...any) error {
	return &controlError{Status: status, Message: fmt.Sprintf(format, args...)}
}

func isControlPath(path string) bool {
	return strings.HasPrefix(path, controlPrefix) || path == strings.TrimSuffix(controlPrefix, "/")
}

// serveControl serves a /_emulator/ request: the Host check, then the
// route's own guards and handler. It never sends WWW-Authenticate.
func (e *Emulator) serveControl(w http.ResponseWriter, r *http.Request) {
	if !e.hostAllowed(r, false) {
		writeControlError(w, controlErr(http.StatusForbidden, "Host %q is not this emulator's address (DNS rebinding protection; see WithAllowedHosts)", r.Host))
		return
	}
	e.control.ServeHTTP(w, r)
}

// controlRoute registers a JSON control route behind the guards acc asks for.
func (e *Emulator) controlRoute(method, pattern string, acc access, h controlHandler) {
	e.controlRaw(method+" "+pattern, acc, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		status, body, err := h(r)
		if err != nil {
			writeControlError(w, err)
			return
		}
		writeControlJSON(w, status, body)
	}))
}

// controlRaw registers any handler under a full ServeMux pattern (such as
// "GET /_emulator/ui/") behind the guards acc asks for.
func (e *Emulator) controlRaw(pattern string, acc access, h http.Handler) {
	e.control.Handle(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := e.guard(r, acc); err != nil {
			writeControlError(w, err)
			return
		}
		h.ServeHTTP(w, r)
	}))
}

func writeControlJSON(w http.ResponseWriter, status int, body any) {
	data, err := encodeBody(body) // encode.go
	if err != nil {
		status = http.StatusInternalServerError
		data, _ = encodeBody(&controlError{Status: status, Message: "the answer could not be encoded: " + err.Error()})
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(data)
}

func writeControlError(w http.ResponseWriter, err error) {
	var ce *controlError
	if !errors.As(err, &ce) {
		ce = &controlError{Status: http.StatusInternalServerError, Message: err.Error()}
	}
	writeControlJSON(w, ce.Status, ce)
}

// decodeJSON reads r's body into v, refusing unknown fields, trailing data
// and bodies over limit. An empty body decodes as {}.
func decodeJSON(r *http.Request, v any) error {
	data, err := io.ReadAll(io.LimitReader(r.Body, maxControlBody+1))
	if err != nil {
		return controlErr(http.StatusBadRequest, "reading the body: %v", err)
	}
	if len(data) > maxControlBody {
		return controlErr(http.StatusRequestEntityTooLarge, "the body exceeds %d bytes", maxControlBody)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		data = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return controlErr(http.StatusBadRequest, "invalid JSON body: %v", err)
	}
	if dec.More() {
		return controlErr(http.StatusBadRequest, "invalid JSON body: data after the JSON value")
	}
	return nil
}

func (e *Emulator) controlRoutes() {
	e.control = http.NewServeMux()
	e.controlRoute("GET", "/_emulator/health", accessPublic, func(*http.Request) (int, any, error) {
		return http.StatusOK, map[string]string{"status": "ok"}, nil
	})
	e.controlRoute("POST", "/_emulator/inbound", accessWrite, e.controlInbound)
	e.controlRoute("GET", "/_emulator/phones", accessRead, e.controlPhones)
	e.controlRoute("GET", "/_emulator/phones/{address}", accessRead, e.controlPhone)
	e.controlRoute("GET", "/_emulator/deliveries", accessRead, e.controlFailing)
	e.controlRoute("POST", "/_emulator/deliveries", accessWrite, e.controlDeliveries)
	e.controlRoute("GET", "/_emulator/clock", accessRead, e.controlClock)
	e.controlRoute("POST", "/_emulator/clock", accessWrite, e.controlAdvance)
	e.controlRoute("GET", "/_emulator/webhooks", accessRead, e.controlWebhooks)
	e.controlRoute("POST", "/_emulator/reset", accessWrite, e.controlReset)
	e.controlRoute("GET", "/_emulator/state", accessRead, e.controlExport)
	e.controlRoute("PUT", "/_emulator/state", accessWrite, e.controlImport)
	e.controlRoute("POST", "/_emulator/bindings", accessWrite, e.controlBinding)
	e.inspectorRoutes() // ui.go
	e.control.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeControlError(w, controlErr(http.StatusNotFound, "no control route %s %s", r.Method, r.URL.Path))
	})
}

// DeliveryRule is one address whose deliveries fail, as listed by
// GET /_emulator/deliveries.
type DeliveryRule struct {
	Address string `json:"address"`
	Status  string `json:"status"` // failed or undelivered
}

func (e *Emulator) controlFailing(*http.Request) (int, any, error) {
	e.mu.Lock()
	out := make([]DeliveryRule, 0, len(e.failures))
	for addr, f := range e.failures {
		out = append(out, DeliveryRule{addr, f.status})
	}
	e.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Address < out[j].Address })
	return http.StatusOK, map[string]any{"failing": out}, nil
}

func (e *Emulator) controlDeliveries(r *http.Request) (int, any, error) {
	var in DeliveryRule
	if err := decodeJSON(r, &in); err != nil {
		return 0, nil, err
	}
	if in.Address == "" {
		return 0, nil, controlErr(http.StatusBadRequest, "address is required")
	}
	switch s := conversations.DeliveryStatus(in.Status); s {
	case conversations.DeliveryFailed, conversations.DeliveryUndelivered, conversations.DeliveryDelivered:
		e.FailDeliveriesTo(in.Address, s)
	default:
		return 0, nil, controlErr(http.StatusBadRequest, "status must be failed, undelivered or delivered, not %q", in.Status)
	}
	return http.StatusOK, in, nil
}

// ClockState is the emulator's clock, as GET and POST /_emulator/clock
// answer.
type ClockState struct {
	Now           time.Time `json:"now"`
	OffsetSeconds float64   `json:"offset_seconds"` // how far Advance has moved it
	Frozen        bool      `json:"frozen"`         // WithClock: it moves only when advanced
}

func (e *Emulator) clockState() ClockState {
	e.mu.Lock()
	defer e.mu.Unlock()
	return ClockState{Now: e.nowLocked(), OffsetSeconds: e.clockOffset.Seconds(), Frozen: !e.cfg.start.IsZero()}
}

func (e *Emulator) controlClock(*http.Request) (int, any, error) {
	e.Advance(0) // fire what is due, so the state matches the time shown
	return http.StatusOK, e.clockState(), nil
}

func (e *Emulator) controlAdvance(r *http.Request) (int, any, error) {
	var in struct {
		Advance string `json:"advance"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return 0, nil, err
	}
	d, ok := parseISODuration(in.Advance)
	if !ok {
		return 0, nil, controlErr(http.StatusBadRequest, "advance must be an ISO 8601 duration such as PT5M or P1DT2H, got %q", in.Advance)
	}
	if isoSeconds(in.Advance) > maxAdvance.Seconds() {
		return 0, nil, controlErr(http.StatusBadRequest, "advance %q is more than 100 years", in.Advance)
	}
	e.Advance(d)
	return http.StatusOK, e.clockState(), nil
}

// maxAdvance bounds one clock advance, far below time.Duration's overflow.
const maxAdvance = 100 * 365 * 24 * time.Hour

// isoSeconds is the length of a valid ISO 8601 duration in seconds, as a
// float, so that huge values are seen as huge instead of overflowing.
func isoSeconds(s string) float64 {
	m := durationRE.FindStringSubmatch(s)
	units := []float64{365 * 86400, 30 * 86400, 7 * 86400, 86400, 3600, 60, 1}
	total := 0.0
	for i, u := range units {
		if m != nil && m[i+1] != "" {
			f, _ := strconv.ParseFloat(m[i+1], 64)
			total += f * u
		}
	}
	return total
}

func (e *Emulator) controlReset(r *http.Request) (int, any, error) {
	var in struct{}
	if err := decodeJSON(r, &in); err != nil {
		return 0, nil, err
	}
	e.Reset()
	return http.StatusOK, map[string]string{"status": "reset"}, nil
}

// BindingRequest registers a push binding, as a client SDK does
// (POST /_emulator/bindings).
type BindingRequest struct {
	Identity    string `json:"identity"`
	BindingType string `json:"binding_type"` // apn, gcm, fcm or twilsock
	Address     string `json:"address"`      // the device endpoint
	ServiceSID  string `json:"service_sid,omitempty"`
}

func (e *Emulator) controlBinding(r *http.Request) (int, any, error) {
	var in BindingRequest
	if err := decodeJSON(r, &in); err != nil {
		return 0, nil, err
	}
	if in.ServiceSID != "" {
		e.mu.Lock()
		_, ok := e.services.get(in.ServiceSID)
		e.mu.Unlock()
		if !ok {
			return 0, nil, controlErr(http.StatusNotFound, "service %s not found", in.ServiceSID)
		}
	}
	sid, err := e.RegisterBinding(in.ServiceSID, in.Identity, conversations.BindingType(in.BindingType), in.Address)
	if err != nil {
		return 0, nil, controlErr(http.StatusBadRequest, "%s", strings.TrimPrefix(err.Error(), "conversationstest: RegisterBinding: "))
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	svc := e.defaultSvc
	if in.ServiceSID != "" {
		svc, _ = e.services.get(in.ServiceSID)
	}
	var b *binding
	ok := svc != nil
	if ok {
		b, ok = svc.bindings.get(sid)
	}
	if !ok { // removed between the two locks
		return 0, nil, controlErr(http.StatusConflict, "binding %s was removed meanwhile", sid)
	}
	return http.StatusCreated, e.renderBinding(&call{e: e, r: r, base: baseURL(r)}, svc, b), nil
}
