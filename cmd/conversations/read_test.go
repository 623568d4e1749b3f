package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/conversations-go/conversations"
	"github.com/conversations-go/conversations/conversationstest"
)

func TestList(t *testing.T) {
	w := newWorld(t)

	r := runCLI(t, w.env, "list")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Empty(t, r.stderr)
	golden(t, "list", r.stdout)

	r = runCLI(t, w.env, "list", "--json")
	require.Equal(t, 0, r.code, r.stderr)
	var got []conversations.Conversation
	for _, l := range lines(r.stdout) {
		var c conversations.Conversation
		require.NoError(t, json.Unmarshal([]byte(l), &c), l)
		got = append(got, c)
	}
	require.Len(t, got, 3)
	sids := []string{got[0].SID, got[1].SID, got[2].SID}
	assert.ElementsMatch(t, []string{w.old.SID, w.support.SID, w.sales.SID}, sids)
	for _, c := range got {
		if c.SID == w.support.SID {
			assert.JSONEq(t, `{"priority":"high"}`, c.Attributes.String())
		}
	}

	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"--state", "inactive"}, []string{w.sales.SID}},
		{[]string{"--state", "closed"}, []string{w.old.SID}},
		{[]string{"--created-after", "2026-03-03"}, []string{w.support.SID, w.sales.SID}},
		{[]string{"--created-before", "2026-03-03"}, []string{w.old.SID, w.support.SID}},
		{[]string{"--created-after", "2026-03-03T10:00:00Z", "--created-before", "2026-03-03T23:00:00Z"}, []string{w.support.SID}},
		{[]string{"--updated-before", "2026-03-02"}, []string{w.old.SID}},
		{[]string{"--updated-after", "2026-03-04T10:00:00Z"}, []string{w.sales.SID}},
		{[]string{"--unique-name-prefix", "support-"}, []string{w.support.SID}},
	} {
		r := runCLI(t, w.env, append([]string{"list", "--json"}, tc.args...)...)
		require.Equal(t, 0, r.code, "%v: %s", tc.args, r.stderr)
		var sids []string
		for _, l := range lines(r.stdout) {
			var c conversations.Conversation
			require.NoError(t, json.Unmarshal([]byte(l), &c))
			sids = append(sids, c.SID)
		}
		assert.ElementsMatch(t, tc.want, sids, "%v", tc.args)
	}

	r = runCLI(t, w.env, "list", "--limit", "2", "--json")
	require.Equal(t, 0, r.code)
	assert.Len(t, lines(r.stdout), 2)

	r = runCLI(t, w.env, "list", "--state", "closed", "--unique-name-prefix", "nothing")
	require.Equal(t, 0, r.code)
	assert.Equal(t, "SID  STATE  UNIQUE NAME  FRIENDLY NAME  CREATED  UPDATED\n", r.stdout)
	assert.Equal(t, "no conversations match\n", r.stderr)
}

func TestListUsage(t *testing.T) {
	w := newEmu(t)
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"list", "--state", "open"}, `--state "open": want active, inactive or closed`},
		{[]string{"list", "--created-after", "yesterday"}, `--created-after "yesterday": want a date`},
		{[]string{"list", "--limit", "-1"}, "--limit must not be negative"},
		{[]string{"list", "extra"}, `unknown command "extra"`},
		{[]string{"list", "--bogus"}, "unknown flag: --bogus"},
		{[]string{"list", "--service", "IS123"}, `--service "IS123" is not a Conversation Service SID`},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
	} {
		r := runCLI(t, w.env, tc.args...)
		assert.Equal(t, 2, r.code, "%v", tc.args)
		assert.Empty(t, r.stdout, "%v", tc.args)
		assert.Contains(t, r.stderr, tc.msg, "%v", tc.args)
		assert.Contains(t, r.stderr, "--help' for usage", "%v", tc.args)
	}
}

func TestShow(t *testing.T) {
	w := newWorld(t)
	r := runCLI(t, w.env, "show", "support-4711")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Empty(t, r.stderr)
	golden(t, "show", r.stdout)

	r = runCLI(t, w.env, "show", w.support.SID, "--json")
	require.Equal(t, 0, r.code, r.stderr)
	require.Len(t, lines(r.stdout), 1)
	var got struct {
		conversations.Conversation
		Participants []conversations.Participant `json:"participants"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &got))
	assert.Equal(t, w.support.SID, got.SID)
	assert.Equal(t, "support-4711", got.UniqueName)
	assert.JSONEq(t, `{"priority":"high"}`, got.Attributes.String())
	require.Len(t, got.Participants, 2)
	assert.Equal(t, "alice", got.Participants[0].Identity)
	assert.Equal(t, "+15551230001", got.Participants[1].MessagingBinding.Address)

	r = runCLI(t, w.env, "show", "CH00000000000000000000000000000000")
	assert.Equal(t, 1, r.code)
	assert.Empty(t, r.stdout)
	assert.Regexp(t, `^error: Twilio error 20404 \(HTTP 404 Not Found\) on GET /v1/Conversations/CH0{32}: .*Check the SID or unique name, and --service when it lives in another Conversation Service\. See https://www\.twilio\.com/docs/errors/20404`, r.stderr)

	r = runCLI(t, w.env, "show")
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "want CONVERSATION (a CH... SID or unique name), got 0 arguments")
}

func TestFind(t *testing.T) {
	w := newWorld(t)
	r := runCLI(t, w.env, "find", "--identity", "alice")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Empty(t, r.stderr)
	golden(t, "find_identity", r.stdout)

	r = runCLI(t, w.env, "find", "+15551230001", "--json")
	require.Equal(t, 0, r.code, r.stderr)
	require.Len(t, lines(r.stdout), 1)
	var pc conversations.ParticipantConversation
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &pc))
	assert.Equal(t, w.support.SID, pc.ConversationSID)
	assert.Equal(t, "+15551230001", pc.ParticipantMessagingBinding.Address)

	r = runCLI(t, w.env, "find", "+15559999999")
	require.Equal(t, 0, r.code)
	assert.Equal(t, "no conversations found\n", r.stderr)

	r = runCLI(t, w.env, "find", "--identity", "alice", "--limit", "1", "--json")
	require.Equal(t, 0, r.code)
	assert.Len(t, lines(r.stdout), 1)

	for _, args := range [][]string{{"find"}, {"find", "+15551230001", "--identity", "alice"}} {
		r = runCLI(t, w.env, args...)
		assert.Equal(t, 2, r.code, "%v", args)
		assert.Contains(t, r.stderr, "give an ADDRESS or --identity IDENTITY, not both")
	}
}

func TestVerboseTracesWithoutCredentials(t *testing.T) {
	w := newWorld(t)
	r := runCLI(t, w.env, "--verbose", "find", "+15551230001")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stderr, "method=GET path=/v1/ParticipantConversations query=Address,PageSize status=200")
	assert.NotContains(t, r.stderr, "15551230001", "query values are not traced")
	assert.NotContains(t, r.stderr, testAccountSID)
	assert.NotContains(t, r.stderr, "Authorization")
}

func TestCredentialsMissing(t *testing.T) {
	r := runCLI(t, []string{"PATH=/usr/bin:/bin", "HOME=" + t.TempDir()}, "list")
	assert.Equal(t, 1, r.code)
	assert.Empty(t, r.stdout)
	assert.Contains(t, r.stderr, "Set TWILIO_ACCOUNT_SID with TWILIO_AUTH_TOKEN (or TWILIO_API_KEY and TWILIO_API_SECRET), or CONVERSATIONS_EMULATOR_HOST=host:port for the emulator")

	w := newEmu(t)
	env := append([]string{}, w.env...)
	for i, kv := range env {
		if strings.HasPrefix(kv, "TWILIO_AUTH_TOKEN=") {
			env[i] = "TWILIO_AUTH_TOKEN=wrong" + testAuthToken[5:]
		}
	}
	r = runCLI(t, env, "list")
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "Twilio error 20003 (HTTP 401 Unauthorized)")
	assert.Contains(t, r.stderr, "Check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN")
	assert.NotContains(t, r.stderr, testAuthToken[5:])

	// An API key instead of the auth token.
	const keySID, keySecret = "SK5ec12e7ac5ec12e7ac5ec12e7ac5ec12", "k3y5ecre7k3y5ecre7"
	k := newEmu(t, conversationstest.WithAPIKey(keySID, keySecret))
	env = []string{"PATH=/usr/bin:/bin", "HOME=" + t.TempDir(), k.env[2], "TWILIO_ACCOUNT_SID=" + testAccountSID,
		"TWILIO_API_KEY=" + keySID, "TWILIO_API_SECRET=" + keySecret}
	r = runCLI(t, env, "--verbose", "list", "--json")
	assert.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stderr, "status=200")
	assert.NotContains(t, r.stdout+r.stderr, keySecret)
	env[len(env)-1] = "TWILIO_API_SECRET=wrong"
	r = runCLI(t, env, "list")
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "Twilio error 20003 (HTTP 401 Unauthorized)")
	assert.Contains(t, r.stderr, "Check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN")
	assert.NotContains(t, r.stderr, testAuthToken[5:])
}

func TestHelpHasExamples(t *testing.T) {
	w := newEmu(t)
	for _, args := range [][]string{
		{}, {"list"}, {"show"}, {"find"}, {"export"}, {"participants"}, {"participants", "add"},
		{"cleanup"}, {"send"}, {"completion"},
	} {
		r := runCLI(t, w.env, append(args, "--help")...)
		require.Equal(t, 0, r.code, "%v", args)
		assert.Contains(t, r.stdout, "Examples:", "%v --help has no example", args)
		assert.Contains(t, r.stdout, "conversations "+strings.Join(args, " "), "%v", args)
	}
}

func TestCompletion(t *testing.T) {
	w := newEmu(t)
	for shell, want := range map[string]string{
		"bash": "__start_conversations",
		"zsh":  "#compdef conversations",
		"fish": "complete -c conversations",
	} {
		r := runCLI(t, w.env, "completion", shell)
		require.Equal(t, 0, r.code, shell)
		assert.Contains(t, r.stdout, want, shell)
		assert.Empty(t, r.stderr)
	}
	// Dynamic completion of flags works through cobra's hidden command.
	r := runCLI(t, w.env, "__complete", "cleanup", "--d")
	require.Equal(t, 0, r.code)
	assert.Contains(t, r.stdout, "--delete")
	assert.Contains(t, r.stdout, "--dry-run")
	for _, args := range [][]string{{"completion", "tcsh"}, {"completion"}} {
		r = runCLI(t, w.env, args...)
		assert.Equal(t, 2, r.code, "%v", args)
		assert.Contains(t, r.stderr, "bash, zsh or fish")
	}
}
