package conversationsotel_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/codes"

	cv "github.com/conversations-go/conversations"
)

// TestPrivacyRefusedInput: calls refused before anything is sent (bulk
// input and options, media checks, participant lookups by an empty address
// or identity, list parameters), given private values, record a failed span
// with error.type invalid_argument each, and none of the values refused or
// given alongside shows up in any span or metric.
func TestPrivacyRefusedInput(t *testing.T) {
	var sent atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		sent.Add(1)
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer srv.Close()
	k := newKit(t)
	c, err := cv.NewClient(pAccount, pAuthToken, cv.WithBaseURL(srv.URL), cv.WithMediaBaseURL(srv.URL),
		cv.WithRetryPolicy(cv.NoRetries), cv.WithTelemetry(k.tel))
	require.NoError(t, err)
	ctx := context.Background()
	sameAddress := &cv.ParticipantCreateParams{MessagingBindingAddress: pPhone, MessagingBindingProxyAddress: pPhone}
	chat := &cv.ParticipantCreateParams{Identity: pIdentity, Attributes: privAttrs}
	setup := &cv.ConversationSetup{
		Conversation: &cv.ConversationCreateParams{UniqueName: pUnique, FriendlyName: pFriendly, Attributes: privAttrs},
		Participants: []*cv.ParticipantCreateParams{{MessagingBindingAddress: pWhatsApp}, chat},
		Message:      &cv.MessageCreateParams{Author: pIdentity, Body: pBody},
	}
	media := c.Service(pService).Media
	calls := []struct {
		span string
		call func() error
	}{
		{"Participants.AddMany", func() error {
			_, err := c.Participants.AddMany(ctx, pUnique, []*cv.ParticipantCreateParams{chat, sameAddress}, nil)
			return err
		}},
		{"Participants.AddMany", func() error {
			_, err := c.Participants.AddMany(ctx, pConv, []*cv.ParticipantCreateParams{chat}, &cv.BulkOptions{Concurrency: -1})
			return err
		}},
		{"Conversations.CreateMany", func() error {
			_, err := c.Conversations.CreateMany(ctx, []*cv.ConversationSetup{setup, setup}, nil)
			return err
		}},
		{"Conversations.CloseMany", func() error {
			_, err := c.Conversations.CloseMany(ctx, []string{pUnique, ""}, nil)
			return err
		}},
		{"Conversations.DeleteMany", func() error {
			_, err := c.Conversations.DeleteMany(ctx, []string{pUnique, pConv}, &cv.BulkOptions{Concurrency: -1})
			return err
		}},
		{"CreateServiceMedia", func() error {
			_, err := media.Upload(ctx, bytes.NewReader([]byte("passport")),
				&cv.MediaUploadParams{ContentType: "image/tiff", Filename: pFilename, Channel: cv.MessagingSMS})
			return err
		}},
		{"CreateServiceMedia", func() error {
			_, err := media.Upload(ctx, bytes.NewReader(nil), &cv.MediaUploadParams{ContentType: "image/jpeg", Filename: pFilename})
			return err
		}},
		{"FetchServiceMedia", func() error { _, err := media.Fetch(ctx, ""); return err }},
		{"ListConversationParticipant", func() error {
			_, err := c.Participants.FindByAddress(ctx, pUnique, "")
			return err
		}},
		{"ListConversationParticipant", func() error {
			_, err := c.Participants.RemoveByAddress(ctx, "", pWhatsApp, nil)
			return err
		}},
		{"FetchServiceConversationParticipant", func() error {
			_, err := c.Service(pService).Participants.RemoveByIdentity(ctx, pUnique, "", nil)
			return err
		}},
		{"ListParticipantConversation", func() error {
			for _, err := range c.ParticipantConversations.List(ctx, &cv.ParticipantConversationListParams{Identity: pIdentity, Address: pPhone}) {
				return err
			}
			return nil
		}},
	}
	for i, cl := range calls {
		require.Error(t, cl.call(), "call %d (%s)", i, cl.span)
		spans := k.spans.GetSpans()
		require.Len(t, spans, i+1, "call %d (%s) records one span", i, cl.span)
		s := spans[i]
		assert.Equal(t, cl.span, s.Name, "call %d", i)
		assert.Equal(t, codes.Error, s.Status.Code, "call %d", i)
		var errType string
		for _, a := range s.Attributes {
			if a.Key == "error.type" {
				errType = a.Value.AsString()
			}
		}
		assert.Equal(t, "invalid_argument", errType, "call %d (%s)", i, cl.span)
	}
	assert.Zero(t, sent.Load(), "refused input reaches no server")
	assertNothingPrivate(t, k)
}
