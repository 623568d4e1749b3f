package conversations

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// ConversationWebhook is a conversation-scoped webhook: a post-event webhook,
// a keyword trigger or a Studio flow attached to one conversation.
type ConversationWebhook struct {
	SID             string        `json:"sid"`
	AccountSID      string        `json:"account_sid"`
	ChatServiceSID  string        `json:"chat_service_sid"`
	ConversationSID string        `json:"conversation_sid"`
	Target          WebhookTarget `json:"target"`
	// Configuration depends on Target.
	Configuration ConversationWebhookConfiguration `json:"configuration"`
	DateCreated   time.Time                        `json:"date_created"`
	DateUpdated   time.Time                        `json:"date_updated"`
	URL           string                           `json:"url"`
}

// ConversationWebhookConfiguration is the target-dependent configuration of
// a conversation-scoped webhook: URL, Method and Filters for a webhook, URL,
// Method and Filters or Triggers (keywords) for a trigger, FlowSID for a
// Studio flow. It is decoded leniently: a known key of an unexpected type is
// left at its zero value, and Raw keeps the object as Twilio sent it.
type ConversationWebhookConfiguration struct {
	URL      string        `json:"url"`
	Method   WebhookMethod `json:"method"`
	Filters  []EventType   `json:"filters"`
	Triggers []string      `json:"triggers"`
	FlowSID  string        `json:"flow_sid"`
	// ReplayAfter is the index of the first message replayed to the
	// webhook; nil when not set.
	ReplayAfter *int `json:"replay_after"`
	// Raw is the configuration object as received, for keys not above.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes the known keys of a configuration object, skipping
// values of unexpected types; null or a non-object decodes to the zero value.
func (c *ConversationWebhookConfiguration) UnmarshalJSON(b []byte) error {
	*c = ConversationWebhookConfiguration{}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil || m == nil {
		if string(b) != "null" {
			c.Raw = append(json.RawMessage(nil), b...)
		}
		return nil
	}
	c.Raw = append(json.RawMessage(nil), b...)
	get := func(key string, v any) { _ = json.Unmarshal(m[key], v) }
	get("url", &c.URL)
	get("flow_sid", &c.FlowSID)
	c.Filters = looseStrings[EventType](m["filters"])
	c.Triggers = looseStrings[string](m["triggers"])
	var method string
	get("method", &method)
	c.Method = WebhookMethod(strings.ToUpper(method))
	c.ReplayAfter = looseInt(m["replay_after"])
	return nil
}

// looseStrings decodes an array of strings, or a single string as one item;
// anything else gives nil.
func looseStrings[S ~string](b json.RawMessage) []S {
	var list []S
	if json.Unmarshal(b, &list) == nil {
		return list
	}
	var one S
	if json.Unmarshal(b, &one) == nil && one != "" {
		return []S{one}
	}
	return nil
}

// looseInt decodes a number or a numeric string; anything else gives nil.
func looseInt(b json.RawMessage) *int {
	if len(b) == 0 || string(b) == "null" {
		return nil
	}
	var n int
	if json.Unmarshal(b, &n) == nil {
		return &n
	}
	var s string
	if json.Unmarshal(b, &s) == nil {
		if n, err := strconv.Atoi(s); err == nil {
			return &n
		}
	}
	return nil
}

// ConversationWebhookCreateParams are the parameters of
// [ConversationWebhooksService.Create].
type ConversationWebhookCreateParams struct {
	// Target is TargetWebhook, TargetTrigger or TargetStudio (required).
	Target WebhookTarget `url:"Target"`
	// ConfigurationURL is where a webhook or trigger is sent; required for
	// both.
	ConfigurationURL    string        `url:"Configuration.Url,omitempty"`
	ConfigurationMethod WebhookMethod `url:"Configuration.Method,omitempty"`
	// ConfigurationFilters are the events a webhook is sent for, such as
	// onMessageAdded.
	ConfigurationFilters []EventType `url:"Configuration.Filters,omitempty"`
	// ConfigurationTriggers are the keywords that fire a trigger.
	ConfigurationTriggers []string `url:"Configuration.Triggers,omitempty"`
	// ConfigurationFlowSID is the Studio flow (FW...) of a studio target;
	// required for it.
	ConfigurationFlowSID string `url:"Configuration.FlowSid,omitempty"`
	// ConfigurationReplayAfter replays the message with this index and all
	// later ones to the new webhook.
	ConfigurationReplayAfter *int `url:"Configuration.ReplayAfter,omitempty"`
}

func (p *ConversationWebhookCreateParams) validate() error {
	if p == nil {
		return requireField(true, "Target")
	}
	switch p.Target {
	case "":
		return requireField(true, "Target")
	case TargetWebhook, TargetTrigger:
		if err := requireField(p.ConfigurationURL == "", "Configuration.Url"); err != nil {
			return fmt.Errorf("%w (for target %s)", err, p.Target)
		}
	case TargetStudio:
		if err := requireField(p.ConfigurationFlowSID == "", "Configuration.FlowSid"); err != nil {
			return fmt.Errorf("%w (for target %s)", err, p.Target)
		}
	default:
		return fmt.Errorf("conversations: Target: %q is not webhook, trigger or studio", string(p.Target))
	}
	if p.ConfigurationReplayAfter != nil && *p.ConfigurationReplayAfter < 0 {
		return fmt.Errorf("conversations: Configuration.ReplayAfter: %d is negative", *p.ConfigurationReplayAfter)
	}
	return nil
}

// ConversationWebhookUpdateParams are the parameters of
// [ConversationWebhooksService.Update]; unset fields are not changed.
type ConversationWebhookUpdateParams struct {
	ConfigurationURL      string        `url:"Configuration.Url,omitempty"`
	ConfigurationMethod   WebhookMethod `url:"Configuration.Method,omitempty"`
	ConfigurationFilters  []EventType   `url:"Configuration.Filters,omitempty"`
	ConfigurationTriggers []string      `url:"Configuration.Triggers,omitempty"`
	ConfigurationFlowSID  string        `url:"Configuration.FlowSid,omitempty"`
}

// Create attaches a webhook, trigger or Studio flow to a conversation. A
// conversation has at most 5 (error 50361).
//
// POST /v1/Conversations/{ConversationSid}/Webhooks
func (s *ConversationWebhooksService) Create(ctx context.Context, conversationSID string, params *ConversationWebhookCreateParams) (*ConversationWebhook, error) {
	return doCall[ConversationWebhook](ctx, (*service)(s), http.MethodPost, "Conversations/{ConversationSid}/Webhooks", params, conversationSID)
}

// Fetch fetches a conversation-scoped webhook by SID (WH...).
//
// GET /v1/Conversations/{ConversationSid}/Webhooks/{Sid}
func (s *ConversationWebhooksService) Fetch(ctx context.Context, conversationSID, sid string) (*ConversationWebhook, error) {
	return doCall[ConversationWebhook](ctx, (*service)(s), http.MethodGet, "Conversations/{ConversationSid}/Webhooks/{Sid}", nil, conversationSID, sid)
}

// Update updates a conversation-scoped webhook.
//
// POST /v1/Conversations/{ConversationSid}/Webhooks/{Sid}
func (s *ConversationWebhooksService) Update(ctx context.Context, conversationSID, sid string, params *ConversationWebhookUpdateParams) (*ConversationWebhook, error) {
	return doCall[ConversationWebhook](ctx, (*service)(s), http.MethodPost, "Conversations/{ConversationSid}/Webhooks/{Sid}", params, conversationSID, sid)
}

// Delete removes a conversation-scoped webhook.
//
// DELETE /v1/Conversations/{ConversationSid}/Webhooks/{Sid}
func (s *ConversationWebhooksService) Delete(ctx context.Context, conversationSID, sid string) error {
	return (*service)(s).call(ctx, http.MethodDelete, "Conversations/{ConversationSid}/Webhooks/{Sid}", nil, nil, conversationSID, sid)
}

// List iterates over the webhooks of a conversation (pages hold at most 5).
//
// A page holds at most 5 items (a larger PageSize is clamped); params.Limit
// ends the list early.
//
// GET /v1/Conversations/{ConversationSid}/Webhooks
func (s *ConversationWebhooksService) List(ctx context.Context, conversationSID string, params *ListParams) iter.Seq2[*ConversationWebhook, error] {
	return listAll[ConversationWebhook](ctx, (*service)(s), "Conversations/{ConversationSid}/Webhooks", "webhooks", 5, params, conversationSID)
}

// Pager reads the webhooks of a conversation one page at a time.
//
// A page holds at most 5 items; params.Limit ends the list early.
func (s *ConversationWebhooksService) Pager(conversationSID string, params *ListParams) *Pager[ConversationWebhook] {
	return newPager[ConversationWebhook]((*service)(s), "Conversations/{ConversationSid}/Webhooks", "webhooks", 5, params, conversationSID)
}
