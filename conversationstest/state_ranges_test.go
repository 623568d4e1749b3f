package conversationstest_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/conversations-go/conversations"
	"github.com/conversations-go/conversations/conversationstest"
)

// The largest message index the emulator stores (Twilio's SDKs in Java and
// C# read an index as 32 bits).
const maxIndex = math.MaxInt32

// TestDatesTwilioCannotRenderAreRefused: a date past 9999-12-31T23:59:59Z in
// UTC (or before year 0) is refused with Twilio's 400 wherever the API takes
// a date, so the state can always be rendered and exported.
func TestDatesTwilioCannotRenderAreRefused(t *testing.T) {
	h := newHarness(t)
	ch := h.conversation("FriendlyName", "dates")
	p := h.participant(ch, "Identity", "alice")
	m := h.message(ch, "Author", "alice", "Body", "hi")["sid"].(string)
	before := exported(t, h)
	for _, bad := range []string{"9999-12-31T23:59:59-23:59", "9999-12-31T23:00:00-01:00", "0000-01-01T00:00:00+00:01"} {
		for _, param := range []string{"DateCreated", "DateUpdated"} {
			h.fails(400, 20001, "POST", "/v1/Conversations", form(param, bad))
			h.fails(400, 20001, "POST", "/v1/ConversationWithParticipants", form(param, bad))
			h.fails(400, 20001, "POST", "/v1/Conversations/"+ch, form(param, bad))
			h.fails(400, 20001, "POST", "/v1/Conversations/"+ch+"/Messages", form("Body", "x", param, bad))
			h.fails(400, 20001, "POST", "/v1/Conversations/"+ch+"/Messages/"+m, form(param, bad))
			h.fails(400, 20001, "POST", "/v1/Conversations/"+ch+"/Participants", form("Identity", "bob", param, bad))
			h.fails(400, 20001, "POST", "/v1/Conversations/"+ch+"/Participants/"+p, form(param, bad))
		}
		h.fails(400, 20001, "POST", "/v1/Users/alice/Conversations/"+ch, form("LastReadTimestamp", bad))
	}
	assert.JSONEq(t, before, exported(t, h), "the refused requests changed nothing")

	// The last instant Twilio's format carries is accepted, rendered, exported
	// and imported.
	last := h.ok(201, "POST", "/v1/Conversations", form("DateCreated", "9999-12-31T23:59:59Z", "DateUpdated", "9999-12-31T23:59:59Z"))
	assert.Equal(t, "9999-12-31T23:59:59Z", last["date_created"])
	status, _ := h.do("GET", "/_emulator/state", nil)
	assert.Equal(t, 200, status)
	doc, err := h.srv.ExportState()
	require.NoError(t, err)
	require.NoError(t, conversationstest.New().ImportState(doc))
	// The Go client still reads the list.
	client, err := conversations.NewClient(h.srv.AccountSID(), h.srv.AuthToken(), conversations.WithBaseURL(h.srv.URL))
	require.NoError(t, err)
	n := 0
	for c, err := range client.Conversations.List(t.Context(), nil) {
		require.NoError(t, err)
		require.NotNil(t, c)
		n++
	}
	assert.Equal(t, 2, n)

	// A state document with such a date is refused too.
	shifted := strings.Replace(string(doc), `"date_created":"9999-12-31T23:59:59Z"`, `"date_created":"9999-12-31T23:59:59-23:59"`, 1)
	require.NotEqual(t, string(doc), shifted)
	h.ctlFails(400, "outside the years 0000 to 9999", "PUT", "/_emulator/state", shifted)
}

// TestClockStopsAtTheLastRenderableDate: a clock moved past year 9999 (a
// frozen start near it, advanced) and timers due beyond it stop at
// 9999-12-31T23:59:59Z, so what they stamp can be exported.
func TestClockStopsAtTheLastRenderableDate(t *testing.T) {
	h := newHarness(t, conversationstest.WithClock(time.Date(9999, 12, 31, 23, 0, 0, 0, time.UTC)))
	h.srv.Advance(48 * time.Hour)
	ch := h.conversation("FriendlyName", "late", "State", "active", "Timers.Inactive", "PT1H", "Timers.Closed", "P30D")
	conv := h.ok(200, "GET", "/v1/Conversations/"+ch, nil)
	assert.Equal(t, "9999-12-31T23:59:59Z", conv["date_created"])
	doc, err := h.srv.ExportState()
	require.NoError(t, err)
	require.NoError(t, conversationstest.New().ImportState(doc))
}

// mutateState exports h's state, applies f to it and returns the document.
func mutateState(t *testing.T, h *harness, f func(d obj)) string {
	t.Helper()
	doc, err := h.srv.ExportState()
	require.NoError(t, err)
	var d obj
	require.NoError(t, json.Unmarshal(doc, &d))
	f(d)
	b, err := json.Marshal(d)
	require.NoError(t, err)
	return string(b)
}

func firstConversation(d obj) obj {
	for _, s := range d["services"].([]any) {
		if convs := s.(obj)["conversations"].([]any); len(convs) > 0 {
			return convs[0].(obj)
		}
	}
	panic("no conversation")
}

// TestStateIndexesAndCountersAreRangeChecked: an imported next_index,
// message index or read horizon outside what the emulator can store is
// refused, as are negative counters.
func TestStateIndexesAndCountersAreRangeChecked(t *testing.T) {
	h := newHarness(t)
	ch := h.smsPair("+15550000001", "+15550000002", "+15559990000")
	h.participant(ch, "Identity", "alice")
	h.ok(200, "POST", "/v1/Users/alice/Conversations/"+ch, form("LastReadMessageIndex", "0"))
	h.ok(201, "POST", "/v1/Conversations/"+ch+"/Webhooks", form("Target", "webhook", "Configuration.Url", "http://127.0.0.1:1/x",
		"Configuration.ReplayAfter", "0"))
	h.message(ch, "Body", "one", "Author", "alice")
	h.srv.Flush()
	before := exported(t, h)
	message := func(d obj) obj { return firstConversation(d)["messages"].([]any)[0].(obj) }
	participant := func(d obj) obj {
		for _, p := range firstConversation(d)["participants"].([]any) {
			if p.(obj)["last_read_message_index"] != nil {
				return p.(obj)
			}
		}
		panic("no read horizon")
	}
	for want, f := range map[string]func(d obj){
		"next_index 9223372036854775807 is outside": func(d obj) { firstConversation(d)["next_index"] = int64(math.MaxInt64) },
		"next_index 2147483649 is outside":          func(d obj) { firstConversation(d)["next_index"] = maxIndex + 2 },
		"next_index -1 is outside":                  func(d obj) { firstConversation(d)["next_index"] = -1 },
		"index -1 is outside":                       func(d obj) { message(d)["index"] = -1 },
		"index 2147483648 is outside":               func(d obj) { message(d)["index"] = maxIndex + 1 },
		"last_read_message_index -1 is outside":     func(d obj) { participant(d)["last_read_message_index"] = -1 },
		"last_read_message_index 2147483648":        func(d obj) { participant(d)["last_read_message_index"] = maxIndex + 1 },
		"error_code must not be negative": func(d obj) {
			message(d)["receipts"].([]any)[0].(obj)["error_code"] = -30008
		},
		"replay_after must not be negative": func(d obj) {
			firstConversation(d)["webhooks"].([]any)[0].(obj)["replay_after"] = -1
		},
		"expected an integer within 64 bits": func(d obj) { firstConversation(d)["next_index"] = 1e30 },
	} {
		h.ctlFails(400, want, "PUT", "/_emulator/state", mutateState(t, h, f))
		assert.Error(t, h.srv.ImportState([]byte(mutateState(t, h, f))), want)
	}
	assert.JSONEq(t, before, exported(t, h), "the refused imports changed nothing")

	// The REST API refuses a read horizon the state could not import.
	h.fails(400, 20001, "POST", "/v1/Users/alice/Conversations/"+ch, form("LastReadMessageIndex", fmt.Sprint(maxIndex+1)))
	p := participant(mustDoc(t, h))["sid"].(string)
	h.fails(400, 20001, "POST", "/v1/Conversations/"+ch+"/Participants/"+p, form("LastReadMessageIndex", fmt.Sprint(int64(math.MaxInt64))))
}

func mustDoc(t *testing.T, h *harness) obj {
	t.Helper()
	var d obj
	require.NoError(t, json.Unmarshal([]byte(exported(t, h)), &d))
	return d
}

// TestMessageIndexNeverWraps: a conversation imported with every index but
// the last used takes one more message at the largest index, then refuses
// the next with a 400 instead of wrapping to a negative index; its export
// imports again.
func TestMessageIndexNeverWraps(t *testing.T) {
	h := newHarness(t)
	ch := h.conversation("UniqueName", "busy")
	h.participant(ch, "Identity", "alice")
	h.ok(201, "POST", "/v1/Configuration/Addresses", form("Type", "sms", "Address", "+15559990000",
		"AutoCreation.Enabled", "true", "AutoCreation.Type", "default"))
	h.participant(ch, "MessagingBinding.Address", "+15550000001", "MessagingBinding.ProxyAddress", "+15559990000")
	require.NoError(t, h.srv.ImportState([]byte(mutateState(t, h, func(d obj) { firstConversation(d)["next_index"] = maxIndex }))))

	m := h.message(ch, "Body", "the last one", "Author", "alice")
	assert.EqualValues(t, maxIndex, m["index"])
	before := exported(t, h)
	h.fails(400, 20001, "POST", "/v1/Conversations/"+ch+"/Messages", form("Body", "one too many"))
	_, err := h.srv.SendChat("busy", "alice", "one too many")
	require.Error(t, err)
	h.ctlFails(400, "every message index", "POST", "/_emulator/inbound", obj{"channel": "chat", "conversation": "busy", "identity": "alice",
		"body": "x", "media": []obj{{"content_type": "text/plain", "data": base64.StdEncoding.EncodeToString([]byte("x"))}}})
	_, err = h.srv.SendSMS("+15550000001", "+15559990000", "one too many")
	require.Error(t, err)
	assert.JSONEq(t, before, exported(t, h), "the refused messages changed nothing")

	doc, err := h.srv.ExportState()
	require.NoError(t, err)
	assert.Contains(t, string(doc), fmt.Sprintf(`"next_index":%d`, maxIndex+1))
	require.NoError(t, conversationstest.New().ImportState(doc), "the emulator's own export imports")
}

// TestOwnExportAlwaysImports: after many kinds of operation, including the
// ones at the edges (a deleted service that held media, the clock moved
// back, a read horizon at the largest index, the last renderable date),
// the export imports, and the import exports the same document.
func TestOwnExportAlwaysImports(t *testing.T) {
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	h := newHarness(t, conversationstest.WithClock(start))
	richState(t, h)
	other := h.ok(201, "POST", "/v1/Services", form("FriendlyName", "doomed"))["sid"].(string)
	req, err := http.NewRequest("POST", h.srv.URL+"/v1/Services/"+other+"/Media", strings.NewReader("bytes"))
	require.NoError(t, err)
	req.SetBasicAuth(h.srv.AccountSID(), h.srv.AuthToken())
	req.Header.Set("Content-Type", "text/plain")
	status, _, _ := h.send(req)
	require.Equal(t, 201, status)
	h.ok(204, "DELETE", "/v1/Services/"+other, nil)
	h.srv.Advance(-time.Hour) // back past the start: stops there
	for i := range 30 {
		ch := h.conversation("FriendlyName", fmt.Sprint("c", i), "State", "active", "Timers.Inactive", "PT5M", "Timers.Closed", "P36500D")
		h.participant(ch, "Identity", "dora")
		h.participant(ch, "MessagingBinding.Address", fmt.Sprintf("+1555123%04d", i), "MessagingBinding.ProxyAddress", "+15559990000")
		for j := range 5 {
			h.message(ch, "Author", "dora", "Body", fmt.Sprint("m", j))
		}
		if i%3 == 0 {
			h.ok(200, "POST", "/v1/Conversations/"+ch, form("State", "closed"))
		}
		if i%5 == 0 {
			h.ok(200, "POST", "/v1/Users/dora/Conversations/"+ch, form("LastReadMessageIndex", fmt.Sprint(maxIndex)))
		}
	}
	h.ok(201, "POST", "/v1/Conversations", form("DateCreated", "9999-12-31T23:59:59Z"))
	h.srv.Advance(20 * time.Minute) // timers fire
	h.srv.Flush()

	doc, err := h.srv.ExportState()
	require.NoError(t, err)
	emu := conversationstest.New(conversationstest.WithClock(start))
	t.Cleanup(emu.Close)
	require.NoError(t, emu.ImportState(doc))
	again, err := emu.ExportState()
	require.NoError(t, err)
	assert.JSONEq(t, string(doc), string(again))
}
