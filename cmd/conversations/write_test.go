package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/conversations-go/conversations"
	"github.com/conversations-go/conversations/conversationstest"
)

func TestSend(t *testing.T) {
	e := newEmu(t)
	ctx := context.Background()
	conv, err := e.client.Conversations.Create(ctx, &conversations.ConversationCreateParams{UniqueName: "checks"})
	require.NoError(t, err)

	r := runCLI(t, e.env, "send", "checks", "--body", "smoke test", "--author", "ops-bot")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Regexp(t, `^sent IM[0-9a-f]{32} \(index 0\) to `+conv.SID+"\n$", r.stdout)
	assert.Empty(t, r.stderr)

	dir := t.TempDir()
	a := filepath.Join(dir, "a.png")
	b := filepath.Join(dir, "notes.txt")
	require.NoError(t, os.WriteFile(a, pngBytes, 0o644))
	require.NoError(t, os.WriteFile(b, []byte("plain notes\n"), 0o644))
	r = runCLI(t, e.env, "send", conv.SID, "--body", "two files", "--media", a, "--media", b, "--json")
	require.Equal(t, 0, r.code, r.stderr)
	require.Len(t, lines(r.stdout), 2)
	var m1, m2 conversations.Message
	require.NoError(t, json.Unmarshal([]byte(lines(r.stdout)[0]), &m1))
	require.NoError(t, json.Unmarshal([]byte(lines(r.stdout)[1]), &m2))
	assert.Equal(t, "two files", m1.Body)
	assert.Equal(t, "", m2.Body)
	require.Len(t, m1.Media, 1)
	require.Len(t, m2.Media, 1)
	assert.Equal(t, "a.png", m1.Media[0].Filename)
	assert.Equal(t, "image/png", m1.Media[0].ContentType)
	assert.Equal(t, "notes.txt", m2.Media[0].Filename)
	assert.True(t, strings.HasPrefix(m2.Media[0].ContentType, "text/plain"), m2.Media[0].ContentType)

	// What the emulator holds: the three messages, the media's bytes.
	var bodies []string
	for m, err := range e.client.Messages.List(ctx, conv.SID, nil) {
		require.NoError(t, err)
		bodies = append(bodies, m.Body)
	}
	assert.Equal(t, []string{"smoke test", "two files", ""}, bodies)
	rc, _, err := e.client.Media.Download(ctx, m1.Media[0].SID)
	require.NoError(t, err)
	got, _ := io.ReadAll(rc)
	rc.Close()
	assert.Equal(t, pngBytes, got)

	r = runCLI(t, e.env, "send", "checks")
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "give --body, --media, or both")
	r = runCLI(t, e.env, "send", "checks", "--media", filepath.Join(dir, "missing.png"))
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "missing.png: no such file or directory")

	// A closed conversation: the Twilio error code and what to do.
	_, err = e.client.Conversations.Close(ctx, conv.SID, nil)
	require.NoError(t, err)
	r = runCLI(t, e.env, "send", "checks", "--body", "late")
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "Twilio error 50377")
	assert.Contains(t, r.stderr, "The conversation is closed: nothing can be added to it; create a new one.")
}

// stampRE matches a date as the tables print it.
var stampRE = regexp.MustCompile(`\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ`)

// participantsIn returns the conversation's participants by key (identity
// or address), counting each.
func participantsIn(t testing.TB, c *conversations.Client, conv string) map[string]int {
	t.Helper()
	out := map[string]int{}
	for p, err := range c.Participants.List(context.Background(), conv, &conversations.ListParams{PageSize: 100}) {
		require.NoError(t, err)
		key := p.Identity
		if key == "" && p.MessagingBinding != nil {
			key = p.MessagingBinding.Address
		}
		out[key]++
	}
	return out
}

func TestParticipantsAddCSV(t *testing.T) {
	e := newEmu(t)
	ctx := context.Background()
	conv, err := e.client.Conversations.Create(ctx, &conversations.ConversationCreateParams{UniqueName: "campaign"})
	require.NoError(t, err)
	_, err = e.client.Participants.Create(ctx, conv.SID, &conversations.ParticipantCreateParams{Identity: "already"})
	require.NoError(t, err)

	dir := t.TempDir()
	in := `identity,attributes,address,proxy_address
alice,"{""tier"":""gold""}",,
already,,,
,,+15551230001,+15550000000
,,12345,
carol,{not json,,
alice,,,
,,+15551230002,+15551230002
dave,,,
`
	require.NoError(t, os.WriteFile(filepath.Join(dir, "people.csv"), []byte(in), 0o644))
	r := runIn(t, e.env, dir, nil, "participants", "add", "--csv", "people.csv", "campaign")
	assert.Equal(t, 3, r.code, r.stderr)
	assert.Empty(t, r.stdout)
	golden(t, "participants_add_stderr", r.stderr)

	got := participantsIn(t, e.client, conv.SID)
	assert.Equal(t, map[string]int{"already": 1, "alice": 1, "+15551230001": 1, "dave": 1}, got)
	p, err := e.client.Participants.Fetch(ctx, conv.SID, "alice")
	require.NoError(t, err)
	assert.JSONEq(t, `{"tier":"gold"}`, p.Attributes.String())

	failed, err := os.ReadFile(filepath.Join(dir, "people.failed.csv"))
	require.NoError(t, err)
	assert.Equal(t, `identity,attributes,address,proxy_address,error
,,12345,,address is not a phone number in E.164 form (+ and 7 to 15 digits)
carol,{not json,,,attributes are not valid JSON
alice,,,,the same participant as line 2
,,+15551230002,+15551230002,address and proxy_address are the same
`, string(failed))

	// The failed file, fixed by hand, fed back in as it is.
	fixed := strings.NewReplacer(",12345,", ",+15551230003,+15550000000", "{not json", `"{}"`, "alice,,,,the", "erin,,,,the", "+15551230002,+15551230002", "+15551230002,+15550000000").Replace(string(failed))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "people.failed.csv"), []byte(fixed), 0o644))
	r = runIn(t, e.env, dir, nil, "participants", "add", "--csv", "people.failed.csv", conv.SID, "--json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stderr, "added 4, skipped 0 (already there), failed 0, bad rows 0, of 4 rows\n")
	var statuses []string
	for _, l := range lines(r.stdout) {
		var row rowResult
		require.NoError(t, json.Unmarshal([]byte(l), &row))
		assert.Regexp(t, `^MB[0-9a-f]{32}$`, row.ParticipantSID)
		statuses = append(statuses, row.Status)
	}
	assert.Equal(t, []string{"done", "done", "done", "done"}, statuses)
	assert.Equal(t, map[string]int{"already": 1, "alice": 1, "+15551230001": 1, "dave": 1, "carol": 1, "erin": 1,
		"+15551230002": 1, "+15551230003": 1}, participantsIn(t, e.client, conv.SID))

	// From stdin; everything is there already.
	r = runIn(t, e.env, dir, strings.NewReader("identity\nalice\ndave\n"), "participants", "add", "--csv", "-", "campaign")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stderr, "added 0, skipped 2 (already there), failed 0, bad rows 0, of 2 rows\n")
}

func TestParticipantsAddFailures(t *testing.T) {
	e := newEmu(t, conversationstest.WithParticipantLimits(1000, 2))
	ctx := context.Background()
	_, err := e.client.Conversations.Create(ctx, &conversations.ConversationCreateParams{UniqueName: "small"})
	require.NoError(t, err)
	dir := t.TempDir()
	in := "address,proxy_address\n+15551230001,+15550000000\n+15551230002,+15550000000\n+15551230003,+15550000000\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "sms.csv"), []byte(in), 0o644))
	r := runIn(t, e.env, dir, nil, "participants", "add", "--csv", "sms.csv", "--failed", "retry.csv", "small")
	assert.Equal(t, 3, r.code, r.stderr)
	// The rows are added concurrently: whichever comes third is refused.
	m := regexp.MustCompile(`sms\.csv: line ([234]): Twilio error 50422`).FindStringSubmatch(r.stderr)
	require.NotNil(t, m, r.stderr)
	line, _ := strconv.Atoi(m[1])
	assert.Contains(t, r.stderr, "remove some or use another conversation")
	assert.Contains(t, r.stderr, "added 2, skipped 0 (already there), failed 1, bad rows 0, of 3 rows\n")
	assert.Contains(t, r.stderr, "1 rows written to retry.csv; fix them and run: conversations participants add --csv retry.csv small\n")
	failed, err := os.ReadFile(filepath.Join(dir, "retry.csv"))
	require.NoError(t, err)
	refused := strings.Split(in, "\n")[line-1] // the refused row, as it stood in the file
	assert.True(t, strings.HasPrefix(string(failed), "address,proxy_address,error\n"+refused+",Twilio error 50422"), string(failed))

	for _, tc := range []struct {
		csv, msg string
	}{
		{"", "the file is empty"},
		{"name\nx\n", `line 1: unknown column "name"`},
		{"identity,identity\na,b\n", `line 1: column "identity" appears twice`},
		{"attributes\n{}\n", "names no identity, address or projected_address column"},
		{"identity\n\"a\nb\n", "line 2: extraneous or missing \" in quoted-field"},
	} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "bad.csv"), []byte(tc.csv), 0o644))
		r := runIn(t, e.env, dir, nil, "participants", "add", "--csv", "bad.csv", "small")
		assert.Equal(t, 2, r.code, tc.csv)
		assert.Contains(t, r.stderr, tc.msg, tc.csv)
	}
	r = runIn(t, e.env, dir, nil, "participants", "add", "small")
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "--csv FILE is required")
	r = runIn(t, e.env, dir, nil, "participants", "add", "--csv", "none.csv", "small")
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "none.csv: no such file or directory")
	r = runIn(t, e.env, dir, strings.NewReader("identity\nzed\n"), "participants", "add", "--csv", "-", "no-such")
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "Twilio error 20404")
}

func TestCleanup(t *testing.T) {
	// The emulator's clock starts ten days ago: the command compares
	// dates with the real time.
	e := newEmu(t, conversationstest.WithClock(time.Now().Add(-10*24*time.Hour)))
	ctx := context.Background()
	var sids []string
	for _, name := range []string{"load-1", "load-2", "load-3", "keep-1"} {
		c, err := e.client.Conversations.Create(ctx, &conversations.ConversationCreateParams{UniqueName: name})
		require.NoError(t, err)
		sids = append(sids, c.SID)
	}
	_, err := e.client.Messages.Create(ctx, sids[2], &conversations.MessageCreateParams{Body: "recent"})
	require.NoError(t, err)
	e.Advance(9*24*time.Hour + 12*time.Hour) // 12 hours ago
	_, err = e.client.Messages.Create(ctx, sids[2], &conversations.MessageCreateParams{Body: "still talking"})
	require.NoError(t, err)

	version := e.StateVersion()
	r := runCLI(t, e.env, "cleanup", "--close", "--unique-name-prefix", "load-", "--inactive-for", "1d", "--dry-run")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, version, e.StateVersion(), "a dry run changes nothing")
	assert.Contains(t, r.stdout, sids[0])
	assert.Contains(t, r.stdout, sids[1])
	assert.NotContains(t, r.stdout, sids[2], "its last message is recent")
	assert.NotContains(t, r.stdout, sids[3])
	assert.Equal(t, "dry run: 2 conversations would be closed; nothing was changed\n", r.stderr)
	golden(t, "cleanup_dry_run", stampRE.ReplaceAllString(r.stdout, "YYYY-MM-DD hh:mm:ssZ"))

	r = runCLI(t, e.env, "cleanup", "--close", "--unique-name-prefix", "load-", "--inactive-for", "1d")
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "stdin is not a terminal, so there is no one to confirm: add --yes")
	assert.Equal(t, version, e.StateVersion())

	r = runCLI(t, e.env, "cleanup", "--close", "--unique-name-prefix", "load-", "--inactive-for", "1d", "--yes", "--json")
	require.Equal(t, 0, r.code, r.stderr)
	var items []cleanupItem
	for _, l := range lines(r.stdout) {
		var it cleanupItem
		require.NoError(t, json.Unmarshal([]byte(l), &it))
		items = append(items, it)
	}
	assert.ElementsMatch(t, []cleanupItem{{SID: sids[0], UniqueName: "load-1", Status: "closed"}, {SID: sids[1], UniqueName: "load-2", Status: "closed"}}, items)
	assert.Regexp(t, `^close: 1/2 \(50%\)\nclose: 2/2 \(100%\)\nclosed 2, skipped 0, failed 0, of 2 conversations in \d`, r.stderr)
	for i, want := range []string{"closed", "closed", "active", "active"} {
		s, ok := e.Conversation(sids[i])
		require.True(t, ok)
		assert.Equal(t, want, s.State, sids[i])
	}

	r = runCLI(t, e.env, "cleanup", "--delete", "--state", "closed", "--yes")
	require.Equal(t, 0, r.code, r.stderr)
	golden(t, "cleanup_delete", r.stdout)
	assert.Regexp(t, `\ndeleted 2, skipped 0, failed 0, of 2 conversations`, r.stderr)
	_, ok := e.Conversation(sids[0])
	assert.False(t, ok)
	_, ok = e.Conversation(sids[2])
	assert.True(t, ok)

	r = runCLI(t, e.env, "cleanup", "--delete", "--state", "closed", "--yes")
	require.Equal(t, 0, r.code)
	assert.Equal(t, "no conversations match: nothing to delete\n", r.stderr)

	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"cleanup", "--state", "active"}, "give one of --close and --delete"},
		{[]string{"cleanup", "--close", "--delete", "--state", "active"}, "give one of --close and --delete"},
		{[]string{"cleanup", "--close", "--yes"}, "give at least one filter"},
		{[]string{"cleanup", "--close", "--inactive-for", "soon"}, `--inactive-for "soon": want a positive duration`},
	} {
		r := runCLI(t, e.env, tc.args...)
		assert.Equal(t, 2, r.code, "%v", tc.args)
		assert.Contains(t, r.stderr, tc.msg, "%v", tc.args)
	}
}

func TestCleanupByParticipant(t *testing.T) {
	e := newEmu(t)
	ctx := context.Background()
	var alice []string
	for i := range 4 {
		c, err := e.client.Conversations.Create(ctx, &conversations.ConversationCreateParams{UniqueName: fmt.Sprintf("c-%d", i)})
		require.NoError(t, err)
		if i < 3 {
			_, err = e.client.Participants.Create(ctx, c.SID, &conversations.ParticipantCreateParams{Identity: "alice"})
			require.NoError(t, err)
			alice = append(alice, c.SID)
		} else {
			_, err = e.client.Participants.Create(ctx, c.SID, &conversations.ParticipantCreateParams{
				MessagingBindingAddress: "+15551230001", MessagingBindingProxyAddress: "+15550000000"})
			require.NoError(t, err)
		}
	}
	_, err := e.client.Conversations.Close(ctx, alice[0], nil)
	require.NoError(t, err)

	r := runCLI(t, e.env, "cleanup", "--close", "--identity", "alice", "--yes", "--json")
	require.Equal(t, 0, r.code, r.stderr)
	var got []string
	for _, l := range lines(r.stdout) {
		var it cleanupItem
		require.NoError(t, json.Unmarshal([]byte(l), &it))
		assert.Equal(t, "closed", it.Status)
		got = append(got, it.SID)
	}
	assert.ElementsMatch(t, alice[1:], got, "alice's open conversations; the closed one is not touched again")
	for _, sid := range alice {
		s, _ := e.Conversation(sid)
		assert.Equal(t, "closed", s.State)
	}

	r = runCLI(t, e.env, "cleanup", "--delete", "--address", "+15551230001", "--dry-run")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Len(t, lines(r.stdout), 2)
	assert.Contains(t, r.stdout, "c-3")
	assert.Equal(t, "dry run: 1 conversations would be deleted; nothing was changed\n", r.stderr)

	r = runCLI(t, e.env, "cleanup", "--delete", "--address", "+15551230001", "--identity", "alice")
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "give --address or --identity, not both")
}
