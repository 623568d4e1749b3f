package conversations

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"time"
)

// Message is a message of a conversation.
type Message struct {
	SID             string `json:"sid"`
	AccountSID      string `json:"account_sid"`
	ChatServiceSID  string `json:"chat_service_sid"`
	ConversationSID string `json:"conversation_sid"`
	// Index orders the messages of a conversation; it may skip numbers.
	Index  int    `json:"index"`
	Author string `json:"author"`
	Body   string `json:"body"`
	// Media are the files attached to the message; nil when none. Upload a
	// file with [MediaService.Upload] to attach it.
	Media      MessageMediaList `json:"media"`
	Attributes Attributes       `json:"attributes"`
	// ParticipantSID is empty for messages not sent by a participant.
	ParticipantSID string           `json:"participant_sid"`
	DateCreated    time.Time        `json:"date_created"`
	DateUpdated    time.Time        `json:"date_updated"`
	URL            string           `json:"url"`
	Delivery       *DeliverySummary `json:"delivery"`
	Links          MessageLinks     `json:"links"`
	ContentSID     string           `json:"content_sid"`
}

// MessageMedia describes a media file attached to a message (the message's
// media field). The file itself, on the Media Content Service, is a
// [MediaInfo]; note that its name is filename here and file_name there.
type MessageMedia struct {
	SID         string `json:"sid"`
	Size        int64  `json:"size"`
	ContentType string `json:"content_type"`
	Filename    string `json:"filename"`
}

// DeliveryAmount says how many of a message's non-chat recipients reached a
// delivery status: [DeliveryAll], [DeliverySome] or [DeliveryNone].
type DeliveryAmount string

// Delivery amounts of a [DeliverySummary].
const (
	DeliveryAll  DeliveryAmount = "all"
	DeliverySome DeliveryAmount = "some"
	DeliveryNone DeliveryAmount = "none"
)

// DeliverySummary sums up a message's delivery to non-chat participants; nil
// when the conversation has none.
type DeliverySummary struct {
	Total       int            `json:"total"`
	Sent        DeliveryAmount `json:"sent"`
	Delivered   DeliveryAmount `json:"delivered"`
	Read        DeliveryAmount `json:"read"`
	Failed      DeliveryAmount `json:"failed"`
	Undelivered DeliveryAmount `json:"undelivered"`
}

// MessageLinks are the URLs of a message's sub-resources.
type MessageLinks struct {
	DeliveryReceipts string `json:"delivery_receipts"`
	ChannelMetadata  string `json:"channel_metadata"`
}

// ContentVariables are the values of a Content template's placeholders,
// such as {"1": "Jane"}; sent as a JSON object.
type ContentVariables map[string]string

// EncodeValues implements the go-querystring Encoder interface.
func (c ContentVariables) EncodeValues(key string, v *url.Values) error {
	if len(c) == 0 {
		return nil
	}
	b, err := json.Marshal(map[string]string(c))
	if err != nil {
		return err
	}
	v.Set(key, string(b))
	return nil
}

// MessageCreateParams are the parameters of [MessagesService.Create]. A
// message needs a Body, a MediaSID or a ContentSID.
type MessageCreateParams struct {
	// Author is the message's author; Twilio uses "system" when empty.
	Author     string     `url:"Author,omitempty"`
	Body       string     `url:"Body,omitempty"`
	Attributes Attributes `url:"Attributes,omitempty"`
	// MediaSID attaches one uploaded media file (ME...).
	MediaSID string `url:"MediaSid,omitempty"`
	// ContentSID sends a Content template (HX...); it overrides Body and
	// MediaSID. ContentVariables fills its placeholders.
	ContentSID       string           `url:"ContentSid,omitempty"`
	ContentVariables ContentVariables `url:"ContentVariables,omitempty"`
	// Subject is the subject of email messages.
	Subject     string    `url:"Subject,omitempty"`
	DateCreated time.Time `url:"DateCreated,omitempty"`
	DateUpdated time.Time `url:"DateUpdated,omitempty"`
	// WebhookEnabled sends X-Twilio-Webhook-Enabled: true.
	WebhookEnabled bool `url:"-"`
}

// isSID reports whether s is a SID with the two-letter prefix: the prefix
// and 32 hexadecimal digits.
func isSID(s, prefix string) bool {
	if len(s) != len(prefix)+32 || s[:len(prefix)] != prefix {
		return false
	}
	for _, c := range []byte(s[len(prefix):]) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

func (p *MessageCreateParams) webhookEnabled() bool { return p != nil && p.WebhookEnabled }

func (p *MessageCreateParams) validate() error {
	if p == nil || p.Body == "" && p.MediaSID == "" && p.ContentSID == "" {
		return fmt.Errorf("%w: Body, MediaSid or ContentSid", ErrEmptyParameter)
	}
	if p.MediaSID != "" && !isSID(p.MediaSID, "ME") {
		return fmt.Errorf("conversations: MediaSid %q is not a media SID (ME + 32 hex digits)", p.MediaSID)
	}
	if p.ContentSID != "" && !isSID(p.ContentSID, "HX") {
		return fmt.Errorf("conversations: ContentSid %q is not a content SID (HX + 32 hex digits)", p.ContentSID)
	}
	return nil
}

// MessageUpdateParams are the parameters of [MessagesService.Update].
type MessageUpdateParams struct {
	Author      string     `url:"Author,omitempty"`
	Body        string     `url:"Body,omitempty"`
	Attributes  Attributes `url:"Attributes,omitempty"`
	Subject     string     `url:"Subject,omitempty"`
	DateCreated time.Time  `url:"DateCreated,omitempty"`
	DateUpdated time.Time  `url:"DateUpdated,omitempty"`
	// WebhookEnabled sends X-Twilio-Webhook-Enabled: true.
	WebhookEnabled bool `url:"-"`
}

func (p *MessageUpdateParams) webhookEnabled() bool { return p != nil && p.WebhookEnabled }

// MessageListParams are the parameters of [MessagesService.List].
type MessageListParams struct {
	// Order is OrderAsc (oldest first, the default) or OrderDesc.
	Order Order `url:"Order,omitempty"`
	// PageSize is how many items one request asks for, clamped to the
	// list's maximum (in its List method's doc). Zero means Limit when that
	// is set, Twilio's default (50) otherwise. It does not limit the items
	// returned: Limit does.
	PageSize int `url:"PageSize,omitempty"`
	// Limit is the most items the list returns, over all pages: it stops
	// fetching once Limit items arrived. Zero means every item.
	Limit int `url:"-"`
}

const (
	messagesPath = "Conversations/{ConversationSid}/Messages"
	messagePath  = messagesPath + "/{Sid}"
)

// Create sends a message to a conversation. It is never retried once it
// may have reached Twilio, so a message is not sent twice.
//
// POST /v1/Conversations/{ConversationSid}/Messages
func (s *MessagesService) Create(ctx context.Context, conversationSID string, params *MessageCreateParams) (*Message, error) {
	return doCall[Message](ctx, (*service)(s), http.MethodPost, messagesPath, params, conversationSID)
}

// Fetch fetches a message.
//
// GET /v1/Conversations/{ConversationSid}/Messages/{Sid}
func (s *MessagesService) Fetch(ctx context.Context, conversationSID, sid string) (*Message, error) {
	return doCall[Message](ctx, (*service)(s), http.MethodGet, messagePath, nil, conversationSID, sid)
}

// Update updates a message's body, author or attributes.
//
// POST /v1/Conversations/{ConversationSid}/Messages/{Sid}
func (s *MessagesService) Update(ctx context.Context, conversationSID, sid string, params *MessageUpdateParams) (*Message, error) {
	return doCall[Message](ctx, (*service)(s), http.MethodPost, messagePath, params, conversationSID, sid)
}

// Delete deletes a message.
//
// DELETE /v1/Conversations/{ConversationSid}/Messages/{Sid}
func (s *MessagesService) Delete(ctx context.Context, conversationSID, sid string, params *DeleteParams) error {
	return (*service)(s).call(ctx, http.MethodDelete, messagePath, params, nil, conversationSID, sid)
}

// List iterates over the history of a conversation, oldest first unless
// params.Order is OrderDesc.
//
// A page holds at most 100 items (a larger PageSize is clamped); params.Limit
// ends the list early.
//
// GET /v1/Conversations/{ConversationSid}/Messages
func (s *MessagesService) List(ctx context.Context, conversationSID string, params *MessageListParams) iter.Seq2[*Message, error] {
	return listAll[Message](ctx, (*service)(s), messagesPath, "messages", 100, params, conversationSID)
}

// Pager reads the history of a conversation one page at a time.
//
// A page holds at most 100 items; params.Limit ends the list early.
func (s *MessagesService) Pager(conversationSID string, params *MessageListParams) *Pager[Message] {
	return newPager[Message]((*service)(s), messagesPath, "messages", 100, params, conversationSID)
}
