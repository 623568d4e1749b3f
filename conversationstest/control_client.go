package conversationstest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ControlClient calls an emulator's control API (/_emulator/...) over HTTP:
// for tests that run cmd/conversations-emulator as a separate process, or
// any emulator reached by URL. In-process tests can call the [Emulator]'s
// methods directly instead.
type ControlClient struct {
	base, user, pass string

	// HTTPClient sends the requests; nil means http.DefaultClient.
	HTTPClient *http.Client
}

// NewControlClient returns a client of the emulator at baseURL
// (http://127.0.0.1:4010), authenticating with the account SID and auth
// token the emulator accepts.
func NewControlClient(baseURL, accountSID, authToken string) *ControlClient {
	return &ControlClient{base: strings.TrimSuffix(baseURL, "/"), user: accountSID, pass: authToken}
}

// ControlError is an error answer of the control API.
type ControlError struct {
	Status  int    `json:"status"`  // the HTTP status
	Message string `json:"message"` // what went wrong
}

// Error reports the status and the emulator's message.
func (e *ControlError) Error() string {
	return fmt.Sprintf("conversationstest: control API: HTTP %d: %s", e.Status, e.Message)
}

// InboundResult is what POST /_emulator/inbound answers: the message a
// simulated user's message became, and the conversation it landed in, as
// the REST API renders them.
type InboundResult struct {
	CreatedConversation bool            `json:"created_conversation"`
	ParticipantSid      string          `json:"participant_sid"`
	Conversation        json.RawMessage `json:"conversation"` // the Conversation resource
	Message             json.RawMessage `json:"message"`      // the Message resource

	// Filled from Conversation and Message for convenience.
	ConversationSid string `json:"-"`
	MessageSid      string `json:"-"`
	Index           int    `json:"-"`
}

// do sends one request; in (if not nil) is sent as JSON, and a 2xx answer
// is decoded into out (if not nil).
func (c *ControlClient) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("conversationstest: control API: encoding the request: %w", err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return fmt.Errorf("conversationstest: control API: %w", err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	req.SetBasicAuth(c.user, c.pass)
	hc := c.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("conversationstest: control API: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxControlBody+1))
	if err != nil {
		return fmt.Errorf("conversationstest: control API: reading the answer: %w", err)
	}
	if len(data) > maxControlBody {
		return fmt.Errorf("conversationstest: control API: the answer exceeds %d bytes", maxControlBody)
	}
	if resp.StatusCode >= 300 {
		ce := &ControlError{Status: resp.StatusCode}
		if json.Unmarshal(data, ce) != nil || ce.Message == "" {
			ce.Message = strings.TrimSpace(string(data))
		}
		ce.Status = resp.StatusCode
		return ce
	}
	if out == nil {
		return nil
	}
	if raw, ok := out.(*[]byte); ok {
		*raw = data
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("conversationstest: control API: decoding the answer: %w", err)
	}
	return nil
}

// Health reports whether the emulator serves (GET /_emulator/health).
func (c *ControlClient) Health(ctx context.Context) error {
	return c.do(ctx, http.MethodGet, "/_emulator/health", nil, nil)
}

// Inbound simulates a user writing in (POST /_emulator/inbound).
func (c *ControlClient) Inbound(ctx context.Context, in InboundRequest) (*InboundResult, error) {
	var res InboundResult
	if err := c.do(ctx, http.MethodPost, "/_emulator/inbound", in, &res); err != nil {
		return nil, err
	}
	var conv struct {
		Sid string `json:"sid"`
	}
	var msg struct {
		Sid   string `json:"sid"`
		Index int    `json:"index"`
	}
	if json.Unmarshal(res.Conversation, &conv) != nil || json.Unmarshal(res.Message, &msg) != nil {
		return nil, fmt.Errorf("conversationstest: control API: the inbound answer lacks its conversation or message")
	}
	res.ConversationSid, res.MessageSid, res.Index = conv.Sid, msg.Sid, msg.Index
	return &res, nil
}

// SendGroupMMS simulates a Group MMS (POST /_emulator/inbound with
// others), as [Emulator.SendGroupMMS] does in process: the user at from
// texts the group's Twilio number to together with the users at others.
func (c *ControlClient) SendGroupMMS(ctx context.Context, from, to string, others []string, body string) (*InboundResult, error) {
	if len(others) == 0 {
		return nil, errors.New("conversationstest: SendGroupMMS needs at least one other recipient")
	}
	return c.Inbound(ctx, InboundRequest{Channel: "sms", From: from, To: to, Others: others, Body: body})
}

// Phones lists the simulated phones that received messages
// (GET /_emulator/phones).
func (c *ControlClient) Phones(ctx context.Context) ([]PhoneSummary, error) {
	var res struct {
		Phones []PhoneSummary `json:"phones"`
	}
	err := c.do(ctx, http.MethodGet, "/_emulator/phones", nil, &res)
	return res.Phones, err
}

// Phone returns, oldest first, what the simulated SMS or WhatsApp address
// received (GET /_emulator/phones/{address}).
func (c *ControlClient) Phone(ctx context.Context, address string) ([]PhoneMessage, error) {
	var res struct {
		Messages []PhoneMessage `json:"messages"`
	}
	err := c.do(ctx, http.MethodGet, "/_emulator/phones/"+url.PathEscape(address), nil, &res)
	return res.Messages, err
}

// SetDeliveries makes later deliveries to address fail ("failed"), go
// undelivered ("undelivered") or succeed again ("delivered")
// (POST /_emulator/deliveries).
func (c *ControlClient) SetDeliveries(ctx context.Context, address, status string) error {
	return c.do(ctx, http.MethodPost, "/_emulator/deliveries", DeliveryRule{Address: address, Status: status}, nil)
}

// FailingDeliveries lists the addresses whose deliveries fail
// (GET /_emulator/deliveries).
func (c *ControlClient) FailingDeliveries(ctx context.Context) ([]DeliveryRule, error) {
	var res struct {
		Failing []DeliveryRule `json:"failing"`
	}
	err := c.do(ctx, http.MethodGet, "/_emulator/deliveries", nil, &res)
	return res.Failing, err
}

// AdvanceClock moves the emulator's clock forward by d, firing the timers
// that fall due (POST /_emulator/clock). d is sent as an ISO 8601 duration
// in whole milliseconds.
func (c *ControlClient) AdvanceClock(ctx context.Context, d time.Duration) (*ClockState, error) {
	if d < 0 {
		return nil, fmt.Errorf("conversationstest: control API: the clock cannot move back (%s)", d)
	}
	iso := "PT" + strconv.FormatFloat(float64(d.Milliseconds())/1000, 'f', -1, 64) + "S"
	var res ClockState
	if err := c.do(ctx, http.MethodPost, "/_emulator/clock", map[string]string{"advance": iso}, &res); err != nil {
		return nil, err
	}
	return &res, nil
}

// Clock returns the emulator's clock (GET /_emulator/clock).
func (c *ControlClient) Clock(ctx context.Context) (*ClockState, error) {
	var res ClockState
	if err := c.do(ctx, http.MethodGet, "/_emulator/clock", nil, &res); err != nil {
		return nil, err
	}
	return &res, nil
}

// Webhooks returns the webhook deliveries logged after the one with ID
// afterID (0: all the log holds), oldest first (GET /_emulator/webhooks).
func (c *ControlClient) Webhooks(ctx context.Context, afterID int64) ([]WebhookDelivery, error) {
	var res struct {
		Deliveries []WebhookDelivery `json:"deliveries"`
	}
	err := c.do(ctx, http.MethodGet, "/_emulator/webhooks?after="+strconv.FormatInt(afterID, 10), nil, &res)
	return res.Deliveries, err
}

// Reset brings the emulator back to a fresh start (POST /_emulator/reset).
func (c *ControlClient) Reset(ctx context.Context) error {
	return c.do(ctx, http.MethodPost, "/_emulator/reset", struct{}{}, nil)
}

// ExportState returns the emulator's whole state as a JSON document
// (GET /_emulator/state).
func (c *ControlClient) ExportState(ctx context.Context) ([]byte, error) {
	var data []byte
	err := c.do(ctx, http.MethodGet, "/_emulator/state", nil, &data)
	return data, err
}

// ImportState replaces the emulator's state with a document from
// ExportState (PUT /_emulator/state).
func (c *ControlClient) ImportState(ctx context.Context, state []byte) error {
	if !json.Valid(state) {
		return fmt.Errorf("conversationstest: control API: the state is not JSON")
	}
	return c.do(ctx, http.MethodPut, "/_emulator/state", json.RawMessage(state), nil)
}

// RegisterBinding registers a push binding for an identity, as a client SDK
// does (POST /_emulator/bindings), and returns its SID (BS…).
func (c *ControlClient) RegisterBinding(ctx context.Context, in BindingRequest) (string, error) {
	var res struct {
		Sid string `json:"sid"`
	}
	err := c.do(ctx, http.MethodPost, "/_emulator/bindings", in, &res)
	return res.Sid, err
}
