package conversationstest

import (
	"errors"
	"mime"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"
)

// InboundMedia is a file a simulated user attaches to an inbound message
// (an MMS picture, a WhatsApp document). In JSON, data is base64.
type InboundMedia struct {
	ContentType string `json:"content_type"`
	Filename    string `json:"filename,omitempty"`
	Data        []byte `json:"data"`
}

// maxInboundMedia is the most files one inbound message carries (Twilio's
// limit for an MMS).
const maxInboundMedia = 10

// InboundRequest is a simulated user writing in (POST /_emulator/inbound).
// For "sms" and "whatsapp", From is the user's address and To the proxy
// address; for "chat", Conversation (SID or unique name) and Identity.
//
// Others makes an "sms" message a Group MMS, as [Emulator.SendGroupMMS]
// sends it: To is then the group's Twilio number and Others the group
// message's other recipients (the addresses besides From and To that an
// inbound Group MMS carries). It lands in the open group conversation of To
// whose members are exactly From and Others, or auto-creates one.
type InboundRequest struct {
	Channel      string         `json:"channel"` // sms, whatsapp or chat
	From         string         `json:"from,omitempty"`
	To           string         `json:"to,omitempty"`
	Others       []string       `json:"others,omitempty"` // Group MMS (sms only)
	Conversation string         `json:"conversation,omitempty"`
	Identity     string         `json:"identity,omitempty"`
	Body         string         `json:"body"`
	Media        []InboundMedia `json:"media,omitempty"`
}

// storeMedia stores files on the Media Content Service of svc, unattached,
// and returns their SIDs. The lock must be held.
func (e *Emulator) storeMedia(svc *service, media []InboundMedia) []string {
	var sids []string
	for _, md := range media {
		m := &mediaFile{
			sid:         newSID("ME"),
			serviceSid:  svc.sid,
			created:     e.nowLocked(),
			contentType: md.ContentType,
			filename:    md.Filename,
			data:        md.Data,
		}
		e.media.put(m.sid, m)
		sids = append(sids, m.sid)
	}
	return sids
}

// mediaBody is the body of an inbound message: none when it carries media
// and no text, as for an MMS without text.
func mediaBody(body string, media []InboundMedia) *string {
	if body == "" && len(media) > 0 {
		return nil
	}
	return &body
}

func checkInbound(in *InboundRequest) error {
	switch in.Channel {
	case "sms", "whatsapp":
		if in.From == "" || in.To == "" {
			return controlErr(http.StatusBadRequest, "from and to are required for channel %s", in.Channel)
		}
		if in.Conversation != "" || in.Identity != "" {
			return controlErr(http.StatusBadRequest, "conversation and identity are for channel chat; channel %s uses from and to", in.Channel)
		}
	case "chat":
		if in.Conversation == "" || in.Identity == "" {
			return controlErr(http.StatusBadRequest, "conversation and identity are required for channel chat")
		}
		if in.From != "" || in.To != "" {
			return controlErr(http.StatusBadRequest, "from and to are for channels sms and whatsapp; channel chat uses conversation and identity")
		}
	default:
		return controlErr(http.StatusBadRequest, `channel must be "sms", "whatsapp" or "chat", not %q`, in.Channel)
	}
	if in.Others != nil {
		if in.Channel != "sms" {
			return controlErr(http.StatusBadRequest, "others (a Group MMS) is for channel sms only, not %s", in.Channel)
		}
		if err := checkGroupMMS(in.From, in.To, in.Others); err != nil {
			return controlErr(http.StatusBadRequest, "%s", strings.TrimPrefix(err.Error(), "conversationstest: "))
		}
	}
	if in.Body == "" && len(in.Media) == 0 {
		return controlErr(http.StatusBadRequest, "body or media is required")
	}
	if len(in.Media) > maxInboundMedia {
		return controlErr(http.StatusBadRequest, "at most %d media files, got %d", maxInboundMedia, len(in.Media))
	}
	for i, md := range in.Media {
		if _, _, err := mime.ParseMediaType(md.ContentType); md.ContentType == "" || err != nil {
			return controlErr(http.StatusBadRequest, "media[%d].content_type must be a MIME type, got %q", i, md.ContentType)
		}
		if len(md.Data) == 0 {
			return controlErr(http.StatusBadRequest, "media[%d].data is empty (base64 of the file)", i)
		}
		if len(md.Data) > mediaMaxSize {
			return controlErr(http.StatusBadRequest, "media[%d] exceeds %d bytes", i, mediaMaxSize)
		}
	}
	return nil
}

func (e *Emulator) controlInbound(r *http.Request) (int, any, error) {
	var in InboundRequest
	if err := decodeJSON(r, &in); err != nil {
		return 0, nil, err
	}
	if err := checkInbound(&in); err != nil {
		return 0, nil, err
	}
	var (
		res InboundMessage
		err error
	)
	switch in.Channel {
	case "sms":
		res, err = e.receive(inboundMessage{from: in.From, to: in.To, others: slices.Clone(in.Others), body: in.Body, media: in.Media})
	case "whatsapp":
		res, err = e.inbound(whatsapp(in.From), whatsapp(in.To), in.Body, in.Media)
	case "chat":
		res, err = e.sendChat(in.Conversation, in.Identity, in.Body, in.Media)
	}
	if err != nil {
		return 0, nil, inboundError(err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	conv := e.conversationBySid(res.ConversationSid)
	if conv == nil {
		return 0, nil, controlErr(http.StatusConflict, "conversation %s was removed meanwhile", res.ConversationSid)
	}
	m, ok := conv.messages.get(res.MessageSid)
	if !ok {
		return 0, nil, controlErr(http.StatusConflict, "message %s was removed meanwhile", res.MessageSid)
	}
	c := &call{e: e, r: r, base: baseURL(r), scoped: conv.svc != e.defaultSvc}
	return http.StatusCreated, map[string]any{
		"created_conversation": res.CreatedConversation,
		"participant_sid":      res.ParticipantSid,
		"conversation":         e.renderConversation(c, conv),
		"message":              e.renderMessage(c, conv, m),
	}, nil
}

// conversationBySid returns the conversation sid in any service, or nil.
// The lock must be held.
func (e *Emulator) conversationBySid(sid string) *conversation {
	for _, svc := range e.services.all() {
		if conv, ok := svc.conversations.get(sid); ok {
			return conv
		}
	}
	return nil
}

// inboundError maps a simulation error to a control API error.
func inboundError(err error) error {
	var ae *apiError
	switch {
	case errors.Is(err, ErrNoConversation):
		return controlErr(http.StatusNotFound, "no open conversation holds this address with this proxy address, and no address configuration of the proxy address has auto-creation enabled")
	case errors.Is(err, ErrRejected):
		return controlErr(http.StatusForbidden, "%s", strings.TrimPrefix(err.Error(), "conversationstest: "))
	case errors.As(err, &ae) && ae.Code == codeClosed:
		return controlErr(http.StatusConflict, "%s", ae.Message)
	case errors.As(err, &ae):
		return controlErr(ae.Status, "%s", ae.Message)
	case strings.Contains(err.Error(), "not found"):
		return controlErr(http.StatusNotFound, "%s", strings.TrimPrefix(err.Error(), "conversationstest: "))
	default:
		return controlErr(http.StatusBadRequest, "%s", strings.TrimPrefix(err.Error(), "conversationstest: "))
	}
}

// PhoneMedia is a file a simulated phone received.
type PhoneMedia struct {
	Sid         string `json:"sid"`
	ContentType string `json:"content_type"`
	Filename    string `json:"filename,omitempty"`
	Size        int    `json:"size"`
}

// PhoneMessage is a message a simulated SMS or WhatsApp phone received, with
// its delivery status (GET /_emulator/phones/{address}).
type PhoneMessage struct {
	From              string       `json:"from"`
	To                string       `json:"to"`
	Channel           string       `json:"channel"`
	Body              string       `json:"body"`
	Media             []PhoneMedia `json:"media"`
	Author            string       `json:"author"`
	ConversationSid   string       `json:"conversation_sid"`
	MessageSid        string       `json:"message_sid"`
	ChannelMessageSid string       `json:"channel_message_sid"`
	DateSent          time.Time    `json:"date_sent"`
	Status            string       `json:"status"` // the receipt's: sent, then delivered
	ErrorCode         int          `json:"error_code"`
}

// PhoneSummary is one simulated phone that received messages.
type PhoneSummary struct {
	Address string `json:"address"`
	Count   int    `json:"count"`
}

func (e *Emulator) controlPhones(*http.Request) (int, any, error) {
	e.mu.Lock()
	out := make([]PhoneSummary, 0, len(e.phones))
	for addr, msgs := range e.phones {
		out = append(out, PhoneSummary{addr, len(msgs)})
	}
	e.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Address < out[j].Address })
	return http.StatusOK, map[string]any{"phones": out}, nil
}

func (e *Emulator) controlPhone(r *http.Request) (int, any, error) {
	addr := r.PathValue("address")
	if addr == "" {
		return 0, nil, controlErr(http.StatusBadRequest, "address is required")
	}
	e.lock()
	defer e.unlock()
	msgs := e.phones[addr]
	out := make([]PhoneMessage, 0, len(msgs))
	for _, sm := range msgs {
		pm := PhoneMessage{
			From: sm.From, To: sm.To, Channel: sm.Channel, Body: sm.Body, Author: sm.Author,
			ConversationSid: sm.ConversationSid, MessageSid: sm.MessageSid,
			ChannelMessageSid: sm.ChannelMessageSid, DateSent: sm.DateSent,
			Media: []PhoneMedia{}, Status: "delivered",
		}
		var msg *message
		if conv := e.conversationBySid(sm.ConversationSid); conv != nil {
			msg, _ = conv.messages.get(sm.MessageSid)
		}
		for _, sid := range sm.MediaSids {
			md := PhoneMedia{Sid: sid}
			if msg != nil {
				for _, ref := range msg.media {
					if ref.Sid == sid {
						md.ContentType, md.Size = ref.ContentType, ref.Size
						if ref.Filename != nil {
							md.Filename = *ref.Filename
						}
					}
				}
			}
			pm.Media = append(pm.Media, md)
		}
		if msg != nil {
			if rc, ok := msg.receipts.find(func(rc *receipt) bool { return rc.channelMessageSid == sm.ChannelMessageSid }); ok {
				pm.Status, pm.ErrorCode = rc.status, rc.errorCode
			}
		}
		out = append(out, pm)
	}
	return http.StatusOK, map[string]any{"address": addr, "messages": out}, nil
}
