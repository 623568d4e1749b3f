package conversationsotel_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	cv "github.com/conversations-go/conversations"
	"github.com/conversations-go/conversations/internal/spec"
)

// The values the privacy sweep sends: realistic personal data, addresses,
// secrets and SIDs. None of them may appear in any span name, status,
// attribute or event, or in any metric attribute.
const (
	pPhone      = "+14155550123"
	pProxy      = "+14155550199"
	pWhatsApp   = "whatsapp:+447700900123"
	pProjected  = "+14155550177"
	pIdentity   = "alice.smith.7781"
	pEmail      = "alice.smith@example.org"
	pEmailName  = "Alice Smith"
	pBody       = "My card ends 4242, call me at home"
	pEdited     = "Edited: the door code is 8812"
	pSubject    = "Re: Alice diagnosis results"
	pFriendly   = "Alice Smith private chat"
	pUnique     = "order-4711-alice-smith"
	pSSN        = "078-05-1120"
	pHookURL    = "https://hooks.example.org/private-9f2c?token=hooktoken123"
	pSecret     = "fcm-server-key-SECRET-5d1e"
	pCert       = "-----BEGIN CERTIFICATE-----MIIBalicecert"
	pKey        = "-----BEGIN PRIVATE KEY-----MIIEalicekey"
	pAuthToken  = "auth-token-privacy-0b7f2a"
	pTemplate   = "Hi, Alice wrote: ${MESSAGE}"
	pSound      = "alice-ringtone.wav"
	pRoleName   = "alice-secret-role"
	pPermission = "editOwnMessageAlice"
	pFilename   = "alice-passport-scan.jpg"
	pSignature  = "SIGNATURE-a1b2c3d4e5"
	pContentVar = "Alice Smith (VIP)"

	pAccount  = "AC0123456789abcdef0123456789abcdef"
	pService  = "IS0123456789abcdef0123456789abcdef"
	pConv     = "CH0123456789abcdef0123456789abcdef"
	pMessage  = "IM0123456789abcdef0123456789abcdef"
	pPart     = "MB0123456789abcdef0123456789abcdef"
	pUser     = "US0123456789abcdef0123456789abcdef"
	pRole     = "RL0123456789abcdef0123456789abcdef"
	pCred     = "CR0123456789abcdef0123456789abcdef"
	pBinding  = "BS0123456789abcdef0123456789abcdef"
	pAddress  = "IG0123456789abcdef0123456789abcdef"
	pHook     = "WH0123456789abcdef0123456789abcdef"
	pReceipt  = "DY0123456789abcdef0123456789abcdef"
	pMedia    = "ME0123456789abcdef0123456789abcdef"
	pMsgSvc   = "MG0123456789abcdef0123456789abcdef"
	pFlow     = "FW0123456789abcdef0123456789abcdef"
	pContent  = "HX0123456789abcdef0123456789abcdef"
	pLinkHost = "media-bucket.example.org"
)

var privateValues = []string{
	pPhone, pProxy, pWhatsApp, pProjected, pIdentity, pEmail, pEmailName, pBody, pEdited, pSubject,
	pFriendly, pUnique, pSSN, pHookURL, "hooktoken123", pSecret, pCert, pKey, pAuthToken, pTemplate,
	pSound, pRoleName, pPermission, pFilename, pSignature, pContentVar,
	pAccount, pService, pConv, pMessage, pPart, pUser, pRole, pCred, pBinding, pAddress, pHook,
	pReceipt, pMedia, pMsgSvc, pFlow, pContent,
	"4155550123", "447700900123", "4155550177", "4155550199", // digits of the numbers, in any form
}

var (
	privAttrs = cv.AttributesOf(map[string]string{"ssn": pSSN, "email": pEmail})
	yes       = cv.Ptr(true)
	timers    = cv.Timers{Inactive: time.Hour, Closed: 24 * time.Hour}
)

// op is one public call reaching one operation of the spec.
type op struct {
	id   string
	call func(ctx context.Context, c *cv.Client) error
}

func drain[T any](seq iter.Seq2[*T, error]) error {
	for _, err := range seq {
		if err != nil {
			return err
		}
	}
	return nil
}

func ret[T any](_ T, err error) error { return err }

// allOperations lists a call for each of the spec's operations, with
// private values wherever the operation takes any.
func allOperations() []op {
	ops := []op{
		{"CreateConfigurationAddress", func(ctx context.Context, c *cv.Client) error {
			return ret(c.Addresses.Create(ctx, &cv.AddressCreateParams{Type: cv.AddressSMS, Address: pPhone, FriendlyName: pFriendly,
				AutoCreation: cv.AddressAutoCreationParams{Enabled: yes, Type: cv.AutoCreationWebhook, WebhookURL: pHookURL}}))
		}},
		{"FetchConfigurationAddress", func(ctx context.Context, c *cv.Client) error { return ret(c.Addresses.Fetch(ctx, pAddress)) }},
		{"UpdateConfigurationAddress", func(ctx context.Context, c *cv.Client) error {
			return ret(c.Addresses.Update(ctx, pAddress, &cv.AddressUpdateParams{FriendlyName: pFriendly}))
		}},
		{"DeleteConfigurationAddress", func(ctx context.Context, c *cv.Client) error { return c.Addresses.Delete(ctx, pAddress) }},
		{"ListConfigurationAddress", func(ctx context.Context, c *cv.Client) error {
			return drain(c.Addresses.List(ctx, &cv.AddressListParams{Type: cv.AddressWhatsApp}))
		}},
		{"FetchConfiguration", func(ctx context.Context, c *cv.Client) error { return ret(c.Configuration.Fetch(ctx)) }},
		{"UpdateConfiguration", func(ctx context.Context, c *cv.Client) error {
			return ret(c.Configuration.Update(ctx, &cv.ConfigurationUpdateParams{DefaultChatServiceSID: pService, DefaultMessagingServiceSID: pMsgSvc, DefaultTimers: timers}))
		}},
		{"FetchConfigurationWebhook", func(ctx context.Context, c *cv.Client) error { return ret(c.Configuration.FetchWebhooks(ctx)) }},
		{"UpdateConfigurationWebhook", func(ctx context.Context, c *cv.Client) error {
			return ret(c.Configuration.UpdateWebhooks(ctx, &cv.WebhookConfigurationUpdateParams{Method: "POST", PreWebhookURL: pHookURL, PostWebhookURL: pHookURL, Target: cv.TargetWebhook}))
		}},
		{"CreateCredential", func(ctx context.Context, c *cv.Client) error {
			return ret(c.Credentials.Create(ctx, &cv.CredentialCreateParams{Type: cv.PushAPN, FriendlyName: pFriendly, Certificate: pCert, PrivateKey: pKey, Sandbox: yes}))
		}},
		{"FetchCredential", func(ctx context.Context, c *cv.Client) error { return ret(c.Credentials.Fetch(ctx, pCred)) }},
		{"UpdateCredential", func(ctx context.Context, c *cv.Client) error {
			return ret(c.Credentials.Update(ctx, pCred, &cv.CredentialUpdateParams{Type: cv.PushFCM, Secret: pSecret}))
		}},
		{"DeleteCredential", func(ctx context.Context, c *cv.Client) error { return c.Credentials.Delete(ctx, pCred) }},
		{"ListCredential", func(ctx context.Context, c *cv.Client) error { return drain(c.Credentials.List(ctx, nil)) }},
		{"CreateService", func(ctx context.Context, c *cv.Client) error {
			return ret(c.Services.Create(ctx, &cv.ServiceCreateParams{FriendlyName: pFriendly}))
		}},
		{"FetchService", func(ctx context.Context, c *cv.Client) error { return ret(c.Services.Fetch(ctx, pService)) }},
		{"DeleteService", func(ctx context.Context, c *cv.Client) error { return c.Services.Delete(ctx, pService) }},
		{"ListService", func(ctx context.Context, c *cv.Client) error { return drain(c.Services.List(ctx, nil)) }},
		{"FetchServiceBinding", func(ctx context.Context, c *cv.Client) error {
			return ret(c.Service(pService).Bindings.Fetch(ctx, pBinding))
		}},
		{"DeleteServiceBinding", func(ctx context.Context, c *cv.Client) error {
			return c.Service(pService).Bindings.Delete(ctx, pBinding)
		}},
		{"ListServiceBinding", func(ctx context.Context, c *cv.Client) error {
			return drain(c.Service(pService).Bindings.List(ctx, &cv.BindingListParams{Identities: []string{pIdentity, pEmail}}))
		}},
		{"FetchServiceConfiguration", func(ctx context.Context, c *cv.Client) error {
			return ret(c.Service(pService).Configuration.Fetch(ctx))
		}},
		{"UpdateServiceConfiguration", func(ctx context.Context, c *cv.Client) error {
			return ret(c.Service(pService).Configuration.Update(ctx, &cv.ServiceConfigurationUpdateParams{DefaultChatServiceRoleSID: pRole, ReachabilityEnabled: yes}))
		}},
		{"FetchServiceNotification", func(ctx context.Context, c *cv.Client) error {
			return ret(c.Service(pService).Configuration.FetchNotifications(ctx))
		}},
		{"UpdateServiceNotification", func(ctx context.Context, c *cv.Client) error {
			return ret(c.Service(pService).Configuration.UpdateNotifications(ctx, &cv.ServiceNotificationsUpdateParams{
				NewMessageEnabled: yes, NewMessageTemplate: pTemplate, NewMessageSound: pSound, AddedToConversationTemplate: pTemplate}))
		}},
		{"FetchServiceWebhookConfiguration", func(ctx context.Context, c *cv.Client) error {
			return ret(c.Service(pService).Configuration.FetchWebhooks(ctx))
		}},
		{"UpdateServiceWebhookConfiguration", func(ctx context.Context, c *cv.Client) error {
			return ret(c.Service(pService).Configuration.UpdateWebhooks(ctx, &cv.ServiceWebhookConfigurationUpdateParams{PreWebhookURL: pHookURL, PostWebhookURL: pHookURL, Method: cv.WebhookPOST}))
		}},
	}
	// The resources that exist at the account level and per service.
	for _, p := range []string{"", "Service"} {
		sc := func(c *cv.Client) *cv.Scope { return c.Scope }
		if p == "Service" {
			sc = func(c *cv.Client) *cv.Scope { return c.Service(pService).Scope }
		}
		ops = append(ops,
			op{"Create" + p + "Conversation", func(ctx context.Context, c *cv.Client) error {
				return ret(sc(c).Conversations.Create(ctx, &cv.ConversationCreateParams{FriendlyName: pFriendly, UniqueName: pUnique, Attributes: privAttrs,
					MessagingServiceSID: pMsgSvc, State: cv.StateActive, Timers: timers, BindingsEmailAddress: pEmail, BindingsEmailName: pEmailName, WebhookEnabled: true}))
			}},
			op{"Fetch" + p + "Conversation", func(ctx context.Context, c *cv.Client) error { return ret(sc(c).Conversations.Fetch(ctx, pUnique)) }},
			op{"Update" + p + "Conversation", func(ctx context.Context, c *cv.Client) error {
				return ret(sc(c).Conversations.Update(ctx, pUnique, &cv.ConversationUpdateParams{FriendlyName: pFriendly, Attributes: privAttrs}))
			}},
			op{"Delete" + p + "Conversation", func(ctx context.Context, c *cv.Client) error { return sc(c).Conversations.Delete(ctx, pUnique, nil) }},
			op{"List" + p + "Conversation", func(ctx context.Context, c *cv.Client) error {
				return drain(sc(c).Conversations.List(ctx, &cv.ConversationListParams{State: cv.StateActive}))
			}},
			op{"Create" + p + "ConversationWithParticipants", func(ctx context.Context, c *cv.Client) error {
				return ret(sc(c).Conversations.CreateWithParticipants(ctx, &cv.ConversationWithParticipantsCreateParams{
					Participants: cv.NewParticipants{{Identity: pIdentity, Attributes: privAttrs}, {MessagingBindingAddress: pPhone, MessagingBindingProxyAddress: pProxy}}}))
			}},
			op{"Create" + p + "ConversationMessage", func(ctx context.Context, c *cv.Client) error {
				return ret(sc(c).Messages.Create(ctx, pConv, &cv.MessageCreateParams{Author: pIdentity, Body: pBody, Attributes: privAttrs, Subject: pSubject,
					ContentSID: pContent, ContentVariables: cv.ContentVariables{"1": pContentVar}}))
			}},
			op{"Fetch" + p + "ConversationMessage", func(ctx context.Context, c *cv.Client) error { return ret(sc(c).Messages.Fetch(ctx, pConv, pMessage)) }},
			op{"Update" + p + "ConversationMessage", func(ctx context.Context, c *cv.Client) error {
				return ret(sc(c).Messages.Update(ctx, pConv, pMessage, &cv.MessageUpdateParams{Body: pEdited, Author: pEmail}))
			}},
			op{"Delete" + p + "ConversationMessage", func(ctx context.Context, c *cv.Client) error { return sc(c).Messages.Delete(ctx, pConv, pMessage, nil) }},
			op{"List" + p + "ConversationMessage", func(ctx context.Context, c *cv.Client) error {
				return drain(sc(c).Messages.List(ctx, pUnique, &cv.MessageListParams{Order: cv.OrderDesc, PageSize: 5}))
			}},
			op{"List" + p + "ConversationMessageReceipt", func(ctx context.Context, c *cv.Client) error {
				return drain(sc(c).Receipts.List(ctx, pConv, pMessage, nil))
			}},
			op{"Fetch" + p + "ConversationMessageReceipt", func(ctx context.Context, c *cv.Client) error {
				return ret(sc(c).Receipts.Fetch(ctx, pConv, pMessage, pReceipt))
			}},
			op{"Create" + p + "ConversationParticipant", func(ctx context.Context, c *cv.Client) error {
				return ret(sc(c).Participants.Create(ctx, pConv, &cv.ParticipantCreateParams{MessagingBindingAddress: pWhatsApp, MessagingBindingProxyAddress: pProxy, Attributes: privAttrs}))
			}},
			op{"Fetch" + p + "ConversationParticipant", func(ctx context.Context, c *cv.Client) error {
				return ret(sc(c).Participants.Fetch(ctx, pConv, pIdentity))
			}},
			op{"Update" + p + "ConversationParticipant", func(ctx context.Context, c *cv.Client) error {
				return ret(sc(c).Participants.Update(ctx, pConv, pPart, &cv.ParticipantUpdateParams{Identity: pEmail, MessagingBindingProjectedAddress: pProjected, LastReadMessageIndex: cv.Ptr(3)}))
			}},
			op{"Delete" + p + "ConversationParticipant", func(ctx context.Context, c *cv.Client) error {
				return sc(c).Participants.Delete(ctx, pConv, pPart, nil)
			}},
			op{"List" + p + "ConversationParticipant", func(ctx context.Context, c *cv.Client) error { return drain(sc(c).Participants.List(ctx, pConv, nil)) }},
			op{"Create" + p + "ConversationScopedWebhook", func(ctx context.Context, c *cv.Client) error {
				return ret(sc(c).Webhooks.Create(ctx, pConv, &cv.ConversationWebhookCreateParams{Target: cv.TargetWebhook, ConfigurationURL: pHookURL, ConfigurationMethod: cv.WebhookPOST, ConfigurationTriggers: []string{pIdentity}}))
			}},
			op{"Fetch" + p + "ConversationScopedWebhook", func(ctx context.Context, c *cv.Client) error { return ret(sc(c).Webhooks.Fetch(ctx, pConv, pHook)) }},
			op{"Update" + p + "ConversationScopedWebhook", func(ctx context.Context, c *cv.Client) error {
				return ret(sc(c).Webhooks.Update(ctx, pConv, pHook, &cv.ConversationWebhookUpdateParams{ConfigurationURL: pHookURL, ConfigurationFlowSID: pFlow}))
			}},
			op{"Delete" + p + "ConversationScopedWebhook", func(ctx context.Context, c *cv.Client) error { return sc(c).Webhooks.Delete(ctx, pConv, pHook) }},
			op{"List" + p + "ConversationScopedWebhook", func(ctx context.Context, c *cv.Client) error { return drain(sc(c).Webhooks.List(ctx, pConv, nil)) }},
			op{"List" + p + "ParticipantConversation", func(ctx context.Context, c *cv.Client) error {
				return drain(sc(c).ParticipantConversations.List(ctx, &cv.ParticipantConversationListParams{Address: pPhone}))
			}},
			op{"Create" + p + "Role", func(ctx context.Context, c *cv.Client) error {
				return ret(sc(c).Roles.Create(ctx, &cv.RoleCreateParams{FriendlyName: pRoleName, Type: cv.RoleTypeConversation, Permissions: []string{pPermission}}))
			}},
			op{"Fetch" + p + "Role", func(ctx context.Context, c *cv.Client) error { return ret(sc(c).Roles.Fetch(ctx, pRole)) }},
			op{"Update" + p + "Role", func(ctx context.Context, c *cv.Client) error {
				return ret(sc(c).Roles.Update(ctx, pRole, &cv.RoleUpdateParams{Permissions: []string{pPermission}}))
			}},
			op{"Delete" + p + "Role", func(ctx context.Context, c *cv.Client) error { return sc(c).Roles.Delete(ctx, pRole) }},
			op{"List" + p + "Role", func(ctx context.Context, c *cv.Client) error { return drain(sc(c).Roles.List(ctx, nil)) }},
			op{"Create" + p + "User", func(ctx context.Context, c *cv.Client) error {
				return ret(sc(c).Users.Create(ctx, &cv.UserCreateParams{Identity: pIdentity, FriendlyName: pFriendly, Attributes: privAttrs, RoleSID: pRole}))
			}},
			op{"Fetch" + p + "User", func(ctx context.Context, c *cv.Client) error { return ret(sc(c).Users.Fetch(ctx, pEmail)) }},
			op{"Update" + p + "User", func(ctx context.Context, c *cv.Client) error {
				return ret(sc(c).Users.Update(ctx, pIdentity, &cv.UserUpdateParams{FriendlyName: pFriendly, Attributes: privAttrs}))
			}},
			op{"Delete" + p + "User", func(ctx context.Context, c *cv.Client) error { return sc(c).Users.Delete(ctx, pIdentity, nil) }},
			op{"List" + p + "User", func(ctx context.Context, c *cv.Client) error { return drain(sc(c).Users.List(ctx, nil)) }},
			op{"Fetch" + p + "UserConversation", func(ctx context.Context, c *cv.Client) error {
				return ret(sc(c).UserConversations.Fetch(ctx, pIdentity, pUnique))
			}},
			op{"Update" + p + "UserConversation", func(ctx context.Context, c *cv.Client) error {
				return ret(sc(c).UserConversations.Update(ctx, pUser, pConv, &cv.UserConversationUpdateParams{NotificationLevel: cv.NotificationMuted}))
			}},
			op{"Delete" + p + "UserConversation", func(ctx context.Context, c *cv.Client) error {
				return sc(c).UserConversations.Delete(ctx, pEmail, pUnique)
			}},
			op{"List" + p + "UserConversation", func(ctx context.Context, c *cv.Client) error {
				return drain(sc(c).UserConversations.List(ctx, pIdentity, nil))
			}},
		)
	}
	return ops
}

// specOperationIDs reads the operationIds of Twilio's OpenAPI description
// (../../shared/twilio-oai/twilio_conversations_v1.json); when the file is
// not there, the committed digest of it (internal/spec).
func specOperationIDs(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile("../../shared/twilio-oai/twilio_conversations_v1.json")
	if err != nil {
		t.Logf("spec file not found (%v): using the committed digest", err)
		return spec.MustLoad().OperationIDs()
	}
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	require.NoError(t, json.Unmarshal(data, &doc))
	var ids []string
	for _, item := range doc.Paths {
		for _, raw := range item {
			var o struct {
				OperationID string `json:"operationId"`
			}
			if json.Unmarshal(raw, &o) == nil && o.OperationID != "" {
				ids = append(ids, o.OperationID)
			}
		}
	}
	sort.Strings(ids)
	return ids
}

// specServer answers every operation of the spec with its example (the
// success path), or, with echo set, with a Twilio error whose message
// repeats the request's path, query and body (the error path: Twilio's
// messages can name what was sent). Media requests get a media resource
// whose content link is a pre-signed URL with a secret signature.
func specServer(t *testing.T, echo bool) *httptest.Server {
	t.Helper()
	d := spec.MustLoad()
	type route struct {
		op *spec.Operation
		re *regexp.Regexp
	}
	var routes []route
	for _, id := range d.OperationIDs() {
		o, _ := d.Operation(id)
		q := regexp.QuoteMeta(o.Path)
		q = regexp.MustCompile(`\\\{[A-Za-z]+\\\}`).ReplaceAllString(q, `[^/]+`)
		routes = append(routes, route{o, regexp.MustCompile("^" + q + "$")})
	}
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Twilio-Request-Id", "RQffffffffffffffffffffffffffffffff")
		if echo {
			w.WriteHeader(http.StatusBadRequest)
			msg := fmt.Sprintf("Invalid request %s?%s: %s", r.URL.Path, r.URL.RawQuery, body)
			json.NewEncoder(w).Encode(map[string]any{"code": 20001, "message": msg, "status": 400, "more_info": "https://www.twilio.com/docs/errors/20001"})
			return
		}
		if strings.Contains(r.URL.Path, "/Media") || r.URL.Path == "/content" {
			if r.URL.Path == "/content" {
				w.Write([]byte("file bytes"))
				return
			}
			w.WriteHeader(http.StatusCreated)
			fmt.Fprintf(w, `{"sid":%q,"service_sid":%q,"filename":%q,"content_type":"image/jpeg","size":10,"links":{"content":"/v1/Services/%s/Media/%s/Content","content_direct_temporary":%q}}`,
				pMedia, pService, pFilename, pService, pMedia, srv.URL+"/content?Signature="+pSignature+"&Host="+pLinkHost)
			return
		}
		for _, rt := range routes {
			if rt.op.Method != r.Method || !rt.re.MatchString(r.URL.EscapedPath()) {
				continue
			}
			if rt.op.SuccessStatus == http.StatusNoContent {
				w.WriteHeader(http.StatusNoContent)
				return
			}
			ex := []byte("{}")
			if exs, err := spec.Examples(rt.op.ID); err == nil {
				names := make([]string, 0, len(exs))
				for n := range exs {
					names = append(names, n)
				}
				sort.Strings(names)
				ex = exs[names[0]]
			}
			w.WriteHeader(rt.op.SuccessStatus)
			w.Write(ex)
			return
		}
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"code":20404,"message":"not found","status":404}`)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// recordedStrings returns every string the SDK recorded: span names,
// statuses, attribute keys and values, event names and attributes, and
// metric names and data point attributes, each with where it was found.
func recordedStrings(t *testing.T, k *otelKit) map[string]string {
	out := map[string]string{}
	addKV := func(where string, kvs []attribute.KeyValue) {
		for _, kv := range kvs {
			out[string(kv.Key)] = where
			out[kv.Value.Emit()] = where + " " + string(kv.Key)
		}
	}
	for _, s := range k.spans.GetSpans() {
		out[s.Name] = "span name"
		out[s.Status.Description] = "status of " + s.Name
		addKV("span "+s.Name, s.Attributes)
		for _, ev := range s.Events {
			out[ev.Name] = "event of " + s.Name
			addKV("event "+ev.Name, ev.Attributes)
		}
	}
	for _, sm := range k.metrics(t).ScopeMetrics {
		for _, m := range sm.Metrics {
			out[m.Name] = "metric name"
			var sets []attribute.Set
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					sets = append(sets, p.Attributes)
				}
			case metricdata.Histogram[float64]:
				for _, p := range d.DataPoints {
					sets = append(sets, p.Attributes)
				}
			}
			for _, s := range sets {
				addKV("metric "+m.Name, s.ToSlice())
			}
		}
	}
	return out
}

// forms of a value as it may appear once encoded.
func forms(v string) []string {
	return []string{v, url.QueryEscape(v), url.PathEscape(v), strings.ToLower(v)}
}

var sidPattern = regexp.MustCompile(`[A-Z]{2}[0-9a-f]{32}`)

// privateLeaks lists the recorded strings that hold a private value, and
// the metric attributes that hold a SID.
func privateLeaks(t *testing.T, k *otelKit, extra ...string) []string {
	t.Helper()
	recorded := recordedStrings(t, k)
	require.NotEmpty(t, recorded)
	var leaks []string
	for s, where := range recorded {
		low := strings.ToLower(s)
		for _, v := range append(privateValues, extra...) {
			for _, f := range forms(v) {
				if f != "" && strings.Contains(low, strings.ToLower(f)) {
					leaks = append(leaks, fmt.Sprintf("recorded %q (%s) holds the private value %q", s, where, v))
				}
			}
		}
		if strings.HasPrefix(where, "metric ") && sidPattern.MatchString(s) {
			leaks = append(leaks, fmt.Sprintf("metric attribute %q (%s) holds a SID", s, where))
		}
	}
	return leaks
}

// assertNothingPrivate fails for any leak privateLeaks finds.
func assertNothingPrivate(t *testing.T, k *otelKit, extra ...string) {
	t.Helper()
	for _, l := range privateLeaks(t, k, extra...) {
		t.Error(l)
	}
}

// TestPrivacySweepDetectsLeaks: the check itself finds a private value in a
// span attribute, in an event and in a span name, and a SID in a metric
// attribute.
func TestPrivacySweepDetectsLeaks(t *testing.T) {
	k := newKit(t)
	ctx := context.Background()
	_, s := k.tel.StartSpan(ctx, "GET /v1/Users/"+url.PathEscape(pEmail), cv.SpanKindClient,
		cv.StringAttr("url.full", "https://conversations.twilio.com/v1/ParticipantConversations?Address="+url.QueryEscape(pPhone)))
	s.AddEvent("body", cv.StringAttr("text", pBody))
	s.End()
	k.tel.Record(ctx, cv.MetricOperations, 1, cv.StringAttr("conversation", pConv))
	leaks := privateLeaks(t, k)
	joined := strings.Join(leaks, "\n")
	assert.Contains(t, joined, `holds the private value "+14155550123"`)
	assert.Contains(t, joined, `holds the private value "alice.smith@example.org"`)
	assert.Contains(t, joined, `holds the private value "My card ends 4242, call me at home"`)
	assert.Contains(t, joined, "holds a SID")
}

// TestPrivacySweep drives every operation of the spec, the media calls,
// and (in TestPrivacyBulkAndWebhooks) the bulk and webhook paths, with
// private values, through the adapter into the OpenTelemetry SDK, and fails
// if any recorded string holds one of them.
func TestPrivacySweep(t *testing.T) {
	ids := specOperationIDs(t)
	require.Len(t, ids, 103, "Twilio's Conversations v1 description has 103 operations")
	ops := allOperations()
	var tableIDs []string
	for _, o := range ops {
		tableIDs = append(tableIDs, o.id)
	}
	sort.Strings(tableIDs)
	require.Equal(t, ids, tableIDs, "the sweep's table must hold each operation of the spec once")

	for _, echo := range []bool{false, true} {
		t.Run(map[bool]string{false: "success", true: "errors-echoing-the-request"}[echo], func(t *testing.T) {
			srv := specServer(t, echo)
			k := newKit(t)
			c, err := cv.NewClient(pAccount, pAuthToken, cv.WithBaseURL(srv.URL), cv.WithMediaBaseURL(srv.URL),
				cv.WithRetryPolicy(cv.NoRetries), cv.WithTelemetry(k.tel))
			require.NoError(t, err)
			ctx := context.Background()
			for _, o := range ops {
				err := o.call(ctx, c)
				if !echo {
					require.NoError(t, err, o.id)
				} else {
					require.Error(t, err, o.id)
				}
			}
			media := c.Service(pService).Media
			_, err = media.Upload(ctx, bytes.NewReader([]byte("passport")), &cv.MediaUploadParams{ContentType: "image/jpeg", Filename: pFilename})
			if !echo {
				require.NoError(t, err)
				rc, _, err := media.Download(ctx, pMedia)
				require.NoError(t, err)
				rc.Close()
			}
			// Every operation of the spec shows as a span of its own name.
			seen := map[string]bool{}
			for _, s := range k.spans.GetSpans() {
				seen[s.Name] = true
			}
			for _, id := range ids {
				assert.True(t, seen[id], "no span for %s", id)
			}
			if !echo {
				assert.True(t, seen["CreateServiceMedia"] && seen["FetchServiceMedia"] && seen["FetchMediaContent"], "media spans")
			}
			assertNothingPrivate(t, k)
		})
	}
}
