package conversations_test

import "testing"

// BenchmarkList1000Messages lists 20 pages of 50 messages: the per-call
// costs (headers, decoding, attributes) of a typical history read.
func BenchmarkList1000Messages(b *testing.B)    { libraryList(b, 20) }
func BenchmarkList1000MessagesRaw(b *testing.B) { rawList(b, 20) }
