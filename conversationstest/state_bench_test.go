package conversationstest_test

import (
	"encoding/json"
	"fmt"
	"runtime"
	"testing"

	"github.com/conversations-go/conversations/conversationstest"
)

// fillEmulator adds convs conversations, each with a chat and an SMS
// participant and msgs messages, through the HTTP API.
func fillEmulator(b testing.TB, h *harness, convs, msgs int) {
	for c := range convs {
		key := fmt.Sprintf("conv-%03d", c)
		h.conversation("UniqueName", key)
		h.participant(key, "Identity", "agent")
		h.participant(key, "MessagingBinding.Address", fmt.Sprintf("+1555%07d", c), "MessagingBinding.ProxyAddress", "+15559990000")
		for m := range msgs {
			h.message(key, "Author", "agent", "Body", fmt.Sprintf("message %d of conversation %d: a reply of typical length, about eighty characters", m, c))
		}
	}
	h.srv.Flush()
}

// BenchmarkExportState measures the state export (what -state writes while
// the state changes) at 10,000 messages in 100 conversations, against a
// baseline of 100 messages in 1 conversation in the same run. It reports
// the document's size and the Go heap the emulator holds after a GC.
func BenchmarkExportState(b *testing.B) {
	for _, size := range []struct{ convs, msgs int }{{1, 100}, {100, 100}} {
		b.Run(fmt.Sprintf("%dx%d", size.convs, size.msgs), func(b *testing.B) {
			var before runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			h := &harness{t: &testing.T{}, srv: conversationstest.NewServer()}
			defer h.srv.Close()
			fillEmulator(b, h, size.convs, size.msgs)
			var after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&after)
			var n int
			for b.Loop() {
				doc, err := h.srv.ExportState()
				if err != nil {
					b.Fatal(err)
				}
				n = len(doc)
			}
			b.ReportMetric(float64(n)/(1<<20), "doc-MiB")
			b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "heap-MiB")
		})
	}
}

// BenchmarkImportState measures ImportState (the streaming, checking
// decoder and the rebuild of the state) on the export of 2,000 messages in
// 20 conversations, against a baseline in the same run: encoding/json
// decoding the same document into an any, with no checks and no state
// built. Both report MB/s of document and B/op.
func BenchmarkImportState(b *testing.B) {
	h := &harness{t: &testing.T{}, srv: conversationstest.NewServer()}
	defer h.srv.Close()
	fillEmulator(b, h, 20, 100)
	doc, err := h.srv.ExportState()
	if err != nil {
		b.Fatal(err)
	}
	b.Run("ImportState", func(b *testing.B) {
		emu := conversationstest.New()
		defer emu.Close()
		b.SetBytes(int64(len(doc)))
		b.ReportAllocs()
		for b.Loop() {
			if err := emu.ImportState(doc); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("baseline-json.Unmarshal-any", func(b *testing.B) {
		b.SetBytes(int64(len(doc)))
		b.ReportAllocs()
		for b.Loop() {
			var v any
			if err := json.Unmarshal(doc, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
}
