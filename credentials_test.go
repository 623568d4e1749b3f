package conversations

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const credentialSID = "CRaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

func init() {
	bindOp("CreateCredential", Credential{}, CredentialCreateParams{})
	bindOp("FetchCredential", Credential{})
	bindOp("UpdateCredential", Credential{}, CredentialCreateParams{})
	bindOp("DeleteCredential", nil)
	bindOp("ListCredential", Credential{}, ListParams{})
	cover("CreateCredential", func(ctx context.Context, c *Client) error {
		_, err := c.Credentials.Create(ctx, &CredentialCreateParams{Type: PushFCM, Secret: "s"})
		return err
	})
	cover("FetchCredential", func(ctx context.Context, c *Client) error {
		_, err := c.Credentials.Fetch(ctx, credentialSID)
		return err
	})
	cover("UpdateCredential", func(ctx context.Context, c *Client) error {
		_, err := c.Credentials.Update(ctx, credentialSID, &CredentialUpdateParams{FriendlyName: "x"})
		return err
	})
	cover("DeleteCredential", func(ctx context.Context, c *Client) error {
		return c.Credentials.Delete(ctx, credentialSID)
	})
	cover("ListCredential", func(ctx context.Context, c *Client) error {
		return drain(c.Credentials.List(ctx, nil))
	})
}

const (
	testCert = "-----BEGIN CERTIFICATE-----\nMIIFnTCCBIWgAwIBAgIIAjy9H849+E8w\n-----END CERTIFICATE-----"
	testKey  = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpQIBAAKCAQEAuyf/lNrH9ck8DmNyo3fG\n-----END RSA PRIVATE KEY-----"
)

func TestCredentialCreateAPN(t *testing.T) {
	c, mt := newTestClient(t)
	n := expect(t, mt, call{
		Method: http.MethodPost, Path: "/v1/Credentials",
		Form: url.Values{
			"Type":         {"apn"},
			"FriendlyName": {"Test slow create"},
			"Certificate":  {testCert},
			"PrivateKey":   {testKey},
			"Sandbox":      {"false"},
		},
		Status: http.StatusCreated,
		Body:   example(t, "CreateCredential", "create"),
	})
	cred, err := c.Credentials.Create(context.Background(), &CredentialCreateParams{
		Type: PushAPN, FriendlyName: "Test slow create",
		Certificate: testCert, PrivateKey: testKey, Sandbox: Ptr(false),
	})
	require.NoError(t, err)
	assert.EqualValues(t, 1, n.Load())
	assert.Equal(t, credentialSID, cred.SID)
	assert.Equal(t, testAccountSID, cred.AccountSID)
	assert.Equal(t, "Test slow create", cred.FriendlyName)
	assert.Equal(t, PushAPN, cred.Type)
	assert.False(t, cred.Sandbox)
	assert.Equal(t, time.Date(2015, 10, 7, 17, 50, 1, 0, time.UTC), cred.DateCreated)
	assert.Equal(t, time.Date(2015, 10, 7, 17, 50, 1, 0, time.UTC), cred.DateUpdated)
	assert.Equal(t, apiBase+"/v1/Credentials/"+credentialSID, cred.URL)
}

func TestCredentialCreateGCMAndFCM(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, call{
		Method: http.MethodPost, Path: "/v1/Credentials",
		Form:   url.Values{"Type": {"gcm"}, "ApiKey": {"gcm-api-key"}},
		Status: http.StatusCreated, Body: example(t, "CreateCredential", "createPushTypeGcm"),
	})
	cred, err := c.Credentials.Create(context.Background(), &CredentialCreateParams{Type: PushGCM, APIKey: "gcm-api-key"})
	require.NoError(t, err)
	assert.Equal(t, PushGCM, cred.Type)

	c, mt = newTestClient(t)
	expect(t, mt, call{
		Method: http.MethodPost, Path: "/v1/Credentials",
		Form:   url.Values{"Type": {"fcm"}, "Secret": {"fcm-server-key"}},
		Status: http.StatusCreated, Body: example(t, "CreateCredential", "createPushTypeFcm"),
	})
	_, err = c.Credentials.Create(context.Background(), &CredentialCreateParams{Type: PushFCM, Secret: "fcm-server-key"})
	require.NoError(t, err)
}

func TestCredentialSandboxDecoding(t *testing.T) {
	for in, want := range map[string]bool{`"False"`: false, `"True"`: true, `true`: true, `false`: false, `null`: false, `""`: false, `"true"`: true} {
		var cred Credential
		require.NoError(t, json.Unmarshal([]byte(`{"sid":"CRx","sandbox":`+in+`}`), &cred), in)
		assert.Equal(t, want, cred.Sandbox, in)
		assert.Equal(t, "CRx", cred.SID, in)
	}
	var cred Credential
	assert.Error(t, json.Unmarshal([]byte(`{"sandbox":"maybe"}`), &cred))
	assert.Error(t, json.Unmarshal([]byte(`{"sandbox":3}`), &cred))
}

func TestCredentialFetchUpdateDelete(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, call{
		Method: http.MethodGet, Path: "/v1/Credentials/" + credentialSID,
		Body: example(t, "FetchCredential", "fetch"),
	})
	cred, err := c.Credentials.Fetch(context.Background(), credentialSID)
	require.NoError(t, err)
	assert.Equal(t, PushAPN, cred.Type)

	c, mt = newTestClient(t)
	expect(t, mt, call{
		Method: http.MethodPost, Path: "/v1/Credentials/" + credentialSID,
		Form: url.Values{"FriendlyName": {"Test slow create"}, "Type": {"gcm"}, "ApiKey": {"new-key"}, "Sandbox": {"true"}},
		Body: example(t, "UpdateCredential", "update"),
	})
	cred, err = c.Credentials.Update(context.Background(), credentialSID, &CredentialUpdateParams{
		FriendlyName: "Test slow create", Type: PushGCM, APIKey: "new-key", Sandbox: Ptr(true),
	})
	require.NoError(t, err)
	assert.Equal(t, credentialSID, cred.SID)
	assert.Equal(t, "Test slow create", cred.FriendlyName)

	c, mt = newTestClient(t)
	n := expect(t, mt, call{
		Method: http.MethodDelete, Path: "/v1/Credentials/" + credentialSID,
		Status: http.StatusNoContent,
	})
	require.NoError(t, c.Credentials.Delete(context.Background(), credentialSID))
	assert.EqualValues(t, 1, n.Load())
}

func TestCredentialList(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, call{
		Method: http.MethodGet, Path: "/v1/Credentials",
		Query: url.Values{"PageSize": {"100"}},
		Body:  example(t, "ListCredential", "readFull"),
	})
	var got []*Credential
	for cred, err := range c.Credentials.List(context.Background(), &ListParams{PageSize: 1000}) {
		require.NoError(t, err)
		got = append(got, cred)
	}
	want := decodeExample(t, "ListCredential", "readFull")["credentials"].([]any)
	require.Len(t, got, len(want))
	assert.Equal(t, want[0].(map[string]any)["sid"], got[0].SID)
	assert.Equal(t, want[0].(map[string]any)["friendly_name"], got[0].FriendlyName)

	c, mt = newTestClient(t)
	expect(t, mt, call{Method: http.MethodGet, Path: "/v1/Credentials", Body: example(t, "ListCredential", "readEmpty")})
	page, err := c.Credentials.Pager(nil).Next(context.Background())
	require.NoError(t, err)
	assert.Empty(t, page.Items)
	assert.Equal(t, "credentials", page.Meta.Key)
}

// Type is required on create and optional on update.
func TestCredentialTypeRequiredOnCreateOnly(t *testing.T) {
	for _, p := range []*CredentialCreateParams{nil, {FriendlyName: "x"}} {
		err := p.validate()
		assert.ErrorIs(t, err, ErrEmptyParameter)
		assert.ErrorContains(t, err, "Type")
	}
	assert.ErrorContains(t, (&CredentialCreateParams{Type: "apns"}).validate(), `"apns" is not apn, gcm or fcm`)
	assert.ErrorContains(t, (&CredentialUpdateParams{Type: "apns"}).validate(), `"apns" is not apn, gcm or fcm`)
	assert.NoError(t, (&CredentialCreateParams{Type: PushFCM}).validate())
	assert.NoError(t, (&CredentialUpdateParams{FriendlyName: "x"}).validate())

	c, mt := newTestClient(t)
	n := expect(t, mt, call{
		Method: http.MethodPost, Path: "/v1/Credentials/" + credentialSID,
		Form: url.Values{"FriendlyName": {"renamed"}},
		Body: example(t, "UpdateCredential", "update"),
	})
	_, err := c.Credentials.Update(context.Background(), credentialSID, &CredentialUpdateParams{FriendlyName: "renamed"})
	require.NoError(t, err)
	assert.EqualValues(t, 1, n.Load())
}

func TestCredentialSecretsNeverInErrors(t *testing.T) {
	c, mt := newTestClient(t)
	ctx := context.Background()
	secrets := []string{testCert, testKey, "gcm-api-key-123", "fcm-secret-456"}
	p := &CredentialCreateParams{Type: "apns", Certificate: testCert, PrivateKey: testKey, APIKey: secrets[2], Secret: secrets[3]}
	_, err := c.Credentials.Create(ctx, p)
	require.Error(t, err)
	assert.ErrorContains(t, err, "Type")
	_, err2 := c.Credentials.Update(ctx, credentialSID, (*CredentialUpdateParams)(p))
	require.Error(t, err2)
	_, err3 := c.Credentials.Create(ctx, &CredentialCreateParams{Certificate: testCert, Secret: secrets[3]})
	assert.ErrorIs(t, err3, ErrEmptyParameter)
	_, err4 := c.Credentials.Create(ctx, nil)
	assert.ErrorIs(t, err4, ErrEmptyParameter)
	for _, e := range []error{err, err2, err3} {
		for _, s := range secrets {
			assert.NotContains(t, e.Error(), s)
		}
	}
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		for _, v := range []any{p, (*CredentialUpdateParams)(p)} {
			out := fmt.Sprintf(format, v)
			for _, s := range secrets {
				assert.NotContains(t, out, s, format)
			}
			assert.Contains(t, out, "[redacted]", format)
		}
	}
	_, err = c.Credentials.Fetch(ctx, "")
	assert.ErrorIs(t, err, ErrEmptyParameter)
	assert.ErrorIs(t, c.Credentials.Delete(ctx, ""), ErrEmptyParameter)
	assert.Zero(t, mt.GetTotalCallCount(), "no request may be sent for bad input")
}

func TestCredentialAPIErrorDoesNotEchoSecrets(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, call{
		Method: http.MethodPost, Path: "/v1/Credentials",
		Form:   url.Values{"Type": {"fcm"}, "Secret": {"fcm-secret-456"}},
		Status: http.StatusBadRequest,
		Body:   []byte(`{"code":20001,"message":"Invalid credential","more_info":"https://www.twilio.com/docs/errors/20001","status":400}`),
	})
	_, err := c.Credentials.Create(context.Background(), &CredentialCreateParams{Type: PushFCM, Secret: "fcm-secret-456"})
	var apiErr *Error
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 20001, apiErr.Code)
	assert.NotContains(t, err.Error(), "fcm-secret-456")
}
