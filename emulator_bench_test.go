package conversations_test

import (
	"context"
	"testing"

	"github.com/conversations-go/conversations"
)

// BenchmarkEmulatorMessageCreate measures creating a message through the client
// against the local emulator, with one SMS recipient.
func BenchmarkEmulatorMessageCreate(b *testing.B) {
	ctx := context.Background()
	client, _ := newEmulated(b)
	conv, err := client.Conversations.Create(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := client.Participants.Create(ctx, conv.SID, &conversations.ParticipantCreateParams{
		MessagingBindingAddress: "+15550001111", MessagingBindingProxyAddress: "+15559990000"}); err != nil {
		b.Fatal(err)
	}
	params := &conversations.MessageCreateParams{Author: "bench", Body: "hello"}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := client.Messages.Create(ctx, conv.SID, params); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
