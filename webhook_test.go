package conversations

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Field values shaped like real Twilio posts.
const (
	tAccount   = "AC00000000000000000000000000000000"
	tConv      = "CH00000000000000000000000000000001"
	tMsg       = "IM00000000000000000000000000000002"
	tPart      = "MB00000000000000000000000000000003"
	tChatSvc   = "IS00000000000000000000000000000004"
	tMsgSvc    = "MG00000000000000000000000000000005"
	tUser      = "US00000000000000000000000000000006"
	tRole      = "RL00000000000000000000000000000007"
	tReceipt   = "DY00000000000000000000000000000008"
	tChanMsg   = "SM00000000000000000000000000000009"
	tMedia     = "ME0000000000000000000000000000000a"
	tCreated   = "2021-08-10T18:00:58.111Z"
	tUpdated   = "2021-08-10T18:01:00Z"
	tRemoved   = "2021-08-10T18:02:00+02:00"
	tAttrs     = `{"priority":"high"}`
	tMediaJSON = `[{"Sid":"` + tMedia + `","Filename":"x.png","ContentType":"image/png","Size":123}]`
)

var (
	wantCreated = time.Date(2021, 8, 10, 18, 0, 58, 111e6, time.UTC)
	wantUpdated = time.Date(2021, 8, 10, 18, 1, 0, 0, time.UTC)
	wantRemoved = time.Date(2021, 8, 10, 16, 2, 0, 0, time.UTC)
	wantMedia   = []EventMedia{{SID: tMedia, Filename: "x.png", ContentType: "image/png", Size: 123}}
)

func baseForm(t EventType, kv ...string) url.Values {
	f := url.Values{
		"AccountSid":     {tAccount},
		"EventType":      {string(t)},
		"Source":         {"SDK"},
		"ClientIdentity": {"alice"},
		"RetryCount":     {"0"},
	}
	for i := 0; i+1 < len(kv); i += 2 {
		f.Add(kv[i], kv[i+1])
	}
	return f
}

func wantBase(f url.Values) EventBase {
	return EventBase{AccountSID: tAccount, Source: SourceSDK, ClientIdentity: "alice", Form: f}
}

var convFields = []string{
	"ConversationSid", tConv, "DateCreated", tCreated, "DateUpdated", tUpdated,
	"FriendlyName", "Support", "UniqueName", "support-1", "Attributes", tAttrs,
	"ChatServiceSid", tChatSvc, "MessagingServiceSid", tMsgSvc, "State", "active",
}

var msgFields = []string{
	"ConversationSid", tConv, "MessageSid", tMsg, "Index", "42",
	"DateCreated", tCreated, "DateUpdated", tUpdated, "Body", "Hello",
	"Author", "+15551230000", "ParticipantSid", tPart, "Attributes", tAttrs, "Media", tMediaJSON,
}

var partFields = []string{
	"ConversationSid", tConv, "ParticipantSid", tPart, "DateCreated", tCreated, "DateUpdated", tUpdated,
	"Identity", "", "RoleSid", tRole, "Attributes", tAttrs,
	"MessagingBinding.ProxyAddress", "+15550001111", "MessagingBinding.Address", "+15552223333",
	"MessagingBinding.ProjectedAddress", "", "MessagingBinding.Type", "SMS",
}

var userFields = []string{
	"ChatServiceSid", tChatSvc, "UserSid", tUser, "DateCreated", tCreated, "DateUpdated", tUpdated,
	"Identity", "alice", "RoleSid", tRole, "Attributes", tAttrs, "FriendlyName", "Alice",
}

func cat(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

var attrs = Attributes{raw: tAttrs}

var smsBinding = EventBinding{ProxyAddress: "+15550001111", Address: []string{"+15552223333"}, Type: ChannelSMS}

// The shared field groups that convFields, msgFields, partFields and
// userFields decode to.
var (
	wantConv = ConversationFields{ConversationSID: tConv, DateCreated: wantCreated, DateUpdated: wantUpdated,
		FriendlyName: "Support", UniqueName: "support-1", Attributes: attrs, ChatServiceSID: tChatSvc,
		MessagingServiceSID: tMsgSvc, State: StateActive}
	wantMsg = MessageFields{ConversationSID: tConv, MessageSID: tMsg, Index: 42, DateCreated: wantCreated,
		Body: "Hello", Author: "+15551230000", ParticipantSID: tPart, Attributes: attrs, Media: wantMedia}
	wantPart = ParticipantFields{ConversationSID: tConv, ParticipantSID: tPart, DateCreated: wantCreated,
		RoleSID: tRole, Attributes: attrs, MessagingBinding: smsBinding}
	wantUser = UserFields{ChatServiceSID: tChatSvc, UserSID: tUser, DateCreated: wantCreated,
		Identity: "alice", RoleSID: tRole, Attributes: attrs, FriendlyName: "Alice"}
)

// eventCases builds, for every event type, the form Twilio documents for it
// and the event it must decode to.
func eventCases() []struct {
	form url.Values
	want func(url.Values) Event
} {
	type c = struct {
		form url.Values
		want func(url.Values) Event
	}
	return []c{
		{baseForm(EventConversationAdd, "FriendlyName", "Support", "UniqueName", "support-1", "Attributes", tAttrs,
			"ChatServiceSid", tChatSvc, "MessagingServiceSid", tMsgSvc,
			"MessagingBinding.ProxyAddress", "+15550001111", "MessagingBinding.Address", "+1325xxxxxxx",
			"MessagingBinding.Address", "+1415xxxxxxx", "MessagingBinding.ProjectedAddress", "+15550002222",
			"MessagingBinding.AuthorAddress", "+1325xxxxxxx", "MessageBody", "Hi all", "Media", tMediaJSON, "State", "active"),
			func(f url.Values) Event {
				return &ConversationAddEvent{EventBase: wantBase(f), FriendlyName: "Support", UniqueName: "support-1",
					Attributes: attrs, ChatServiceSID: tChatSvc, MessagingServiceSID: tMsgSvc,
					MessagingBinding: EventBinding{ProxyAddress: "+15550001111", Address: []string{"+1325xxxxxxx", "+1415xxxxxxx"},
						ProjectedAddress: "+15550002222", AuthorAddress: "+1325xxxxxxx"},
					MessageBody: "Hi all", Media: wantMedia, State: StateActive}
			}},
		{baseForm(EventConversationAdded, cat(convFields, []string{"MessagingBinding.ProxyAddress", "+15550001111", "MessagingBinding.Address", "+15552223333"})...),
			func(f url.Values) Event {
				return &ConversationAddedEvent{EventBase: wantBase(f), ConversationFields: wantConv,
					MessagingBinding: EventBinding{ProxyAddress: "+15550001111", Address: []string{"+15552223333"}}}
			}},
		{baseForm(EventConversationUpdate, convFields...), func(f url.Values) Event {
			return &ConversationUpdateEvent{EventBase: wantBase(f), ConversationFields: wantConv}
		}},
		{baseForm(EventConversationUpdated, convFields...), func(f url.Values) Event {
			return &ConversationUpdatedEvent{EventBase: wantBase(f), ConversationFields: wantConv}
		}},
		{baseForm(EventConversationRemove, convFields...), func(f url.Values) Event {
			return &ConversationRemoveEvent{EventBase: wantBase(f), ConversationFields: wantConv}
		}},
		{baseForm(EventConversationRemoved, cat(convFields, []string{"DateRemoved", tRemoved})...), func(f url.Values) Event {
			return &ConversationRemovedEvent{EventBase: wantBase(f), ConversationFields: wantConv, DateRemoved: wantRemoved}
		}},
		{baseForm(EventConversationStateUpdated, "ChatServiceSid", tChatSvc, "StateUpdated", tUpdated, "StateFrom", "active",
			"StateTo", "inactive", "ConversationSid", tConv, "Reason", "TIMER", "MessagingServiceSid", tMsgSvc),
			func(f url.Values) Event {
				return &ConversationStateUpdatedEvent{EventBase: wantBase(f), ConversationSID: tConv, ChatServiceSID: tChatSvc,
					MessagingServiceSID: tMsgSvc, StateUpdated: wantUpdated, StateFrom: StateActive, StateTo: StateInactive, Reason: ReasonTimer}
			}},
		{baseForm(EventMessageAdd, "ConversationSid", tConv, "Body", "Hello", "Author", "+15551230000",
			"ParticipantSid", tPart, "Attributes", tAttrs, "Media", tMediaJSON),
			func(f url.Values) Event {
				return &MessageAddEvent{EventBase: wantBase(f), ConversationSID: tConv, Body: "Hello", Author: "+15551230000",
					ParticipantSID: tPart, Attributes: attrs, Media: wantMedia}
			}},
		{baseForm(EventMessageAdded, "ConversationSid", tConv, "MessageSid", tMsg, "MessagingServiceSid", tMsgSvc,
			"ChatServiceSid", tChatSvc, "Index", "42", "DateCreated", tCreated, "Body", "Hello", "Author", "+15551230000",
			"ParticipantSid", tPart, "Attributes", tAttrs, "Media", tMediaJSON),
			func(f url.Values) Event {
				return &MessageAddedEvent{EventBase: wantBase(f), MessageFields: wantMsg, MessagingServiceSID: tMsgSvc, ChatServiceSID: tChatSvc}
			}},
		{baseForm(EventMessageUpdate, msgFields...), func(f url.Values) Event {
			return &MessageUpdateEvent{EventBase: wantBase(f), MessageFields: wantMsg, DateUpdated: wantUpdated}
		}},
		{baseForm(EventMessageUpdated, cat(msgFields, []string{"MessagingServiceSid", tMsgSvc})...), func(f url.Values) Event {
			return &MessageUpdatedEvent{EventBase: wantBase(f), MessageFields: wantMsg, MessagingServiceSID: tMsgSvc, DateUpdated: wantUpdated}
		}},
		{baseForm(EventMessageRemove, msgFields...), func(f url.Values) Event {
			return &MessageRemoveEvent{EventBase: wantBase(f), MessageFields: wantMsg, DateUpdated: wantUpdated}
		}},
		{baseForm(EventMessageRemoved, cat(msgFields, []string{"MessagingServiceSid", tMsgSvc, "DateRemoved", tRemoved})...), func(f url.Values) Event {
			return &MessageRemovedEvent{EventBase: wantBase(f), MessageFields: wantMsg, MessagingServiceSID: tMsgSvc,
				DateUpdated: wantUpdated, DateRemoved: wantRemoved}
		}},
		{baseForm(EventParticipantAdd, "ConversationSid", tConv, "Identity", "alice", "RoleSid", tRole, "Attributes", tAttrs),
			func(f url.Values) Event {
				return &ParticipantAddEvent{EventBase: wantBase(f), ConversationSID: tConv, Identity: "alice", RoleSID: tRole, Attributes: attrs}
			}},
		{baseForm(EventParticipantAdded, partFields...), func(f url.Values) Event {
			return &ParticipantAddedEvent{EventBase: wantBase(f), ParticipantFields: wantPart}
		}},
		{baseForm(EventParticipantUpdate, partFields...), func(f url.Values) Event {
			return &ParticipantUpdateEvent{EventBase: wantBase(f), ParticipantFields: wantPart, DateUpdated: wantUpdated}
		}},
		{baseForm(EventParticipantUpdated, cat(partFields, []string{"LastReadMessageIndex", "7"})...), func(f url.Values) Event {
			seven := 7
			return &ParticipantUpdatedEvent{EventBase: wantBase(f), ParticipantFields: wantPart, DateUpdated: wantUpdated,
				LastReadMessageIndex: &seven}
		}},
		{baseForm(EventParticipantRemove, partFields...), func(f url.Values) Event {
			return &ParticipantRemoveEvent{EventBase: wantBase(f), ParticipantFields: wantPart, DateUpdated: wantUpdated}
		}},
		{baseForm(EventParticipantRemoved, cat(partFields, []string{"DateRemoved", tRemoved})...), func(f url.Values) Event {
			return &ParticipantRemovedEvent{EventBase: wantBase(f), ParticipantFields: wantPart, DateUpdated: wantUpdated,
				DateRemoved: wantRemoved}
		}},
		{baseForm(EventDeliveryUpdated, "ConversationSid", tConv, "ChatServiceSid", tChatSvc, "MessageSid", tMsg,
			"DeliveryReceiptSid", tReceipt, "ChannelMessageSid", tChanMsg, "ParticipantSid", tPart, "Status", "undelivered",
			"ErrorCode", "30003", "DateCreated", tCreated, "DateUpdated", tUpdated),
			func(f url.Values) Event {
				return &DeliveryUpdatedEvent{EventBase: wantBase(f), ConversationSID: tConv, ChatServiceSID: tChatSvc, MessageSID: tMsg,
					DeliveryReceiptSID: tReceipt, ChannelMessageSID: tChanMsg, ParticipantSID: tPart, Status: DeliveryUndelivered,
					ErrorCode: 30003, DateCreated: wantCreated, DateUpdated: wantUpdated}
			}},
		{baseForm(EventUserAdded, "ChatServiceSid", tChatSvc, "UserSid", tUser, "DateCreated", tCreated, "Identity", "alice",
			"RoleSid", tRole, "Attributes", tAttrs, "FriendlyName", "Alice"),
			func(f url.Values) Event {
				return &UserAddedEvent{EventBase: wantBase(f), UserFields: wantUser}
			}},
		{baseForm(EventUserUpdate, userFields...), func(f url.Values) Event {
			return &UserUpdateEvent{EventBase: wantBase(f), UserFields: wantUser, DateUpdated: wantUpdated}
		}},
		{baseForm(EventUserUpdated, cat(userFields, []string{"IsOnline", "true", "isNotifiable", "false"})...), func(f url.Values) Event {
			yes, no := true, false
			return &UserUpdatedEvent{EventBase: wantBase(f), UserFields: wantUser, DateUpdated: wantUpdated,
				IsOnline: &yes, IsNotifiable: &no}
		}},
	}
}

func TestDecodeEventEveryType(t *testing.T) {
	cases := eventCases()
	seen := map[EventType]bool{}
	for _, tc := range cases {
		typ := EventType(tc.form.Get("EventType"))
		t.Run(string(typ), func(t *testing.T) {
			ev, err := DecodeEvent(tc.form)
			require.NoError(t, err)
			assert.Equal(t, tc.want(tc.form), ev)
			assert.Equal(t, typ, ev.EventType())
			assert.Equal(t, tc.form, ev.Base().Form)

			// EncodeEvent gives back an equivalent form: decoding it again
			// gives the same typed event.
			enc, err := EncodeEvent(ev)
			require.NoError(t, err)
			again, err := DecodeEvent(enc)
			require.NoError(t, err)
			again.Base().Form = tc.form
			assert.Equal(t, ev, again)
			// And from a fresh event without a raw form.
			ev.Base().Form = nil
			enc, err = EncodeEvent(ev)
			require.NoError(t, err)
			again, err = DecodeEvent(enc)
			require.NoError(t, err)
			again.Base().Form = nil
			assert.Equal(t, ev, again)
		})
		seen[typ] = true
	}
	assert.Len(t, seen, 23)
	assert.Equal(t, len(seen), len(EventTypes()))
	for _, et := range EventTypes() {
		assert.True(t, seen[et], et)
	}
}

func TestEventTypePre(t *testing.T) {
	n := 0
	for _, et := range EventTypes() {
		if et.IsPreEvent() {
			n++
			assert.False(t, strings.HasSuffix(string(et), "ed"), et)
		}
	}
	assert.Equal(t, 10, n)
	assert.False(t, EventType("onSomethingNew").IsPreEvent())
}

func TestDecodeEventUnknownAndMissing(t *testing.T) {
	f := url.Values{"EventType": {"onMessageReaction"}, "AccountSid": {tAccount}, "Emoji": {"+1"}}
	ev, err := DecodeEvent(f)
	require.NoError(t, err)
	u, ok := ev.(*UnknownEvent)
	require.True(t, ok)
	assert.Equal(t, EventType("onMessageReaction"), u.EventType())
	assert.Equal(t, tAccount, u.AccountSID)
	assert.Equal(t, "+1", u.Form.Get("Emoji"))

	_, err = DecodeEvent(url.Values{"Body": {"x"}})
	var fe *WebhookFieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "EventType", fe.Field)
	assert.ErrorIs(t, err, ErrMalformedWebhook)
	_, err = DecodeEvent(nil)
	assert.Error(t, err)
}

func TestDecodeEventMalformedFields(t *testing.T) {
	tests := []struct {
		typ        EventType
		key, value string
		msg        string
	}{
		{EventMessageAdded, "Index", "x", `conversations: webhook field "Index": invalid integer "x"`},
		{EventMessageAdded, "Index", "1.5", `conversations: webhook field "Index": invalid integer "1.5"`},
		{EventMessageAdded, "RetryCount", "once", `conversations: webhook field "RetryCount": invalid integer "once"`},
		{EventMessageAdded, "DateCreated", "yesterday", `conversations: webhook field "DateCreated": invalid RFC 3339 date "yesterday"`},
		{EventMessageAdded, "DateCreated", "2021-08-10 18:00:58", `conversations: webhook field "DateCreated": invalid RFC 3339 date "2021-08-10 18:00:58"`},
		{EventMessageAdded, "Media", "[{", ""},
		{EventMessageAdded, "Media", `"ME1"`, ""},
		{EventMessageAdded, "Media", `[{"Sid":"ME1","Size":"big"}]`, ""},
		{EventMessageAdded, "Media", `[{"Sid":"ME1","Size":-1.5}]`, ""},
		{EventDeliveryUpdated, "ErrorCode", "E30003", `conversations: webhook field "ErrorCode": invalid integer "E30003"`},
		{EventParticipantUpdated, "LastReadMessageIndex", "-x", ""},
		{EventUserUpdated, "isOnline", "maybe", `conversations: webhook field "isOnline": invalid boolean "maybe"`},
	}
	for _, tc := range tests {
		t.Run(tc.key+"="+tc.value, func(t *testing.T) {
			f := baseForm(tc.typ)
			f.Set(tc.key, tc.value)
			_, err := DecodeEvent(f)
			var fe *WebhookFieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tc.key, fe.Field)
			assert.Equal(t, tc.value, fe.Value)
			assert.ErrorIs(t, err, ErrMalformedWebhook)
			if tc.msg != "" {
				assert.EqualError(t, err, tc.msg)
			}
		})
	}
}

func TestDecodeEventLenientValues(t *testing.T) {
	// Empty and null values of typed fields mean "not set".
	ev, err := DecodeEvent(baseForm(EventMessageAdded, "Index", "", "DateCreated", "null", "Media", "", "ErrorCode", "",
		"Attributes", "not json"))
	require.NoError(t, err)
	m := ev.(*MessageAddedEvent)
	assert.Zero(t, m.Index)
	assert.True(t, m.DateCreated.IsZero())
	assert.Nil(t, m.Media)
	assert.Equal(t, "not json", m.Attributes.String(), "attributes are kept as received")
	assert.False(t, m.Attributes.Valid())

	// Dates without and with fractions, in other zones.
	for in, want := range map[string]time.Time{
		"2021-08-10T18:00:58Z":          time.Date(2021, 8, 10, 18, 0, 58, 0, time.UTC),
		"2021-08-10T18:00:58.1Z":        time.Date(2021, 8, 10, 18, 0, 58, 1e8, time.UTC),
		"2021-08-10T18:00:58.123456Z":   time.Date(2021, 8, 10, 18, 0, 58, 123456e3, time.UTC),
		"2021-08-10T20:00:58.111+02:00": wantCreated,
	} {
		ev, err := DecodeEvent(baseForm(EventMessageAdded, "DateCreated", in))
		require.NoError(t, err, in)
		assert.True(t, want.Equal(ev.(*MessageAddedEvent).DateCreated), in)
	}

	// Unknown keys are kept in the raw form.
	ev, err = DecodeEvent(baseForm(EventMessageAdded, "WebhookSid", "WH1", "NewField", "v"))
	require.NoError(t, err)
	assert.Equal(t, "WH1", ev.Base().Form.Get("WebhookSid"))
	assert.Equal(t, "v", ev.Base().Form.Get("NewField"))

	// Repeated non-list keys: the first value wins.
	ev, err = DecodeEvent(baseForm(EventMessageAdded, "Body", "first", "Body", "second"))
	require.NoError(t, err)
	assert.Equal(t, "first", ev.(*MessageAddedEvent).Body)
}

func TestDecodeMediaSpellings(t *testing.T) {
	tests := []struct {
		in   string
		want []EventMedia
	}{
		{`[{"MediaSid":"ME1","FileName":"a.jpg","ContentType":"image/jpeg","Size":10}]`,
			[]EventMedia{{SID: "ME1", Filename: "a.jpg", ContentType: "image/jpeg", Size: 10}}},
		{`[{"sid":"ME1","filename":"a.jpg","content_type":"image/jpeg","size":"10"}]`,
			[]EventMedia{{SID: "ME1", Filename: "a.jpg", ContentType: "image/jpeg", Size: 10}}},
		{`[{"Sid":"ME1","file_name":"b.pdf","Size":2e3},{"Sid":"ME2","Size":null}]`,
			[]EventMedia{{SID: "ME1", Filename: "b.pdf", Size: 2000}, {SID: "ME2"}}},
		{`{"Sid":"ME1"}`, []EventMedia{{SID: "ME1"}}},
		{`[]`, []EventMedia{}},
		{`null`, nil},
	}
	for _, tc := range tests {
		got, err := decodeMedia(tc.in)
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
}

func TestMessagingBinding(t *testing.T) {
	assert.True(t, EventBinding{}.IsZero())
	assert.False(t, EventBinding{Type: ChannelChat}.IsZero())
	ev, err := DecodeEvent(baseForm(EventParticipantAdded, "Identity", "bob"))
	require.NoError(t, err)
	assert.True(t, ev.(*ParticipantAddedEvent).MessagingBinding.IsZero(), "chat participants have no binding")
	// Group MMS: every address is kept in order, empty values dropped.
	ev, err = DecodeEvent(baseForm(EventConversationAdd, "MessagingBinding.Address", "+3",
		"MessagingBinding.Address", "+1", "MessagingBinding.Address", "", "MessagingBinding.Type", "WHATSAPP"))
	require.NoError(t, err)
	b := ev.(*ConversationAddEvent).MessagingBinding
	assert.Equal(t, []string{"+3", "+1"}, b.Address)
	assert.Equal(t, ChannelWhatsApp, b.Type)
}

func TestParseEvent(t *testing.T) {
	form := baseForm(EventMessageAdded, "Body", "hi", "Index", "3")
	r := httptest.NewRequest(http.MethodPost, "https://example.com/hook", strings.NewReader(form.Encode()))
	r.Header.Set(IdempotencyHeader, "d4c0b1a2-0000-4000-8000-000000000000")
	ev, err := ParseEvent(r)
	require.NoError(t, err)
	m := ev.(*MessageAddedEvent)
	assert.Equal(t, "hi", m.Body)
	assert.Equal(t, 3, m.Index)
	assert.Equal(t, "d4c0b1a2-0000-4000-8000-000000000000", m.IdempotencyToken)

	g := httptest.NewRequest(http.MethodGet, "https://example.com/hook?"+form.Encode(), nil)
	ev, err = ParseEvent(g)
	require.NoError(t, err)
	assert.Equal(t, "hi", ev.(*MessageAddedEvent).Body)

	bad := httptest.NewRequest(http.MethodPost, "https://example.com/hook", strings.NewReader("EventType=%zz"))
	_, err = ParseEvent(bad)
	assert.ErrorIs(t, err, ErrMalformedWebhook)

	big := httptest.NewRequest(http.MethodPost, "https://example.com/hook", strings.NewReader(strings.Repeat("a", DefaultMaxWebhookBody+1)))
	_, err = ParseEvent(big)
	assert.ErrorIs(t, err, ErrBodyTooLarge)

	_, err = ParseEvent(httptest.NewRequest(http.MethodPost, "https://example.com/hook", strings.NewReader("Body=x")))
	var fe *WebhookFieldError
	assert.True(t, errors.As(err, &fe))
}

func TestEncodeEvent(t *testing.T) {
	one := 1
	form, err := EncodeEvent(&MessageAddedEvent{
		EventBase:     EventBase{AccountSID: tAccount, Source: SourceAPI, Form: url.Values{"Extra": {"kept"}, "Body": {"old"}}},
		MessageFields: MessageFields{Body: "new", Index: 0, DateCreated: wantCreated, Media: wantMedia},
	})
	require.NoError(t, err)
	assert.Equal(t, "onMessageAdded", form.Get("EventType"))
	assert.Equal(t, "new", form.Get("Body"), "typed fields win over the raw form")
	assert.Equal(t, "kept", form.Get("Extra"))
	assert.Equal(t, "2021-08-10T18:00:58.111Z", form.Get("DateCreated"))
	assert.JSONEq(t, tMediaJSON, form.Get("Media"))
	assert.NotContains(t, form, "Index")
	form, err = EncodeEvent(&ParticipantUpdatedEvent{LastReadMessageIndex: &one,
		ParticipantFields: ParticipantFields{MessagingBinding: EventBinding{Address: []string{"+1", "+2"}}}})
	require.NoError(t, err)
	assert.Equal(t, "1", form.Get("LastReadMessageIndex"))
	assert.Equal(t, []string{"+1", "+2"}, form["MessagingBinding.Address"])
	form, err = EncodeEvent(&UnknownEvent{Type: "onFuture"})
	require.NoError(t, err)
	assert.Equal(t, "onFuture", form.Get("EventType"))
	_, err = EncodeEvent(nil)
	assert.Error(t, err)
	_, err = EncodeEvent((*MessageAddedEvent)(nil))
	assert.Error(t, err)
}

// TestEventFormKeys pins the form keys every event type decodes and
// encodes (sorted), so that regrouping fields into embedded structs cannot
// drop, add or rename one.
func TestEventFormKeys(t *testing.T) {
	want := map[EventType]string{
		"onConversationAdd":          "AccountSid Attributes ChatServiceSid ClientIdentity FriendlyName Media MessageBody MessagingBinding MessagingServiceSid RetryCount Source State UniqueName",
		"onConversationAdded":        "AccountSid Attributes ChatServiceSid ClientIdentity ConversationSid DateCreated DateUpdated FriendlyName MessagingBinding MessagingServiceSid RetryCount Source State UniqueName",
		"onConversationRemove":       "AccountSid Attributes ChatServiceSid ClientIdentity ConversationSid DateCreated DateUpdated FriendlyName MessagingServiceSid RetryCount Source State UniqueName",
		"onConversationRemoved":      "AccountSid Attributes ChatServiceSid ClientIdentity ConversationSid DateCreated DateRemoved DateUpdated FriendlyName MessagingServiceSid RetryCount Source State UniqueName",
		"onConversationStateUpdated": "AccountSid ChatServiceSid ClientIdentity ConversationSid MessagingServiceSid Reason RetryCount Source StateFrom StateTo StateUpdated",
		"onConversationUpdate":       "AccountSid Attributes ChatServiceSid ClientIdentity ConversationSid DateCreated DateUpdated FriendlyName MessagingServiceSid RetryCount Source State UniqueName",
		"onConversationUpdated":      "AccountSid Attributes ChatServiceSid ClientIdentity ConversationSid DateCreated DateUpdated FriendlyName MessagingServiceSid RetryCount Source State UniqueName",
		"onDeliveryUpdated":          "AccountSid ChannelMessageSid ChatServiceSid ClientIdentity ConversationSid DateCreated DateUpdated DeliveryReceiptSid ErrorCode MessageSid ParticipantSid RetryCount Source Status",
		"onMessageAdd":               "AccountSid Attributes Author Body ClientIdentity ConversationSid Media ParticipantSid RetryCount Source",
		"onMessageAdded":             "AccountSid Attributes Author Body ChatServiceSid ClientIdentity ConversationSid DateCreated Index Media MessageSid MessagingServiceSid ParticipantSid RetryCount Source",
		"onMessageRemove":            "AccountSid Attributes Author Body ClientIdentity ConversationSid DateCreated DateUpdated Index Media MessageSid ParticipantSid RetryCount Source",
		"onMessageRemoved":           "AccountSid Attributes Author Body ClientIdentity ConversationSid DateCreated DateRemoved DateUpdated Index Media MessageSid MessagingServiceSid ParticipantSid RetryCount Source",
		"onMessageUpdate":            "AccountSid Attributes Author Body ClientIdentity ConversationSid DateCreated DateUpdated Index Media MessageSid ParticipantSid RetryCount Source",
		"onMessageUpdated":           "AccountSid Attributes Author Body ClientIdentity ConversationSid DateCreated DateUpdated Index Media MessageSid MessagingServiceSid ParticipantSid RetryCount Source",
		"onParticipantAdd":           "AccountSid Attributes ClientIdentity ConversationSid Identity MessagingBinding RetryCount RoleSid Source",
		"onParticipantAdded":         "AccountSid Attributes ClientIdentity ConversationSid DateCreated Identity MessagingBinding ParticipantSid RetryCount RoleSid Source",
		"onParticipantRemove":        "AccountSid Attributes ClientIdentity ConversationSid DateCreated DateUpdated Identity MessagingBinding ParticipantSid RetryCount RoleSid Source",
		"onParticipantRemoved":       "AccountSid Attributes ClientIdentity ConversationSid DateCreated DateRemoved DateUpdated Identity MessagingBinding ParticipantSid RetryCount RoleSid Source",
		"onParticipantUpdate":        "AccountSid Attributes ClientIdentity ConversationSid DateCreated DateUpdated Identity MessagingBinding ParticipantSid RetryCount RoleSid Source",
		"onParticipantUpdated":       "AccountSid Attributes ClientIdentity ConversationSid DateCreated DateUpdated Identity LastReadMessageIndex MessagingBinding ParticipantSid RetryCount RoleSid Source",
		"onUserAdded":                "AccountSid Attributes ChatServiceSid ClientIdentity DateCreated FriendlyName Identity RetryCount RoleSid Source UserSid",
		"onUserUpdate":               "AccountSid Attributes ChatServiceSid ClientIdentity DateCreated DateUpdated FriendlyName Identity RetryCount RoleSid Source UserSid",
		"onUserUpdated":              "AccountSid Attributes ChatServiceSid ClientIdentity DateCreated DateUpdated FriendlyName Identity IsNotifiable,isNotifiable IsOnline,isOnline RetryCount RoleSid Source UserSid",
	}
	for _, et := range EventTypes() {
		var keys []string
		for _, f := range planFor(reflect.TypeOf(eventConstructors[et]()).Elem()) {
			keys = append(keys, strings.Join(f.keys, ","))
		}
		slices.Sort(keys)
		assert.Equal(t, want[et], strings.Join(keys, " "), et)
	}
	assert.Len(t, want, len(EventTypes()))
}
