package form

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// FuzzParse checks Parse against url.ParseQuery wherever the text holds no
// ';' (the one place they are meant to differ), and, with ';', that Parse
// reads the same pairs as url.ParseQuery does on the text with each ';'
// escaped as %3B.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"", "a=1&b=2", "Body=See you at 5; bring the receipt", "a=%3B;&;=;", "a=%zz&b", "+=+&%20",
		"a=1&&&b==2", "x;y;z", "%", "a=%e9", "k=v&k=w",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Parse(s)
		if got == nil {
			t.Fatal("nil result")
		}
		ref := s
		if strings.Contains(s, ";") {
			ref = strings.ReplaceAll(s, ";", "%3B")
		}
		want, wantErr := url.ParseQuery(ref)
		if strings.Count(s, "&")+1 > MaxParams {
			return
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("Parse(%q) = %q; url.ParseQuery(%q) = %q", s, got, ref, want)
		}
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("Parse(%q) error %v; url.ParseQuery(%q) error %v", s, err, ref, wantErr)
		}
		if !strings.Contains(s, ";") && err != nil && err.Error() != wantErr.Error() {
			t.Fatalf("Parse(%q) error %q; url.ParseQuery %q", s, err, wantErr)
		}
	})
}
