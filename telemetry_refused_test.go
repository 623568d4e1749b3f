package conversations

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// refusedSpan checks that rec holds exactly one span, named name, of kind
// kind, ended and failed with error.type invalid_argument, and returns it.
func refusedSpan(t *testing.T, rec *recorder, name string, kind SpanKind) *recSpan {
	t.Helper()
	require.Len(t, rec.spans, 1, "spans: %v", spanNames(rec.spans))
	s := rec.spans[0]
	assert.Equal(t, name, s.name)
	assert.Equal(t, kind, s.kind)
	assert.Equal(t, errTypeInvalid, s.err)
	assert.Equal(t, errTypeInvalid, s.attrs[attrErrorType])
	assert.True(t, s.ended)
	return s
}

// TestTelemetryRefusedBulk: a bulk operation whose input or options are
// refused before anything is sent still gets its span, with the item count
// and no item counted, failed with invalid_argument; no item span, no API
// call, no bulk item measured. A nil context gets no span.
func TestTelemetryRefusedBulk(t *testing.T) {
	const conv = "CHaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	ok := &ParticipantCreateParams{Identity: "alice"}
	cases := []struct {
		name  string
		items int64
		run   func(ctx context.Context, c *Client) error
		want  string // in the error
	}{
		{bulkAddParticipants, 1, func(ctx context.Context, c *Client) error {
			_, err := c.Participants.AddMany(ctx, "", []*ParticipantCreateParams{ok}, nil)
			return err
		}, "ConversationSid"},
		{bulkAddParticipants, 2, func(ctx context.Context, c *Client) error {
			_, err := c.Participants.AddMany(ctx, conv, []*ParticipantCreateParams{ok,
				{MessagingBindingAddress: "+14155550123", MessagingBindingProxyAddress: "+14155550123"}}, nil)
			return err
		}, "participant 1"},
		{bulkAddParticipants, 1, func(ctx context.Context, c *Client) error {
			_, err := c.Participants.AddMany(ctx, conv, []*ParticipantCreateParams{ok}, &BulkOptions{Concurrency: -1})
			return err
		}, "Concurrency"},
		{bulkCreateConversations, 2, func(ctx context.Context, c *Client) error {
			_, err := c.Conversations.CreateMany(ctx, []*ConversationSetup{
				{Conversation: &ConversationCreateParams{UniqueName: "support-1"}},
				{Conversation: &ConversationCreateParams{UniqueName: "support-1"}}}, nil)
			return err
		}, "given twice"},
		{bulkCreateConversations, 1, func(ctx context.Context, c *Client) error {
			_, err := c.Conversations.CreateMany(ctx, []*ConversationSetup{{}}, nil)
			return err
		}, "no Conversation"},
		{bulkCloseConversations, 2, func(ctx context.Context, c *Client) error {
			_, err := c.Conversations.CloseMany(ctx, []string{conv, ""}, nil)
			return err
		}, "Sid of item 1"},
		{bulkDeleteConversations, 1, func(ctx context.Context, c *Client) error {
			_, err := c.Conversations.DeleteMany(ctx, []string{conv}, &BulkOptions{Concurrency: -2})
			return err
		}, "Concurrency"},
	}
	for _, tc := range cases {
		t.Run(tc.name+"/"+tc.want, func(t *testing.T) {
			rec := &recorder{}
			c, mt := newTestClient(t, WithTelemetry(rec))
			err := tc.run(context.Background(), c)
			require.ErrorContains(t, err, tc.want)
			s := refusedSpan(t, rec, tc.name, SpanKindInternal)
			assert.Equal(t, tc.name, s.attrs[attrBulkOperation])
			assert.Equal(t, tc.items, s.attrs[attrBulkItems])
			for _, k := range []string{attrBulkDone, attrBulkSkipped, attrBulkFailed} {
				assert.Equal(t, int64(0), s.attrs[k], k)
			}
			assert.Empty(t, rec.metrics, "nothing ran, nothing measured")
			assert.Zero(t, mt.GetTotalCallCount(), "no request may be sent for refused input")

			// The same refusal without telemetry returns the same error.
			plain, _ := newTestClient(t)
			assert.EqualError(t, tc.run(context.Background(), plain), err.Error())
		})
	}

	rec := &recorder{}
	c, _ := newTestClient(t, WithTelemetry(rec))
	_, err := c.Conversations.CloseMany(nil, []string{conv}, nil) //nolint:staticcheck // a nil context is refused
	require.ErrorContains(t, err, "nil Context")
	_, err = c.Participants.AddMany(nil, conv, nil, nil) //nolint:staticcheck
	require.ErrorContains(t, err, "nil Context")
	assert.Empty(t, rec.spans, "a nil context gets no span")
}

// TestTelemetryRefusedMedia: an upload refused by its own checks (no
// reader, no or a bad content type, a type or size the channel does not
// take, empty media) and a fetch without a SID get the failed client span of
// their operation and its count as an error, like any call refused before
// sending.
func TestTelemetryRefusedMedia(t *testing.T) {
	const svc = "ISaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	cases := []struct {
		name string
		op   *operation
		run  func(ctx context.Context, m *MediaService) error
		want error
	}{
		{"nil reader", opUploadMedia, func(ctx context.Context, m *MediaService) error {
			_, err := m.Upload(ctx, nil, &MediaUploadParams{ContentType: "image/png"})
			return err
		}, ErrEmptyParameter},
		{"no content type", opUploadMedia, func(ctx context.Context, m *MediaService) error {
			_, err := m.Upload(ctx, bytes.NewReader([]byte("x")), nil)
			return err
		}, ErrEmptyParameter},
		{"bad content type", opUploadMedia, func(ctx context.Context, m *MediaService) error {
			_, err := m.Upload(ctx, bytes.NewReader([]byte("x")), &MediaUploadParams{ContentType: "png"})
			return err
		}, nil},
		{"type refused by channel", opUploadMedia, func(ctx context.Context, m *MediaService) error {
			_, err := m.Upload(ctx, bytes.NewReader([]byte("x")), &MediaUploadParams{ContentType: "image/tiff", Channel: MessagingSMS})
			return err
		}, ErrMediaTypeNotAllowed},
		{"too large for channel", opUploadMedia, func(ctx context.Context, m *MediaService) error {
			_, err := m.Upload(ctx, bytes.NewReader(make([]byte, 5*mib+1)), &MediaUploadParams{ContentType: "image/png", Channel: MessagingSMS})
			return err
		}, ErrMediaTooLarge},
		{"empty", opUploadMedia, func(ctx context.Context, m *MediaService) error {
			_, err := m.Upload(ctx, bytes.NewReader(nil), &MediaUploadParams{ContentType: "image/png"})
			return err
		}, nil},
		{"fetch without SID", opFetchMedia, func(ctx context.Context, m *MediaService) error {
			_, err := m.Fetch(ctx, "")
			return err
		}, ErrEmptyParameter},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			c, mt := newTestClient(t, WithTelemetry(rec))
			err := tc.run(context.Background(), c.Service(svc).Media)
			require.Error(t, err)
			if tc.want != nil {
				require.ErrorIs(t, err, tc.want)
			}
			s := refusedSpan(t, rec, tc.op.name, SpanKindClient)
			assert.Equal(t, tc.op.name, s.attrs[attrOperation])
			assert.Equal(t, tc.op.method, s.attrs[attrMethod])
			require.Len(t, rec.metrics, 1)
			assert.Equal(t, MetricOperations, rec.metrics[0].m)
			assert.Equal(t, map[string]any{attrOperation: tc.op.name, attrOutcome: outcomeError, attrErrorType: errTypeInvalid},
				rec.metrics[0].attrs)
			assert.Zero(t, mt.GetTotalCallCount(), "no request may be sent for refused input")
		})
	}
}

// TestTelemetryRefusedParticipantLookups: a participant lookup by an empty
// address or identity is refused with the failed span of the call it would
// have made (listing, or fetching by identity), in the service's scope when
// scoped; so is a list whose parameters are refused.
func TestTelemetryRefusedParticipantLookups(t *testing.T) {
	const conv = "CHaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	cases := []struct {
		name   string
		span   string
		method string
		run    func(ctx context.Context, c *Client) error
	}{
		{"FindByAddress", "ListConversationParticipant", "GET", func(ctx context.Context, c *Client) error {
			_, err := c.Participants.FindByAddress(ctx, conv, "")
			return err
		}},
		{"FindByAddress scoped", "ListServiceConversationParticipant", "GET", func(ctx context.Context, c *Client) error {
			_, err := c.Service("ISaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa").Participants.FindByAddress(ctx, conv, "")
			return err
		}},
		{"RemoveByAddress", "ListConversationParticipant", "GET", func(ctx context.Context, c *Client) error {
			_, err := c.Participants.RemoveByAddress(ctx, conv, "", nil)
			return err
		}},
		{"RemoveByIdentity", "FetchConversationParticipant", "GET", func(ctx context.Context, c *Client) error {
			_, err := c.Participants.RemoveByIdentity(ctx, conv, "", nil)
			return err
		}},
		{"FindByAddress without conversation", "ListConversationParticipant", "GET", func(ctx context.Context, c *Client) error {
			_, err := c.Participants.FindByAddress(ctx, "", "+14155550123")
			return err
		}},
		{"List with a negative Limit", "ListConversationParticipant", "GET", func(ctx context.Context, c *Client) error {
			for _, err := range c.Participants.List(ctx, conv, &ListParams{Limit: -1}) {
				return err
			}
			return nil
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			c, mt := newTestClient(t, WithTelemetry(rec))
			require.Error(t, tc.run(context.Background(), c))
			s := refusedSpan(t, rec, tc.span, SpanKindClient)
			assert.Equal(t, tc.method, s.attrs[attrMethod])
			for k, v := range s.attrs {
				assert.NotContains(t, fmt.Sprint(v), "+14155550123", k)
			}
			require.Len(t, rec.metrics, 1)
			assert.Equal(t, outcomeError, rec.metrics[0].attrs[attrOutcome])
			assert.Zero(t, mt.GetTotalCallCount(), "no request may be sent for refused input")
		})
	}
}
