package conversationstest

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkRESTGuard measures the Host and Origin checks every request now
// goes through, on a request that came through a listener (the binary's
// case); BenchmarkServeFetch, a whole in-process fetch of a conversation, is
// the baseline they add to.
func BenchmarkRESTGuard(b *testing.B) {
	e := New()
	b.Cleanup(e.Close)
	r := listenerRequest("GET", "/v1/Conversations")
	r.Header.Set("Origin", "http://127.0.0.1:4010")
	b.ReportAllocs()
	for b.Loop() {
		if err := e.restGuard(r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkServeFetch(b *testing.B) {
	e := New()
	b.Cleanup(e.Close)
	rec := httptest.NewRecorder()
	create := listenerRequest("POST", "/v1/Conversations")
	create.Body = http.NoBody
	e.ServeHTTP(rec, create)
	if rec.Code != 201 {
		b.Fatal(rec.Code, rec.Body)
	}
	sid := rec.Body.String()[strings.Index(rec.Body.String(), `"CH`)+1:][:34]
	r := listenerRequest("GET", "/v1/Conversations/"+sid)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		e.ServeHTTP(w, r)
		if w.Code != 200 {
			b.Fatal(w.Code, w.Body)
		}
	}
}

// listenerRequest is a request as net/http's Server hands it over from a
// listener on 127.0.0.1:4010, with the default credentials.
func listenerRequest(method, path string) *http.Request {
	r := httptest.NewRequest(method, path, nil)
	r.Host = "127.0.0.1:4010"
	r.SetBasicAuth(DefaultAccountSID, DefaultAuthToken)
	return r.WithContext(context.WithValue(r.Context(), http.LocalAddrContextKey, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4010}))
}
