package form

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func TestParseSemicolonIsOrdinary(t *testing.T) {
	got, err := Parse("Body=See you at 5; bring the receipt&Attributes={\"a\":1;\"b\":2}&x;y=1&Tail=;")
	if err != nil {
		t.Fatal(err)
	}
	want := url.Values{
		"Body":       {"See you at 5; bring the receipt"},
		"Attributes": {`{"a":1;"b":2}`},
		"x;y":        {"1"},
		"Tail":       {";"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Parse = %q, want %q", got, want)
	}
}

func TestParseLikeParseQuery(t *testing.T) {
	for _, s := range []string{
		"", "&", "a", "a=", "=b", "a=1&a=2&b=3", "a+b=c+d", "a=%3B%26%3D", "a=%zz&b=2", "a=1&%x=2&c=%",
		"a=%C3%A9&b=%00&c=\x00", "==&=&a==b",
	} {
		want, wantErr := url.ParseQuery(s)
		got, err := Parse(s)
		if !reflect.DeepEqual(got, want) || (err == nil) != (wantErr == nil) {
			t.Errorf("Parse(%q) = %q, %v; url.ParseQuery = %q, %v", s, got, err, want, wantErr)
		}
	}
}

func TestParseFirstErrorKeepsOtherPairs(t *testing.T) {
	got, err := Parse("a=1;2&b=%zz&c=%q&d=4")
	if err == nil || !strings.Contains(err.Error(), "%zz") {
		t.Fatalf("err = %v, want the first bad escape", err)
	}
	if want := (url.Values{"a": {"1;2"}, "d": {"4"}}); !reflect.DeepEqual(got, want) {
		t.Fatalf("Parse = %q, want %q", got, want)
	}
}

func TestParseTooManyParams(t *testing.T) {
	ok := strings.Repeat("a=1&", MaxParams-1) + "a=1"
	if v, err := Parse(ok); err != nil || len(v["a"]) != MaxParams {
		t.Fatalf("%d pairs: %d values, %v", MaxParams, len(v["a"]), err)
	}
	v, err := Parse(ok + "&")
	if !errors.Is(err, ErrTooManyParams) || len(v) != 0 {
		t.Fatalf("%d pairs: %v, %v", MaxParams+1, v, err)
	}
	// Semicolons do not count as separators, so they cannot raise the count.
	if _, err := Parse(strings.Repeat(";", 3*MaxParams)); err != nil {
		t.Fatalf("semicolons: %v", err)
	}
}

func TestParseRequest(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "/x?q=1;2&Body=query", strings.NewReader("Body=a;b&FriendlyName=c%3Bd;e"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	if err := ParseRequest(r); err != nil {
		t.Fatal(err)
	}
	if want := (url.Values{"Body": {"a;b"}, "FriendlyName": {"c;d;e"}}); !reflect.DeepEqual(r.PostForm, want) {
		t.Fatalf("PostForm = %q, want %q", r.PostForm, want)
	}
	if want := (url.Values{"Body": {"a;b", "query"}, "FriendlyName": {"c;d;e"}, "q": {"1;2"}}); !reflect.DeepEqual(r.Form, want) {
		t.Fatalf("Form = %q, want %q", r.Form, want)
	}
	// net/http's accessors use the parsed fields and do not parse again.
	if got := r.FormValue("q"); got != "1;2" {
		t.Fatalf("FormValue(q) = %q", got)
	}
}

func TestParseRequestContentTypes(t *testing.T) {
	for _, tc := range []struct {
		method, ct string
		read       bool
	}{
		{http.MethodPost, "application/x-www-form-urlencoded", true},
		{http.MethodPut, "application/x-www-form-urlencoded", true},
		{http.MethodPatch, "application/x-www-form-urlencoded", true},
		{http.MethodDelete, "application/x-www-form-urlencoded", false},
		{http.MethodGet, "application/x-www-form-urlencoded", false},
		{http.MethodPost, "", false},
		{http.MethodPost, "application/json", false},
		{http.MethodPost, "multipart/form-data; boundary=x", false},
	} {
		r := httptest.NewRequest(tc.method, "/", strings.NewReader("a=1;2"))
		if tc.ct != "" {
			r.Header.Set("Content-Type", tc.ct)
		}
		if err := ParseRequest(r); err != nil {
			t.Fatalf("%s %q: %v", tc.method, tc.ct, err)
		}
		if got := r.PostForm.Get("a") == "1;2"; got != tc.read {
			t.Errorf("%s %q: body read %v, want %v", tc.method, tc.ct, got, tc.read)
		}
	}
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("a=1"))
	r.Header.Set("Content-Type", "text/plain; =bad")
	if err := ParseRequest(r); err == nil {
		t.Fatal("malformed Content-Type accepted")
	}
}

func TestParseRequestBodyLimit(t *testing.T) {
	body := "a=" + strings.Repeat("x", MaxBody-2)
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if err := ParseRequest(r); err != nil || len(r.PostForm.Get("a")) != MaxBody-2 {
		t.Fatalf("body of MaxBody bytes: %v", err)
	}
	r = httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body+"x"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if err := ParseRequest(r); !errors.Is(err, ErrBodyTooLarge) || len(r.PostForm) != 0 {
		t.Fatalf("body of MaxBody+1 bytes: %v, %d fields", err, len(r.PostForm))
	}
}

func TestQuery(t *testing.T) {
	u, _ := url.Parse("http://h/p?after=5;x&Filename=a;b.png&bad=%zz")
	if want := (url.Values{"after": {"5;x"}, "Filename": {"a;b.png"}}); !reflect.DeepEqual(Query(u), want) {
		t.Fatalf("Query = %q", Query(u))
	}
	if len(Query(nil)) != 0 {
		t.Fatal("Query(nil) not empty")
	}
}
