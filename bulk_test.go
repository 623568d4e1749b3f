package conversations_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/conversations-go/conversations"
	"github.com/conversations-go/conversations/conversationstest"
)

// faultTransport sits between a client and the emulator and spoils chosen
// POST requests: fault sees each POST whose path match accepts (every POST
// when match is nil) with the number of earlier ones, and returns "drop" (the request is served, its
// response lost), "500" (not served, answered 500) or "" (untouched).
type faultTransport struct {
	base  http.RoundTripper
	match func(path string) bool
	fault func(n int) string

	mu     sync.Mutex
	counts int
	faults int
}

func (f *faultTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodPost || f.match != nil && !f.match(req.URL.Path) {
		return f.base.RoundTrip(req)
	}
	f.mu.Lock()
	n := f.counts
	f.counts++
	what := f.fault(n)
	if what != "" {
		f.faults++
	}
	f.mu.Unlock()
	switch what {
	case "drop":
		resp, err := f.base.RoundTrip(req)
		if err == nil {
			resp.Body.Close()
		}
		return nil, errors.New("connection reset by peer (injected, after the request was served)")
	case "500":
		if req.Body != nil {
			req.Body.Close()
		}
		return &http.Response{
			StatusCode: http.StatusInternalServerError, Header: http.Header{"Content-Type": {"application/json"}},
			Body:    http.NoBody,
			Request: req,
		}, nil
	}
	return f.base.RoundTrip(req)
}

// bulkClient returns a client of srv paced at perSecond, its requests going
// through ft when ft is not nil.
func bulkClient(t *testing.T, srv *conversationstest.Server, perSecond float64, ft *faultTransport) *conversations.Client {
	t.Helper()
	lim, err := conversations.NewRateLimiter(conversations.RateLimits{PerSecond: perSecond})
	require.NoError(t, err)
	opts := []conversations.Option{conversations.WithRateLimiter(lim)}
	if ft != nil {
		ft.base = http.DefaultTransport
		opts = append(opts, conversations.WithHTTPClient(&http.Client{Transport: ft}))
	}
	c, err := srv.Client(opts...)
	require.NoError(t, err)
	return c
}

// people returns n participants: chat identities, the last sms of them SMS
// addresses through one proxy number.
func people(n, sms int) []*conversations.ParticipantCreateParams {
	out := make([]*conversations.ParticipantCreateParams, n)
	for i := range n {
		if i >= n-sms {
			out[i] = &conversations.ParticipantCreateParams{
				MessagingBindingAddress:      fmt.Sprintf("+1555010%04d", i),
				MessagingBindingProxyAddress: "+15550009999",
			}
		} else {
			out[i] = &conversations.ParticipantCreateParams{Identity: fmt.Sprintf("user-%04d", i)}
		}
	}
	return out
}

// keysOf is what the emulator lists for the participants.
func keysOf(ps []*conversations.ParticipantCreateParams) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Identity
		if out[i] == "" {
			out[i] = p.MessagingBindingAddress
		}
	}
	slices.Sort(out)
	return out
}

// heldBy returns the sorted participant keys the emulator holds for conv.
func heldBy(t *testing.T, srv *conversationstest.Server, conv string) []string {
	t.Helper()
	sum, ok := srv.Conversation(conv)
	require.True(t, ok)
	got := slices.Clone(sum.Participants)
	slices.Sort(got)
	return got
}

func statuses[T any](rs []conversations.BulkResult[T]) map[conversations.BulkStatus]int {
	out := map[conversations.BulkStatus]int{}
	for _, r := range rs {
		out[r.Status]++
	}
	return out
}

func TestAddManyUnderRateLimit(t *testing.T) {
	srv := conversationstest.NewServer(conversationstest.WithRateLimit(100))
	t.Cleanup(srv.Close)
	c := bulkClient(t, srv, 100, nil)
	ctx := context.Background()
	conv, err := c.Conversations.Create(ctx, &conversations.ConversationCreateParams{FriendlyName: "bulk"})
	require.NoError(t, err)

	want := people(120, 10)
	var progress []int
	rs, err := c.Participants.AddMany(ctx, conv.SID, want, &conversations.BulkOptions{
		Concurrency: 16,
		Progress: func(done, total int) {
			assert.Equal(t, 120, total)
			progress = append(progress, done)
		},
	})
	require.NoError(t, err)
	require.Len(t, rs, 120)
	for i, r := range rs {
		require.Equal(t, conversations.BulkDone, r.Status, "item %d: %v", i, r.Err)
		require.NotNil(t, r.Value)
		assert.Equal(t, want[i].Identity, r.Value.Identity)
	}
	assert.Equal(t, 120, len(progress))
	for i, p := range progress {
		require.Equal(t, i+1, p, "progress counts up by one")
	}
	assert.Equal(t, keysOf(want), heldBy(t, srv, conv.SID), "every participant exactly once")
	assert.Zero(t, srv.Traffic().Throttled, "paced at the emulator's rate: no 429")
}

func TestAddManyWithoutClientLimiterUsesTwilioRate(t *testing.T) {
	srv := conversationstest.NewServer(conversationstest.WithRateLimit(conversationstest.TwilioRateLimit))
	t.Cleanup(srv.Close)
	c, err := srv.Client()
	require.NoError(t, err)
	ctx := context.Background()
	conv, err := c.Conversations.Create(ctx, nil)
	require.NoError(t, err)
	want := people(45, 0)
	rs, err := c.Participants.AddMany(ctx, conv.SID, want, nil)
	require.NoError(t, err)
	assert.Equal(t, map[conversations.BulkStatus]int{conversations.BulkDone: 45}, statuses(rs))
	assert.Equal(t, keysOf(want), heldBy(t, srv, conv.SID))
	assert.Zero(t, srv.Traffic().Throttled, "the default bulk pacing is Twilio's 30/s")
}

func TestAddManyRecovers429s(t *testing.T) {
	// The client believes it may send 50/s; the emulator allows 5/s.
	srv := conversationstest.NewServer(conversationstest.WithRateLimit(5))
	t.Cleanup(srv.Close)
	c := bulkClient(t, srv, 50, nil)
	ctx := context.Background()
	conv, err := c.Conversations.Create(ctx, nil)
	require.NoError(t, err)
	want := people(15, 3)
	rs, err := c.Participants.AddMany(ctx, conv.SID, want, &conversations.BulkOptions{Concurrency: 4})
	require.NoError(t, err)
	assert.Equal(t, map[conversations.BulkStatus]int{conversations.BulkDone: 15}, statuses(rs))
	assert.Equal(t, keysOf(want), heldBy(t, srv, conv.SID))
	assert.Positive(t, srv.Traffic().Throttled, "the emulator answered 429s, and they were sent again")
}

func TestAddManyUncertainCreatesAreCheckedFirst(t *testing.T) {
	srv := conversationstest.NewServer(conversationstest.WithRateLimit(200))
	t.Cleanup(srv.Close)
	ft := &faultTransport{match: func(p string) bool { return strings.HasSuffix(p, "/Participants") }, fault: func(n int) string {
		switch n % 5 {
		case 1:
			return "drop" // served, answer lost: found when checked
		case 3:
			return "500" // not served: checked, absent, sent again
		}
		return ""
	}}
	c := bulkClient(t, srv, 200, ft)
	ctx := context.Background()
	conv, err := c.Conversations.Create(ctx, nil)
	require.NoError(t, err)
	want := people(60, 10)
	rs, err := c.Participants.AddMany(ctx, conv.SID, want, &conversations.BulkOptions{Concurrency: 6})
	require.NoError(t, err)
	assert.Equal(t, map[conversations.BulkStatus]int{conversations.BulkDone: 60}, statuses(rs))
	assert.Equal(t, keysOf(want), heldBy(t, srv, conv.SID), "nothing lost, nothing twice")
	assert.GreaterOrEqual(t, ft.faults, 20)
}

func TestAddManyCancelledThenRerun(t *testing.T) {
	srv := conversationstest.NewServer(conversationstest.WithRateLimit(200))
	t.Cleanup(srv.Close)
	c := bulkClient(t, srv, 200, nil)
	conv, err := c.Conversations.Create(context.Background(), nil)
	require.NoError(t, err)
	want := people(80, 5)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rs, err := c.Participants.AddMany(ctx, conv.SID, want, &conversations.BulkOptions{
		Concurrency: 4,
		Progress: func(done, _ int) {
			if done == 30 {
				cancel()
			}
		},
	})
	var bulkErr *conversations.BulkError
	require.ErrorAs(t, err, &bulkErr)
	require.ErrorIs(t, err, context.Canceled)
	first := statuses(rs)
	assert.GreaterOrEqual(t, first[conversations.BulkDone], 26)
	assert.Equal(t, 80, first[conversations.BulkDone]+first[conversations.BulkFailed])
	assert.Equal(t, bulkErr.Failed, first[conversations.BulkFailed])
	for _, r := range rs {
		if r.Status == conversations.BulkFailed {
			assert.ErrorIs(t, r.Err, context.Canceled)
		}
	}
	held := len(heldBy(t, srv, conv.SID))
	assert.GreaterOrEqual(t, held, first[conversations.BulkDone], "a cancelled create may still have landed")

	rs, err = c.Participants.AddMany(context.Background(), conv.SID, want, nil)
	require.NoError(t, err)
	again := statuses(rs)
	assert.Equal(t, held, again[conversations.BulkSkipped], "the re-run skips what is there")
	assert.Equal(t, 80-held, again[conversations.BulkDone], "and adds only the missing ones")
	assert.Equal(t, keysOf(want), heldBy(t, srv, conv.SID))
}

func TestAddManyDuplicatesAndConflicts(t *testing.T) {
	srv := conversationstest.NewServer()
	t.Cleanup(srv.Close)
	c := bulkClient(t, srv, 1000, nil)
	ctx := context.Background()
	other, err := c.Conversations.Create(ctx, nil)
	require.NoError(t, err)
	taken := &conversations.ParticipantCreateParams{MessagingBindingAddress: "+15550100001", MessagingBindingProxyAddress: "+15550009999"}
	_, err = c.Participants.Create(ctx, other.SID, taken)
	require.NoError(t, err)
	conv, err := c.Conversations.Create(ctx, nil)
	require.NoError(t, err)
	_, err = c.Participants.Create(ctx, conv.SID, &conversations.ParticipantCreateParams{Identity: "already"})
	require.NoError(t, err)

	rs, err := c.Participants.AddMany(ctx, conv.SID, []*conversations.ParticipantCreateParams{
		{Identity: "alice"},
		{Identity: "already"},
		{Identity: "alice"}, // given twice
		taken,               // bound in another conversation: 50416
	}, nil)
	var bulkErr *conversations.BulkError
	require.ErrorAs(t, err, &bulkErr)
	assert.Equal(t, 1, bulkErr.Failed)
	assert.Equal(t, conversations.BulkDone, rs[0].Status)
	assert.Equal(t, conversations.BulkSkipped, rs[1].Status)
	assert.Equal(t, "already", rs[1].Value.Identity)
	assert.Equal(t, conversations.BulkSkipped, rs[2].Status)
	assert.Equal(t, conversations.BulkFailed, rs[3].Status)
	assert.True(t, conversations.HasCode(rs[3].Err, conversations.CodeAddressPairInUse), "%v", rs[3].Err)
	assert.Equal(t, []string{"alice", "already"}, heldBy(t, srv, conv.SID))

	_, err = c.Participants.AddMany(ctx, conv.SID, []*conversations.ParticipantCreateParams{{}}, nil)
	require.ErrorContains(t, err, "participant 0")
	_, err = c.Participants.AddMany(ctx, "", nil, nil)
	require.ErrorIs(t, err, conversations.ErrEmptyParameter)
	_, err = c.Participants.AddMany(ctx, conv.SID, people(2, 0), &conversations.BulkOptions{Concurrency: -1})
	require.ErrorContains(t, err, "Concurrency")
}

// A participant may have only a projected address (a group MMS number):
// two such participants are two items, not one given twice, and a re-run
// finds them by that address.
func TestAddManyProjectedAddressOnly(t *testing.T) {
	srv := conversationstest.NewServer()
	t.Cleanup(srv.Close)
	c := bulkClient(t, srv, 1000, nil)
	ctx := context.Background()
	conv, err := c.Conversations.Create(ctx, nil)
	require.NoError(t, err)
	want := []*conversations.ParticipantCreateParams{
		{MessagingBindingProjectedAddress: "+15017122661"},
		{MessagingBindingProjectedAddress: "+15017122662"},
	}
	rs, err := c.Participants.AddMany(ctx, conv.SID, want, nil)
	require.NoError(t, err)
	assert.Equal(t, map[conversations.BulkStatus]int{conversations.BulkDone: 2}, statuses(rs))
	require.NotNil(t, rs[1].Value)
	assert.Equal(t, "+15017122662", rs[1].Value.MessagingBinding.ProjectedAddress)

	rs, err = c.Participants.AddMany(ctx, conv.SID, want, nil)
	require.NoError(t, err)
	assert.Equal(t, map[conversations.BulkStatus]int{conversations.BulkSkipped: 2}, statuses(rs))
	assert.Equal(t, "+15017122661", rs[0].Value.MessagingBinding.ProjectedAddress)
}
