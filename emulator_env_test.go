package conversations_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/conversations-go/conversations"
	"github.com/conversations-go/conversations/conversationstest"
)

// setEmulatorEnv clears the variables NewClientFromEnv reads and sets the
// emulator host.
func setEmulatorEnv(t *testing.T, host string) {
	for _, k := range []string{"TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_API_KEY", "TWILIO_API_SECRET", "TWILIO_REGION", "TWILIO_EDGE"} {
		t.Setenv(k, "")
	}
	t.Setenv(conversations.EmulatorHostEnv, host)
}

// TestEmulatorHostEnv: with CONVERSATIONS_EMULATOR_HOST and no credentials,
// an unchanged app's client reaches the emulator for the API and media both,
// with the emulator's default credentials.
func TestEmulatorHostEnv(t *testing.T) {
	srv := conversationstest.NewServer()
	t.Cleanup(srv.Close)
	setEmulatorEnv(t, strings.TrimPrefix(srv.URL, "http://"))
	t.Setenv("TWILIO_REGION", "ie1") // ignored: the emulator is no twilio.com host
	t.Setenv("TWILIO_EDGE", "dublin")
	c, err := conversations.NewClientFromEnv()
	require.NoError(t, err)
	ctx := context.Background()
	conv, err := c.Conversations.Create(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, conversationstest.DefaultAccountSID, conv.AccountSID)
	assert.True(t, strings.HasPrefix(conv.URL, srv.URL), conv.URL)

	media, err := c.Service(srv.DefaultServiceSID()).Media.Upload(ctx, bytes.NewReader([]byte("hello")), &conversations.MediaUploadParams{ContentType: "text/plain"})
	require.NoError(t, err, "media goes to the emulator too")
	rc, _, err := c.Service(srv.DefaultServiceSID()).Media.Download(ctx, media.SID)
	require.NoError(t, err)
	rc.Close()

	// http:// in front is accepted as well.
	t.Setenv(conversations.EmulatorHostEnv, srv.URL)
	_, err = conversations.NewClientFromEnv()
	require.NoError(t, err)
}

func TestEmulatorHostEnvUsesGivenCredentials(t *testing.T) {
	srv := conversationstest.NewServer(conversationstest.WithCredentials("AC"+strings.Repeat("1", 32), "custom-token"))
	t.Cleanup(srv.Close)
	setEmulatorEnv(t, strings.TrimPrefix(srv.URL, "http://"))

	// The defaults are not what this emulator accepts.
	c, err := conversations.NewClientFromEnv(conversations.WithRetryPolicy(conversations.NoRetries))
	require.NoError(t, err)
	_, err = c.Conversations.Create(context.Background(), nil)
	assert.True(t, conversations.HasCode(err, conversations.CodeAuthenticationFailed), "%v", err)

	t.Setenv("TWILIO_ACCOUNT_SID", "AC"+strings.Repeat("1", 32))
	t.Setenv("TWILIO_AUTH_TOKEN", "custom-token")
	c, err = conversations.NewClientFromEnv()
	require.NoError(t, err)
	_, err = c.Conversations.Create(context.Background(), nil)
	require.NoError(t, err)

	// A SID without a token is not completed with the default token.
	t.Setenv("TWILIO_AUTH_TOKEN", "")
	_, err = conversations.NewClientFromEnv()
	assert.ErrorContains(t, err, "auth token is empty")
}

func TestEmulatorHostEnvRefusesBadValues(t *testing.T) {
	for _, v := range []string{"127.0.0.1:4010/v1", "ftp://127.0.0.1:4010", "user:pw@127.0.0.1:4010", "127.0.0.1:99999"} {
		setEmulatorEnv(t, v)
		_, err := conversations.NewClientFromEnv()
		assert.ErrorContains(t, err, "CONVERSATIONS_EMULATOR_HOST", v)
	}
}
