package form

import (
	"net/url"
	"testing"
)

// A webhook form as Twilio posts it for onMessageAdded (escaped, no raw ';').
var benchBody = url.Values{
	"AccountSid": {"AC0123456789abcdef0123456789abcdef"}, "EventType": {"onMessageAdded"},
	"ConversationSid": {"CH0123456789abcdef0123456789abcdef"}, "MessageSid": {"IM0123456789abcdef0123456789abcdef"},
	"Index": {"42"}, "Author": {"+15558675310"}, "Body": {"See you at 5; bring the receipt"},
	"Attributes": {`{"order":1042,"note":"a & b"}`}, "DateCreated": {"2026-12-07T05:40:18.123Z"},
	"ParticipantSid": {"MB0123456789abcdef0123456789abcdef"}, "Source": {"SMS"},
	"ChatServiceSid": {"IS0123456789abcdef0123456789abcdef"}, "MessagingServiceSid": {"MG0123456789abcdef0123456789abcdef"},
}.Encode()

// sink keeps the results alive, as a caller's use does: a discarded result
// lets the compiler keep an inlined url.ParseQuery's map on the stack.
var sink url.Values

// BenchmarkParse compares Parse with url.ParseQuery (the baseline) on the
// same body.
func BenchmarkParse(b *testing.B) {
	b.Run("form.Parse", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(benchBody)))
		for b.Loop() {
			v, err := Parse(benchBody)
			if err != nil {
				b.Fatal(err)
			}
			sink = v
		}
	})
	b.Run("url.ParseQuery", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(benchBody)))
		for b.Loop() {
			v, err := url.ParseQuery(benchBody)
			if err != nil {
				b.Fatal(err)
			}
			sink = v
		}
	})
}
