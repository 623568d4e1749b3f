package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/conversations-go/conversations"
)

// TestService runs the commands in a non-default Conversation Service.
func TestService(t *testing.T) {
	e := newEmu(t)
	ctx := context.Background()
	svc, err := e.client.Services.Create(ctx, &conversations.ServiceCreateParams{FriendlyName: "support"})
	require.NoError(t, err)
	in := e.client.Service(svc.SID)
	conv, err := in.Conversations.Create(ctx, &conversations.ConversationCreateParams{UniqueName: "in-service"})
	require.NoError(t, err)
	other, err := e.client.Conversations.Create(ctx, &conversations.ConversationCreateParams{UniqueName: "in-default"})
	require.NoError(t, err)

	r := runCLI(t, e.env, "list", "--service", svc.SID, "--json")
	require.Equal(t, 0, r.code, r.stderr)
	require.Len(t, lines(r.stdout), 1)
	var c conversations.Conversation
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &c))
	assert.Equal(t, conv.SID, c.SID)
	assert.Equal(t, svc.SID, c.ChatServiceSID)

	r = runCLI(t, e.env, "list", "--json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.NotContains(t, r.stdout, conv.SID)
	assert.Contains(t, r.stdout, other.SID)

	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "p.csv"), []byte("identity\nsvc-user\n"), 0o644))
	r = runIn(t, e.env, dir, nil, "--service", svc.SID, "participants", "add", "--csv", "p.csv", "in-service")
	require.Equal(t, 0, r.code, r.stderr)
	r = runCLI(t, e.env, "--service", svc.SID, "send", "in-service", "--body", "hi", "--author", "svc-user")
	require.Equal(t, 0, r.code, r.stderr)
	r = runCLI(t, e.env, "--service", svc.SID, "find", "--identity", "svc-user", "--json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, conv.SID)
	r = runCLI(t, e.env, "--service", svc.SID, "export", "in-service")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "svc-user (chat): hi")

	// The conversation is not in the default service.
	r = runCLI(t, e.env, "show", "in-service")
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "and --service when it lives in another Conversation Service")

	r = runCLI(t, e.env, "--service", svc.SID, "cleanup", "--delete", "--unique-name-prefix", "in-", "--yes")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stderr, "deleted 1, skipped 0, failed 0, of 1 conversations")
	_, ok := e.Conversation(other.SID)
	assert.True(t, ok, "the default service's conversation is untouched")
	_, ok = e.Conversation(conv.SID)
	assert.False(t, ok)
}
