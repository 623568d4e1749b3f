package conversations

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const customerPhone = "+15558675310"

// phoneForms are the ways a phone number can show in a text: as sent, and
// query-escaped.
var phoneForms = []string{customerPhone, "15558675310", "%2B15558675310"}

func assertNoPhone(t *testing.T, s string) {
	t.Helper()
	for _, f := range phoneForms {
		assert.NotContains(t, s, f)
	}
}

// A failed list filtered by a phone number keeps the number out of the
// error's text and Path: only the query's keys are kept.
func TestErrorPathKeepsQueryKeysOnly(t *testing.T) {
	c, mt := newTestClient(t)
	mt.RegisterResponder(http.MethodGet, apiBase+"/v1/ParticipantConversations", func(req *http.Request) (*http.Response, error) {
		require.Equal(t, customerPhone, req.URL.Query().Get("Address"), "the filter itself is sent")
		return httpmock.NewStringResponse(http.StatusBadRequest, `{"code":20001,"message":"Invalid","status":400}`), nil
	})
	var err error
	for _, e := range c.ParticipantConversations.List(context.Background(), &ParticipantConversationListParams{Address: customerPhone, PageSize: 20}) {
		err = e
	}
	var apiErr *Error
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "/v1/ParticipantConversations?Address&PageSize", apiErr.Path)
	assert.Equal(t, "conversations: GET /v1/ParticipantConversations?Address&PageSize: 400 Bad Request: code 20001: Invalid", err.Error())
	assertNoPhone(t, err.Error())
	assertNoPhone(t, fmt.Sprintf("%+v", err))
}

// A request that got no response keeps only the query's keys too, in its
// Path and in the transport error it wraps.
func TestRequestErrorPathKeepsQueryKeysOnly(t *testing.T) {
	c, mt := newTestClient(t)
	mt.RegisterResponder(http.MethodGet, apiBase+"/v1/Services/"+serviceSID+"/ParticipantConversations",
		httpmock.NewErrorResponder(errors.New("connection reset")))
	var err error
	for _, e := range c.Service(serviceSID).ParticipantConversations.List(context.Background(), &ParticipantConversationListParams{Address: "whatsapp:" + customerPhone}) {
		err = e
	}
	var reqErr *RequestError
	require.ErrorAs(t, err, &reqErr)
	assert.Equal(t, "/v1/Services/"+serviceSID+"/ParticipantConversations?Address", reqErr.Path)
	assert.True(t, strings.HasPrefix(err.Error(), "conversations: GET /v1/Services/"+serviceSID+"/ParticipantConversations?Address: "), err.Error())
	assertNoPhone(t, err.Error())
}

func TestWithQueryKeys(t *testing.T) {
	for in, want := range map[string]string{
		"/v1/Conversations":                              "/v1/Conversations",
		"/v1/Conversations?":                             "/v1/Conversations",
		"/v1/X?Address=%2B1555&PageSize=50&Address=%2B1": "/v1/X?Address&PageSize",
		"/v1/X?Flag":                                     "/v1/X?Flag",
		"/v1/X?=v&K=":                                    "/v1/X?K",
	} {
		assert.Equal(t, want, withQueryKeys(in), in)
	}
}
