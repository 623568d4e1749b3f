package conversationstest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"
)

// The emulator at scale: what one operation costs with 100, 10,000 and
// 100,000 conversations in the emulator, each with one SMS participant.
// The cost at 100 is the baseline of the same run; each operation at
// 100,000 should stay within 2× of it. Run:
//
//	go test ./conversationstest -run '^$' -bench 'BenchmarkScale' -benchtime 2s
//
// BenchmarkScale/convs=N/Build is the time to load the N conversations from
// a state document (what the command's -state does at start; heap-MiB is the
// Go heap they hold afterwards); the other sub-benchmarks are one request
// or one simulated SMS each, served in-process (ServeHTTP, no network).
// BenchmarkScaleBuildREST creates conversations with their SMS participant
// through the REST API, two requests per conversation.

// scaleProxy is the Twilio number every benchmark conversation's SMS
// participant texts.
const scaleProxy = "+18005550100"

// scaleAddress is the phone number of conversation i's SMS participant.
func scaleAddress(i int) string { return fmt.Sprintf("+1202%07d", i) }

// scaleDoc is a state document with n conversations, each holding one SMS
// participant (scaleAddress(i) through scaleProxy) and no messages.
func scaleDoc(n int) ([]byte, []string) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	svc := stateService{
		Sid: newSID("IS"), FriendlyName: "Default Conversations Service", Created: t0, Updated: t0,
		DefaultRole: newSID("RL"), Webhooks: stateHooks{Method: "POST", Filters: []string{}, Target: "webhook"},
		Roles: []stateRole{}, Users: []stateUser{}, Bindings: []stateBinding{},
		Conversations: make([]stateConversation, n),
	}
	sids := make([]string, n)
	for i := range n {
		sids[i] = newSID("CH")
		svc.Conversations[i] = stateConversation{
			Sid: sids[i], Attributes: "{}", MessagingServiceSid: newSID("MG"), State: "active",
			Created: t0, Updated: t0,
			Participants: []stateParticipant{{
				Sid: newSID("MB"), Attributes: "{}", Channel: "sms", Address: scaleAddress(i), ProxyAddress: scaleProxy,
				Created: t0, Updated: t0,
			}},
			Messages: []stateMessage{}, Webhooks: []stateScopedWebhook{},
		}
	}
	doc := stateDoc{
		Version: stateVersion, DefaultServiceSid: svc.Sid, MessagingServiceSid: newSID("MG"),
		GlobalWebhooks: stateHooks{Method: "POST", Filters: []string{}, Target: "webhook"},
		Services:       []stateService{svc}, Addresses: []stateAddress{}, Credentials: []stateCredential{},
		Media: []stateMedia{}, Phones: map[string][]statePhone{}, Failures: map[string]stateFailure{},
	}
	data, err := json.Marshal(doc)
	if err != nil {
		panic(err)
	}
	return data, sids
}

// serve sends one request to e in-process, with the default credentials,
// from and to loopback, and returns the recorded answer.
func serve(e *Emulator, method, path string, form url.Values) *httptest.ResponseRecorder {
	var req *http.Request
	if method == http.MethodPost {
		req = httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		if len(form) > 0 {
			path += "?" + form.Encode()
		}
		req = httptest.NewRequest(method, path, nil)
	}
	req.Host, req.RemoteAddr = "127.0.0.1:3000", "127.0.0.1:40000"
	req.SetBasicAuth(e.AccountSID(), e.AuthToken())
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	return rec
}

// must fails b unless the answer has the given status.
func must(b testing.TB, rec *httptest.ResponseRecorder, status int) *httptest.ResponseRecorder {
	b.Helper()
	if rec.Code != status {
		b.Fatalf("status %d, want %d: %s", rec.Code, status, rec.Body)
	}
	return rec
}

func BenchmarkScale(b *testing.B) {
	for _, n := range []int{100, 10_000, 100_000} {
		b.Run(fmt.Sprintf("convs=%d", n), func(b *testing.B) {
			data, sids := scaleDoc(n)
			var e *Emulator
			b.Run("Build", func(b *testing.B) {
				var before, after runtime.MemStats
				for b.Loop() {
					b.StopTimer()
					if e != nil {
						e.Close()
						e = nil
					}
					runtime.GC()
					runtime.ReadMemStats(&before)
					b.StartTimer()
					e = New()
					if err := e.ImportState(data); err != nil {
						b.Fatal(err)
					}
				}
				runtime.GC()
				runtime.ReadMemStats(&after)
				b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "heap-MiB")
			})
			if e == nil { // -bench left Build out
				e = New()
				if err := e.ImportState(data); err != nil {
					b.Fatal(err)
				}
			}
			defer e.Close()
			scaleOps(b, e, sids)
		})
	}
}

// scaleOps runs the per-operation sub-benchmarks against e, whose
// conversations sids[i] hold scaleAddress(i).
func scaleOps(b *testing.B, e *Emulator, sids []string) {
	n := len(sids)
	// Removing what an iteration added keeps every conversation as it was,
	// so the sizes differ only in the number of conversations.
	addAndRemove := func(b *testing.B, form func(i int) url.Values) {
		i := 0
		for b.Loop() {
			sid := sids[i%n]
			rec := must(b, serve(e, "POST", "/v1/Conversations/"+sid+"/Participants", form(i)), http.StatusCreated)
			b.StopTimer()
			var p struct{ Sid string }
			json.Unmarshal(rec.Body.Bytes(), &p)
			must(b, serve(e, "DELETE", "/v1/Conversations/"+sid+"/Participants/"+p.Sid, nil), http.StatusNoContent)
			i++
			b.StartTimer()
		}
	}
	b.Run("AddChatParticipant", func(b *testing.B) {
		addAndRemove(b, func(i int) url.Values { return url.Values{"Identity": {fmt.Sprintf("agent-%d", i)}} })
	})
	b.Run("AddSMSParticipant", func(b *testing.B) {
		addAndRemove(b, func(i int) url.Values {
			return url.Values{"MessagingBinding.Address": {fmt.Sprintf("+1303%07d", i)}, "MessagingBinding.ProxyAddress": {scaleProxy}}
		})
	})
	b.Run("InboundSMS", func(b *testing.B) {
		i := 0
		for b.Loop() {
			if _, err := e.SendSMS(scaleAddress(i%n), scaleProxy, "Where is my order?"); err != nil {
				b.Fatal(err)
			}
			i++
		}
		e.Flush() // untimed: the queued webhooks and receipts do not spill into the next
	})
	b.Run("CreateMessage", func(b *testing.B) {
		i := 0
		form := url.Values{"Author": {"agent"}, "Body": {"It ships today."}}
		for b.Loop() {
			must(b, serve(e, "POST", "/v1/Conversations/"+sids[i%n]+"/Messages", form), http.StatusCreated)
			i++
		}
		e.Flush()
	})
	b.Run("ParticipantConversationsByAddress", func(b *testing.B) {
		i := 0
		for b.Loop() {
			must(b, serve(e, "GET", "/v1/ParticipantConversations", url.Values{"Address": {scaleAddress(i % n)}}), http.StatusOK)
			i++
		}
	})
	// Listing is a walk over the list by nature; the first page and a page
	// deep into it, with the PageToken the previous page gave.
	b.Run("ListConversationsFirstPage", func(b *testing.B) {
		for b.Loop() {
			must(b, serve(e, "GET", "/v1/Conversations", url.Values{"PageSize": {"50"}}), http.StatusOK)
		}
	})
	b.Run("ListConversationsLastPage", func(b *testing.B) {
		last := ""
		for u := "/v1/Conversations?PageSize=50&Page=0"; u != ""; {
			last = u
			var page struct {
				Meta struct {
					NextPageURL string `json:"next_page_url"`
				}
			}
			json.Unmarshal(must(b, serve(e, "GET", u, nil), http.StatusOK).Body.Bytes(), &page)
			u, _ = strings.CutPrefix(page.Meta.NextPageURL, "http://127.0.0.1:3000")
			if n > 10_000 && strings.Contains(u, "Page=2&") {
				break // only the start of a long list; the cursor stands for any page
			}
		}
		for b.Loop() {
			must(b, serve(e, "GET", last, nil), http.StatusOK)
		}
	})
	// A baseline that never scanned: fetching one conversation by SID.
	b.Run("FetchConversation", func(b *testing.B) {
		i := 0
		for b.Loop() {
			must(b, serve(e, "GET", "/v1/Conversations/"+sids[i%n], nil), http.StatusOK)
			i++
		}
	})
	e.Flush()
}

// BenchmarkScaleBuildREST creates n conversations, each with one SMS
// participant, through the REST API (two requests each), in-process; the
// ns/conv figure at 10,000 should match the one at 100.
func BenchmarkScaleBuildREST(b *testing.B) {
	for _, n := range []int{100, 10_000} {
		b.Run(fmt.Sprintf("convs=%d", n), func(b *testing.B) {
			for b.Loop() {
				e := New()
				for i := range n {
					rec := must(b, serve(e, "POST", "/v1/Conversations", nil), http.StatusCreated)
					var c struct{ Sid string }
					json.Unmarshal(rec.Body.Bytes(), &c)
					must(b, serve(e, "POST", "/v1/Conversations/"+c.Sid+"/Participants", url.Values{
						"MessagingBinding.Address": {scaleAddress(i)}, "MessagingBinding.ProxyAddress": {scaleProxy}}), http.StatusCreated)
				}
				e.Close()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/conv")
		})
	}
}
