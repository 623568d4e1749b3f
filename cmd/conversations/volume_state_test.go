package main

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/conversations-go/conversations"
)

// The volume tests load large states into the emulator through its state
// document (Emulator.ImportState) instead of tens of thousands of requests:
// one real conversation (and message, with media) is made through the API,
// exported, and its records cloned with fresh SIDs.

// stateDoc is the emulator's state document, edited generically.
type stateDoc map[string]any

func exportState(t testing.TB, e *emu) stateDoc {
	t.Helper()
	data, err := e.ExportState()
	require.NoError(t, err)
	var doc stateDoc
	require.NoError(t, json.Unmarshal(data, &doc))
	return doc
}

func importState(t testing.TB, e *emu, doc stateDoc) {
	t.Helper()
	data, err := json.Marshal(doc)
	require.NoError(t, err)
	require.NoError(t, e.ImportState(data))
}

// conversationsOf returns the conversation records of the service holding
// them.
func conversationsOf(t testing.TB, doc stateDoc) (svc map[string]any, convs []any) {
	t.Helper()
	for _, s := range doc["services"].([]any) {
		svc := s.(map[string]any)
		if cs, ok := svc["conversations"].([]any); ok && len(cs) > 0 {
			return svc, cs
		}
	}
	t.Fatal("no conversation in the state")
	return nil, nil
}

// fakeSID is a deterministic SID: prefix, then 32 hex digits from seed.
func fakeSID(prefix, seed string) string {
	h := sha256.Sum256([]byte(seed))
	return prefix + fmt.Sprintf("%x", h[:16])
}

// mediaBytes is the content of the i-th media file of a generated
// conversation: size bytes, different for each i.
func mediaBytes(i, size int) []byte {
	b := make([]byte, size)
	h := sha256.Sum256([]byte(fmt.Sprint(i)))
	for j := range b {
		b[j] = h[j%len(h)] ^ byte(j/len(h))
	}
	return b
}

// messageConversation loads a conversation of n messages, every mediaEvery-th
// with one media file of mediaSize bytes, and returns its SID and the media
// SIDs by message index.
func messageConversation(t testing.TB, e *emu, name string, n, mediaEvery, mediaSize int) (string, map[int]string) {
	t.Helper()
	ctx := context.Background()
	c, err := e.client.Conversations.Create(ctx, &conversations.ConversationCreateParams{UniqueName: name})
	require.NoError(t, err)
	_, err = e.client.Participants.Create(ctx, c.SID, &conversations.ParticipantCreateParams{Identity: "agent"})
	require.NoError(t, err)
	_, err = e.client.Messages.CreateWithMedia(ctx, c.SID, strings.NewReader("x"),
		&conversations.MediaUploadParams{ContentType: "image/jpeg", Filename: "template.jpg", Size: 1},
		&conversations.MessageCreateParams{Author: "agent", Body: "template"})
	require.NoError(t, err)

	doc := exportState(t, e)
	_, convs := conversationsOf(t, doc)
	var conv map[string]any
	for _, cv := range convs {
		if cv.(map[string]any)["sid"] == c.SID {
			conv = cv.(map[string]any)
		}
	}
	require.NotNil(t, conv)
	tmplMsg := conv["messages"].([]any)[0].(map[string]any)
	var tmplMedia map[string]any
	media := doc["media"].([]any)
	var kept []any
	for _, m := range media {
		if m.(map[string]any)["channel_sid"] == c.SID {
			tmplMedia = m.(map[string]any)
		} else {
			kept = append(kept, m)
		}
	}
	require.NotNil(t, tmplMedia)
	created, err := time.Parse(time.RFC3339Nano, tmplMsg["date_created"].(string))
	require.NoError(t, err)

	mediaSIDs := map[int]string{}
	msgs := make([]any, n)
	for i := range n {
		m := clone(tmplMsg)
		sid := fakeSID("IM", fmt.Sprint(name, i))
		when := created.Add(time.Duration(i) * time.Second).Format(time.RFC3339Nano)
		m["sid"], m["index"], m["body"] = sid, i, fmt.Sprintf("message %d of a long conversation, with some text to make it look real", i)
		m["date_created"], m["date_updated"] = when, when
		delete(m, "media")
		if mediaEvery > 0 && i%mediaEvery == 0 {
			msid := fakeSID("ME", fmt.Sprint(name, "media", i))
			md := clone(tmplMedia)
			md["sid"], md["message_sid"], md["data"] = msid, sid, mediaBytes(i, mediaSize)
			md["filename"] = fmt.Sprintf("photo-%d.jpg", i)
			kept = append(kept, md)
			m["media"] = []any{map[string]any{"sid": msid, "size": mediaSize, "content_type": "image/jpeg", "filename": md["filename"]}}
			mediaSIDs[i] = msid
		}
		msgs[i] = m
	}
	conv["messages"] = msgs
	conv["next_index"] = n
	doc["media"] = kept
	importState(t, e, doc)
	return c.SID, mediaSIDs
}

// manyConversations loads n active conversations named prefix000..., last
// changed age ago, and returns their SIDs.
func manyConversations(t testing.TB, e *emu, prefix string, n int, age time.Duration) []string {
	t.Helper()
	ctx := context.Background()
	c, err := e.client.Conversations.Create(ctx, &conversations.ConversationCreateParams{UniqueName: prefix + "template"})
	require.NoError(t, err)
	doc := exportState(t, e)
	svc, convs := conversationsOf(t, doc)
	var tmpl map[string]any
	var kept []any
	for _, cv := range convs {
		if cv.(map[string]any)["sid"] == c.SID {
			tmpl = cv.(map[string]any)
		} else {
			kept = append(kept, cv)
		}
	}
	require.NotNil(t, tmpl)
	when := time.Now().Add(-age).UTC().Format(time.RFC3339Nano)
	sids := make([]string, n)
	for i := range n {
		cv := clone(tmpl)
		sids[i] = fakeSID("CH", fmt.Sprint(prefix, i))
		cv["sid"], cv["unique_name"] = sids[i], fmt.Sprintf("%s%03d", prefix, i)
		cv["date_created"], cv["date_updated"] = when, when
		kept = append(kept, cv)
	}
	svc["conversations"] = kept
	importState(t, e, doc)
	return sids
}

func clone(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
