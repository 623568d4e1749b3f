package conversationstest_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/conversations-go/conversations/conversationstest"
)

// hostileSize is the size of each hostile state document.
const hostileSize = 1 << 20

// repeatTo builds prefix, then item(0), item(1)… separated by commas until
// the document reaches hostileSize, then suffix.
func repeatTo(prefix string, item func(i int) string, suffix string) []byte {
	var b bytes.Buffer
	b.WriteString(prefix)
	for i := 0; b.Len() < hostileSize-len(suffix)-64; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(item(i))
	}
	b.WriteString(suffix)
	return b.Bytes()
}

func same(s string) func(int) string { return func(int) string { return s } }

func sid(prefix string, i int) string { return fmt.Sprintf("%s%032x", prefix, i) }

// hostileStates are 1 MiB state documents built to cost far more memory
// than their size: empty entries in every collection, valid entries that
// hold nothing but a SID, long lists of short strings, deep nesting.
func hostileStates() map[string][]byte {
	const (
		is = `"sid":"IS00000000000000000000000000000001"`
		ch = `"sid":"CH00000000000000000000000000000001"`
		im = `"sid":"IM00000000000000000000000000000001"`
	)
	docs := map[string][]byte{
		"empty services":    repeatTo(`{"services":[`, same(`{}`), `]}`),
		"empty phones":      repeatTo(`{"phones":{"+15550000001":[`, same(`{}`), `]}}`),
		"phone keys":        repeatTo(`{"phones":{`, func(i int) string { return fmt.Sprintf(`"%x":[]`, i) }, `}}`),
		"failure keys":      repeatTo(`{"delivery_failures":{`, func(i int) string { return fmt.Sprintf(`"%x":{}`, i) }, `}}`),
		"empty strings":     repeatTo(`{"no_read_receipts":[`, same(`""`), `]}`),
		"short strings":     repeatTo(`{"no_read_receipts":[`, func(i int) string { return fmt.Sprintf(`"%x"`, i) }, `]}`),
		"filters":           repeatTo(`{"global_webhooks":{"filters":[`, same(`"x"`), `]}}`),
		"nested arrays":     []byte(`{"services":` + strings.Repeat("[", hostileSize/2) + strings.Repeat("]", hostileSize/2) + `}`),
		"nested scalar":     []byte(`{"clock_offset_ns":` + strings.Repeat("[", hostileSize/2) + strings.Repeat("]", hostileSize/2) + `}`),
		"sid-only services": repeatTo(`{"services":[`, func(i int) string { return `{"sid":"` + sid("IS", i) + `"}` }, `]}`),
		"sid-only messages": repeatTo(`{"services":[{`+is+`,"conversations":[{`+ch+`,"next_index":2000000000,"messages":[`,
			func(i int) string { return fmt.Sprintf(`{"sid":"%s","index":%d}`, sid("IM", i), i) }, `]}]}]}`),
	}
	// Valid entries with every field short: the most tokens, so the most
	// decoding work, per byte (refused at the end: no default service).
	docs["full phones"] = repeatTo(`{"phones":{"+15550000001":[`, func(i int) string {
		return `{"from":"a","to":"b","channel":"sms","body":"","author":"","conversation_sid":"` + sid("CH", 1) +
			`","message_sid":"` + sid("IM", i) + `","channel_message_sid":"","date_sent":"2026-01-01T00:00:00Z"}`
	}, `]}}`)
	docs["full messages"] = repeatTo(`{"services":[{`+is+`,"conversations":[{`+ch+`,"next_index":2000000000,"messages":[`, func(i int) string {
		return fmt.Sprintf(`{"sid":"%s","index":%d,"author":"","body":"","attributes":"","participant_sid":"","content_sid":"",`+
			`"date_created":"2026-01-01T00:00:00Z","date_updated":"2026-01-01T00:00:00Z"}`, sid("IM", i), i)
	}, `]}]}]}`)
	for _, c := range []string{"address_configurations", "credentials", "media"} {
		docs["empty "+c] = repeatTo(`{"`+c+`":[`, same(`{}`), `]}`)
	}
	for _, c := range []string{"roles", "users", "bindings", "conversations"} {
		docs["empty "+c] = repeatTo(`{"services":[{`+is+`,"`+c+`":[`, same(`{}`), `]}]}`)
	}
	for _, c := range []string{"participants", "messages", "webhooks"} {
		docs["empty "+c] = repeatTo(`{"services":[{`+is+`,"conversations":[{`+ch+`,"`+c+`":[`, same(`{}`), `]}]}]}`)
	}
	for _, c := range []string{"receipts", "media"} {
		docs["empty message "+c] = repeatTo(`{"services":[{`+is+`,"conversations":[{`+ch+`,"messages":[{`+im+`,"`+c+`":[`, same(`{}`), `]}]}]}]}`)
	}
	return docs
}

// allocatedDuring returns the bytes allocated while f ran. TotalAlloc counts
// every allocation, whether the GC has freed it since or not, so its growth
// bounds from above the heap that f held at its peak, whenever the GC ran:
// an honest (pessimistic) measure of the memory an import may take. The
// document itself is built before, and not counted.
func allocatedDuring(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestHostileStateDocumentsStaySmall: no 1 MiB state document, whatever its
// shape, makes an import (ImportState or PUT /_emulator/state) allocate
// 16 MB; before, `{"services":[{},{},…]}` grew the heap by 400 MB.
func TestHostileStateDocumentsStaySmall(t *testing.T) {
	emu := conversationstest.New()
	t.Cleanup(emu.Close)
	before, err := emu.ExportState()
	require.NoError(t, err)
	const ceiling = 16e6
	for name, doc := range hostileStates() {
		t.Run(name, func(t *testing.T) {
			require.InDelta(t, hostileSize, len(doc), 1<<10)
			var importErr error
			n := allocatedDuring(func() { importErr = emu.ImportState(doc) })
			assert.Error(t, importErr)
			assert.Less(t, n, uint64(ceiling), "ImportState allocated %d bytes for a %d-byte document: %v", n, len(doc), importErr)
			t.Logf("ImportState: %.1f MB allocated: %v", float64(n)/1e6, importErr)

			rec := httptest.NewRecorder()
			n = allocatedDuring(func() {
				req := httptest.NewRequest("PUT", "http://127.0.0.1/_emulator/state", bytes.NewReader(doc))
				req.SetBasicAuth(conversationstest.DefaultAccountSID, conversationstest.DefaultAuthToken)
				req.Header.Set("Content-Type", "application/json")
				emu.ServeHTTP(rec, req)
			})
			assert.Equal(t, http.StatusBadRequest, rec.Code, rec.Body.String())
			assert.Less(t, n, uint64(ceiling), "PUT allocated %d bytes for a %d-byte document", n, len(doc))
		})
	}
	after, err := emu.ExportState()
	require.NoError(t, err)
	assert.JSONEq(t, string(before), string(after), "the refused imports changed nothing")
}

// TestStateImportBudgetAdmitsRealDocuments: the budget that refuses the
// hostile documents admits the emulator's own, also a large one.
func TestStateImportBudgetAdmitsRealDocuments(t *testing.T) {
	h := newHarness(t)
	for c := range 50 {
		ch := h.conversation("FriendlyName", fmt.Sprintf("conversation %d", c), "Attributes", `{"n":1}`)
		h.participant(ch, "Identity", "agent")
		h.participant(ch, "MessagingBinding.Address", fmt.Sprintf("+1555000%04d", c), "MessagingBinding.ProxyAddress", "+15559990000")
		for m := range 80 {
			h.message(ch, "Author", "agent", "Body", fmt.Sprintf("message %d", m))
		}
	}
	h.srv.Flush()
	doc, err := h.srv.ExportState()
	require.NoError(t, err)
	require.Greater(t, len(doc), 2<<20, "a document past the budget's fixed slack")
	emu := conversationstest.New()
	t.Cleanup(emu.Close)
	var importErr error
	n := allocatedDuring(func() { importErr = emu.ImportState(doc) })
	require.NoError(t, importErr)
	t.Logf("a %d-byte export: %.1f MB allocated by its import (%.1f times its size)", len(doc), float64(n)/1e6, float64(n)/float64(len(doc)))
}
