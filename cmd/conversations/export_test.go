package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestExportText(t *testing.T) {
	w := newWorld(t)
	r := runCLI(t, w.env, "export", "support-4711")
	require.Equal(t, 0, r.code, r.stderr)
	golden(t, "export_text", r.stdout)
	assert.Equal(t, "exported 3 messages of 1 conversations\n", r.stderr)
}

func TestExportCSV(t *testing.T) {
	w := newWorld(t)
	r := runCLI(t, w.env, "export", w.support.SID, w.old.SID, "--format", "csv")
	require.Equal(t, 0, r.code, r.stderr)
	golden(t, "export_csv", r.stdout)
	recs, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	require.NoError(t, err)
	require.Len(t, recs, 5) // header, 3 + 1 messages
	assert.Equal(t, []string{"conversation_sid", "message_sid", "index", "author", "channel", "date_created", "body", "media", "delivery_status"}, recs[0])
	assert.Equal(t, "Any news?\nIt was due Friday.", recs[2][6])
	assert.Equal(t, "label.png", recs[3][7])
	assert.Equal(t, w.old.SID, recs[4][0])
	assert.Equal(t, "exported 4 messages of 2 conversations\n", r.stderr)
}

func TestExportJSONLinesWithMedia(t *testing.T) {
	w := newWorld(t)
	dir := t.TempDir()
	media := filepath.Join(dir, "media")
	r := runIn(t, w.env, dir, nil, "export", "support-4711", "--json", "--media", "media")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, "exported 3 messages of 1 conversations; media: 1 downloaded, 0 already there\n", r.stderr)
	type exported struct {
		ConversationSID string `json:"conversation_sid"`
		Index           int    `json:"index"`
		Author          string `json:"author"`
		Channel         string `json:"channel"`
		Body            string `json:"body"`
		DeliveryStatus  string `json:"delivery_status"`
		Media           []struct {
			SID, Filename, File string
			ContentType         string `json:"content_type"`
			Size                int64
		} `json:"media"`
	}
	var msgs []exported
	for _, l := range lines(r.stdout) {
		var m exported
		require.NoError(t, json.Unmarshal([]byte(l), &m), l)
		msgs = append(msgs, m)
	}
	require.Len(t, msgs, 3)
	assert.Equal(t, []int{0, 1, 2}, []int{msgs[0].Index, msgs[1].Index, msgs[2].Index})
	assert.Equal(t, "alice", msgs[0].Author)
	assert.Equal(t, "chat", msgs[0].Channel)
	assert.Equal(t, "sms", msgs[1].Channel)
	assert.Equal(t, "Hello, my order is late", msgs[0].Body)
	assert.NotEmpty(t, msgs[0].DeliveryStatus, "the SMS participant receives alice's message")
	require.Len(t, msgs[2].Media, 1)
	m := msgs[2].Media[0]
	assert.Equal(t, w.mediaSID, m.SID)
	assert.Equal(t, "label.png", m.Filename)
	assert.Equal(t, "image/png", m.ContentType)
	assert.Equal(t, int64(len(pngBytes)), m.Size)
	assert.Equal(t, filepath.Join(w.support.SID, "000002-"+w.mediaSID+"-label.png"), m.File)

	got, err := os.ReadFile(filepath.Join(media, m.File))
	require.NoError(t, err)
	body, _, err := w.client.Media.Download(context.Background(), w.mediaSID)
	require.NoError(t, err)
	want, err := io.ReadAll(body)
	body.Close()
	require.NoError(t, err)
	assert.True(t, bytes.Equal(want, got), "the file holds the emulator's bytes")
	assert.True(t, bytes.Equal(pngBytes, got))

	// A re-run finds the file and does not download it again.
	r2 := runIn(t, w.env, dir, nil, "export", "support-4711", "--json", "--media", "media")
	require.Equal(t, 0, r2.code, r2.stderr)
	assert.Equal(t, "exported 3 messages of 1 conversations; media: 0 downloaded, 1 already there\n", r2.stderr)
	assert.Equal(t, r.stdout, r2.stdout)

	// A file cut short (an interrupted download left by hand) is fetched again.
	require.NoError(t, os.WriteFile(filepath.Join(media, m.File), got[:10], 0o644))
	r3 := runIn(t, w.env, dir, nil, "export", "support-4711", "--json", "--media", "media")
	require.Equal(t, 0, r3.code, r3.stderr)
	assert.Contains(t, r3.stderr, "media: 1 downloaded, 0 already there")
	got, err = os.ReadFile(filepath.Join(media, m.File))
	require.NoError(t, err)
	assert.Equal(t, pngBytes, got)
}

func TestExportByFilter(t *testing.T) {
	w := newWorld(t)
	r := runCLI(t, w.env, "export", "--state", "closed", "--format", "text")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "== "+w.old.SID+" old-1 \"Old thread\" (closed, created 2026-03-02 10:00:00Z)\n")
	assert.Contains(t, r.stdout, "bob (api): an old question")
	assert.NotContains(t, r.stdout, w.support.SID)
	assert.Equal(t, "exported 1 messages of 1 conversations\n", r.stderr)

	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"export"}, "give one or more conversations"},
		{[]string{"export", "x", "--state", "active"}, "give conversations or filters, not both"},
		{[]string{"export", "x", "--format", "pdf"}, `--format "pdf": want jsonl, csv or text`},
	} {
		r := runCLI(t, w.env, tc.args...)
		assert.Equal(t, 2, r.code, "%v", tc.args)
		assert.Contains(t, r.stderr, tc.msg)
	}
	r = runCLI(t, w.env, "export", "no-such-conversation")
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "Twilio error 20404")
}
