package conversations

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-querystring/query"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestISODuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                       "PT0S",
		time.Second:             "PT1S",
		61 * time.Second:        "PT1M1S",
		time.Minute:             "PT1M",
		10 * time.Minute:        "PT10M",
		90 * time.Minute:        "PT1H30M",
		36 * time.Hour:          "PT36H",
		time.Hour + time.Second: "PT1H1S",
		25*time.Hour + 2*time.Minute + 3*time.Second: "PT25H2M3S",
	} {
		got, err := ISODuration(d)
		require.NoError(t, err, "%v", d)
		assert.Equal(t, want, got, "%v", d)
	}
	for _, d := range []time.Duration{-time.Second, -time.Nanosecond, time.Millisecond, 1500 * time.Millisecond, time.Minute + time.Nanosecond} {
		_, err := ISODuration(d)
		assert.ErrorIs(t, err, ErrInvalidDuration, "%v", d)
	}
}

func TestTimersEncoding(t *testing.T) {
	type p struct {
		Timers Timers `url:"Timers,omitempty"`
	}
	for _, tc := range []struct {
		timers Timers
		want   url.Values
	}{
		{Timers{}, url.Values{}},
		{Timers{Inactive: time.Minute}, url.Values{"Timers.Inactive": {"PT1M"}}},
		{Timers{Closed: 36 * time.Hour}, url.Values{"Timers.Closed": {"PT36H"}}},
		{Timers{DisableInactive: true, DisableClosed: true}, url.Values{"Timers.Inactive": {"PT0S"}, "Timers.Closed": {"PT0S"}}},
	} {
		v, err := query.Values(p{tc.timers})
		require.NoError(t, err)
		assert.Equal(t, tc.want, v)
		assert.Equal(t, len(tc.want) == 0, tc.timers.IsZero())
	}
	_, err := query.Values(p{Timers{Inactive: time.Minute, DisableInactive: true}})
	assert.ErrorContains(t, err, "Timers.Inactive")
	_, err = query.Values(p{Timers{Closed: -time.Minute}})
	assert.ErrorIs(t, err, ErrInvalidDuration)
	// The spec's minimums: 1 minute inactive, 10 minutes closed.
	_, err = query.Values(p{Timers{Inactive: 59 * time.Second}})
	assert.ErrorIs(t, err, ErrInvalidDuration)
	assert.ErrorContains(t, err, "Timers.Inactive")
	_, err = query.Values(p{Timers{Inactive: time.Minute, Closed: 9 * time.Minute}})
	assert.ErrorIs(t, err, ErrInvalidDuration)
	assert.ErrorContains(t, err, "Timers.Closed")
}

func TestPtrAndRequireField(t *testing.T) {
	p := Ptr(0)
	require.NotNil(t, p)
	assert.Equal(t, 0, *p)
	assert.NotSame(t, Ptr(1), Ptr(1))
	assert.NoError(t, requireField(false, "X"))
	err := requireField(true, "FriendlyName")
	assert.ErrorIs(t, err, ErrEmptyParameter)
	assert.ErrorContains(t, err, "FriendlyName")
	// A Ptr(0) is sent; a nil pointer is not.
	v, err := query.Values(ParticipantUpdateParams{LastReadMessageIndex: Ptr(0)})
	require.NoError(t, err)
	assert.Equal(t, "LastReadMessageIndex=0", v.Encode())
	v, err = query.Values(ParticipantUpdateParams{})
	require.NoError(t, err)
	assert.Empty(t, v)
}

func TestEncoderErrorsAreNotDoublePrefixed(t *testing.T) {
	c, _ := newTestClient(t)
	_, err := c.Conversations.Update(context.Background(), convSID, &ConversationUpdateParams{Timers: Timers{Inactive: -time.Minute}})
	require.Error(t, err)
	assert.Equal(t, 1, strings.Count(err.Error(), "conversations:"), err.Error())
	assert.Contains(t, err.Error(), "Timers.Inactive")
}
