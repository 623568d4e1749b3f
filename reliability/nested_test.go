package reliability_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/conversations-go/conversations"
)

// TestNestedArrayCap (neighbour of issue 13, item 12): the items cap of a
// page does not bound an array inside one item; a message whose media array
// holds a million {} is refused while it is decoded. Figures: the heap
// allocated by the call and the live heap held after it.
func TestNestedArrayCap(t *testing.T) {
	const msgSID = "IM00000000000000000000000000000001"
	var b bytes.Buffer
	b.WriteString(`{"sid":"` + msgSID + `","conversation_sid":"` + convSID + `","media":[`)
	n := (3<<20 - 200) / 3
	b.WriteString(strings.Repeat("{},", n-1))
	b.WriteString(`{}],"body":null}`)
	body := b.Bytes()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	c, _ := newClient(t, srv.URL, testPolicy)

	var m *conversations.Message
	var err error
	allocated, held := heapCost(func() any {
		m, err = c.Messages.Fetch(context.Background(), convSID, msgSID)
		return m
	})
	media := 0
	if m != nil {
		media = len(m.Media)
	}
	t.Logf("message with %d media {} (3 MB): %d decoded, %.1f MB allocated, %+.1f MB live, err %v",
		n, media, float64(allocated)/1e6, float64(held)/1e6, err)
	if !errors.Is(err, conversations.ErrResponseTooLarge) || m != nil {
		t.Errorf("message with %d media: %d decoded, err %v; want ErrResponseTooLarge", n, media, err)
	}
	record(figure{Fault: "#12 neighbour: one message, media array of ~1M {} (3 MB)", Op: "Messages.Fetch (GET)",
		Outcome: sentinelText(err, conversations.ErrResponseTooLarge, "ErrResponseTooLarge"), Attempts: "-",
		Applied: fmt.Sprintf("%d media", media), Elapsed: "-", Conns: "-",
		BytesRead: fmt.Sprintf("alloc %.1f MB, live %+.1f MB", float64(allocated)/1e6, float64(held)/1e6), Leaked: "-"})
}
