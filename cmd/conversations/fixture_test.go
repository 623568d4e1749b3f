package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/conversations-go/conversations"
	"github.com/conversations-go/conversations/conversationstest"
)

// start is the emulator's frozen clock in the golden-file tests, so dates
// in the output are stable.
var start = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// pngBytes is a small media file.
var pngBytes = append([]byte("\x89PNG\r\n\x1a\n"), []byte(strings.Repeat("pixels", 200))...)

// world is the fixture of the read and export tests: three conversations
// created a day apart.
type world struct {
	*emu
	support, sales, old *conversations.Conversation
	mediaSID            string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	e := newEmu(t, conversationstest.WithClock(start))
	ctx := context.Background()
	c := e.client
	w := &world{emu: e}
	var err error
	w.old, err = c.Conversations.Create(ctx, &conversations.ConversationCreateParams{UniqueName: "old-1", FriendlyName: "Old thread"})
	require.NoError(t, err)
	_, err = c.Messages.Create(ctx, w.old.SID, &conversations.MessageCreateParams{Author: "bob", Body: "an old question"})
	require.NoError(t, err)
	_, err = c.Conversations.Close(ctx, w.old.SID, nil)
	require.NoError(t, err)

	e.Advance(24 * time.Hour)
	w.support, err = c.Conversations.Create(ctx, &conversations.ConversationCreateParams{
		UniqueName: "support-4711", FriendlyName: "Order 4711",
		Attributes: conversations.AttributesOf(map[string]string{"priority": "high"}),
	})
	require.NoError(t, err)
	_, err = c.Participants.Create(ctx, w.support.SID, &conversations.ParticipantCreateParams{Identity: "alice"})
	require.NoError(t, err)
	_, err = c.Participants.Create(ctx, w.support.SID, &conversations.ParticipantCreateParams{
		MessagingBindingAddress: "+15551230001", MessagingBindingProxyAddress: "+15550000000",
	})
	require.NoError(t, err)
	e.Advance(time.Minute)
	_, err = c.Messages.Create(ctx, w.support.SID, &conversations.MessageCreateParams{Author: "alice", Body: "Hello, my order is late"})
	require.NoError(t, err)
	e.Advance(time.Minute)
	_, err = c.Messages.Create(ctx, w.support.SID, &conversations.MessageCreateParams{Author: "+15551230001", Body: "Any news?\nIt was due Friday."})
	require.NoError(t, err)
	e.Advance(time.Minute)
	m, err := c.Messages.CreateWithMedia(ctx, w.support.SID, strings.NewReader(string(pngBytes)),
		&conversations.MediaUploadParams{ContentType: "image/png", Filename: "label.png", Size: int64(len(pngBytes))},
		&conversations.MessageCreateParams{Author: "ops-bot", Body: "Here is the shipping label"})
	require.NoError(t, err)
	require.Len(t, m.Media, 1)
	w.mediaSID = m.Media[0].SID
	e.Flush()

	e.Advance(24 * time.Hour)
	w.sales, err = c.Conversations.Create(ctx, &conversations.ConversationCreateParams{UniqueName: "sales-1", FriendlyName: "Sales lead", State: conversations.StateInactive})
	require.NoError(t, err)
	_, err = c.Participants.Create(ctx, w.sales.SID, &conversations.ParticipantCreateParams{Identity: "alice"})
	require.NoError(t, err)
	return w
}
