package spec

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func load(t *testing.T) *Digest {
	t.Helper()
	d, err := Load()
	require.NoError(t, err)
	return d
}

func op(t *testing.T, d *Digest, id string) *Operation {
	t.Helper()
	o, ok := d.Operation(id)
	require.True(t, ok, "operation %s", id)
	return o
}

func paramNames(ps []Param) []string {
	var names []string
	for _, p := range ps {
		names = append(names, p.Name)
	}
	return names
}

func TestLoadCounts(t *testing.T) {
	d := load(t)
	assert.Len(t, d.Operations, 103)
	assert.Len(t, d.Paths(), 49)
	assert.Len(t, d.OperationIDs(), 103)
	d2, err := Load()
	require.NoError(t, err)
	assert.Same(t, d, d2, "Load is cached")
	for id, o := range d.Operations {
		assert.Equal(t, id, o.ID)
		assert.Contains(t, []string{"GET", "POST", "DELETE"}, o.Method, id)
		assert.Contains(t, []int{200, 201, 204}, o.SuccessStatus, id)
		for _, p := range o.PathParams {
			assert.True(t, p.Required, "%s path param %s", id, p.Name)
		}
		if o.ResponseSchema != "" && o.ListKey == "" {
			_, ok := d.Schema(o.ResponseSchema)
			assert.True(t, ok, "%s response schema %s", id, o.ResponseSchema)
		}
		if o.ItemSchema != "" {
			_, ok := d.Schema(o.ItemSchema)
			assert.True(t, ok, "%s item schema %s", id, o.ItemSchema)
		}
	}
}

func TestSpotChecks(t *testing.T) {
	d := load(t)

	cc := op(t, d, "CreateConversation")
	assert.Equal(t, "POST", cc.Method)
	assert.Equal(t, "/v1/Conversations", cc.Path)
	assert.Equal(t, 201, cc.SuccessStatus)
	assert.Equal(t, "conversations.v1.conversation", cc.ResponseSchema)
	assert.Subset(t, paramNames(cc.FormParams), []string{"Timers.Inactive", "Timers.Closed", "MessagingServiceSid"})
	ms, ok := cc.FormParam("MessagingServiceSid")
	require.True(t, ok)
	assert.Equal(t, "^MG[0-9a-fA-F]{32}$", ms.Pattern)
	require.NotNil(t, ms.MinLength)
	require.NotNil(t, ms.MaxLength)
	assert.Equal(t, 34, *ms.MinLength)
	assert.Equal(t, 34, *ms.MaxLength)
	state, ok := cc.FormParam("State")
	require.True(t, ok)
	assert.Equal(t, "conversation_enum_state", state.Ref)
	assert.Equal(t, "string", state.Type)
	assert.Equal(t, []string{"initializing", "inactive", "active", "closed"}, state.Enum)
	wh, ok := cc.HeaderParam("x-twilio-webhook-enabled")
	require.True(t, ok)
	assert.Equal(t, "X-Twilio-Webhook-Enabled", wh.Name)
	assert.Equal(t, []string{"true", "false"}, wh.Enum)
	assert.Empty(t, cc.Required())

	cp := op(t, d, "CreateConversationParticipant")
	assert.Contains(t, paramNames(cp.FormParams), "MessagingBinding.Address")
	assert.Equal(t, []string{"ConversationSid"}, paramNames(cp.PathParams))

	conv, ok := d.Schema("conversations.v1.conversation")
	require.True(t, ok)
	assert.Contains(t, conv.Properties, "timers")
	assert.Contains(t, conv.Properties, "links")
	assert.Equal(t, "conversation_enum_state", conv.Properties["state"].Ref)
	assert.Equal(t, []string{"initializing", "inactive", "active", "closed"}, conv.Properties["state"].Enum)
	assert.True(t, conv.Properties["timers"].Nullable)

	lm := op(t, d, "ListConversationMessage")
	assert.Equal(t, "GET", lm.Method)
	assert.Equal(t, "messages", lm.ListKey)
	assert.Equal(t, "conversations.v1.conversation.conversation_message", lm.ItemSchema)
	assert.Equal(t, 100, lm.PageSizeMax)
	order, ok := lm.QueryParam("Order")
	require.True(t, ok)
	assert.Equal(t, []string{"asc", "desc"}, order.Enum)
	ps, ok := lm.QueryParam("PageSize")
	require.True(t, ok)
	require.NotNil(t, ps.Maximum)
	assert.Equal(t, 100.0, *ps.Maximum)

	assert.Equal(t, 50, op(t, d, "ListUser").PageSizeMax)
	assert.Equal(t, 5, op(t, d, "ListConversationScopedWebhook").PageSizeMax)
	assert.Equal(t, 0, op(t, d, "FetchConversation").PageSizeMax)

	msg := op(t, d, "UpdateConversationMessage")
	assert.Equal(t, []string{"ConversationSid", "Sid"}, paramNames(msg.PathParams))
	assert.Equal(t, "/v1/Conversations/{ConversationSid}/Messages/{Sid}", msg.Path)

	del := op(t, d, "DeleteConversation")
	assert.Equal(t, 204, del.SuccessStatus)
	assert.Empty(t, del.ResponseSchema)

	cwp := op(t, d, "CreateConversationWithParticipants")
	assert.Equal(t, 201, cwp.SuccessStatus)
	assert.Equal(t, []int{201, 202}, cwp.Statuses)

	role := op(t, d, "CreateRole")
	assert.Equal(t, []string{"FriendlyName", "Permission", "Type"}, role.Required())

	assert.Equal(t, []string{"asc", "desc"}, d.Enums["conversation_message_enum_order_type"])
	v, ok := d.Enum("conversation_enum_state")
	assert.True(t, ok)
	assert.Len(t, v, 4)
}

func TestArrayParams(t *testing.T) {
	d := load(t)
	cases := []struct {
		op, in, name string
		itemEnum     []string
	}{
		{"UpdateConfigurationWebhook", "form", "Filters", nil},
		{"CreateConversationScopedWebhook", "form", "Configuration.Filters", nil},
		{"CreateConversationScopedWebhook", "form", "Configuration.Triggers", nil},
		{"ListServiceBinding", "query", "BindingType", []string{"apn", "gcm", "fcm", "twilsock"}},
		{"ListServiceBinding", "query", "Identity", nil},
		{"CreateRole", "form", "Permission", nil},
	}
	for _, c := range cases {
		o := op(t, d, c.op)
		var p *Param
		var ok bool
		if c.in == "form" {
			p, ok = o.FormParam(c.name)
		} else {
			p, ok = o.QueryParam(c.name)
		}
		require.True(t, ok, "%s %s", c.op, c.name)
		assert.True(t, p.Array, "%s %s", c.op, c.name)
		require.NotNil(t, p.Items, "%s %s", c.op, c.name)
		assert.Equal(t, "string", p.Items.Type, "%s %s", c.op, c.name)
		if c.itemEnum != nil {
			assert.Equal(t, c.itemEnum, p.Items.Enum)
			assert.Equal(t, "service_binding_enum_binding_type", p.Items.Ref)
		}
	}
	p, ok := op(t, d, "CreateConversation").FormParam("FriendlyName")
	require.True(t, ok)
	assert.False(t, p.Array)
	assert.Nil(t, p.Items)
}

func TestOperationFor(t *testing.T) {
	d := load(t)
	o, ok := d.OperationFor("post", "/v1/Conversations/{ConversationSid}/Messages/{Sid}")
	require.True(t, ok)
	assert.Equal(t, "UpdateConversationMessage", o.ID)
	o, ok = d.OperationFor("GET", "/v1/Conversations/{sid}/Messages")
	require.True(t, ok)
	assert.Equal(t, "ListConversationMessage", o.ID)
	_, ok = d.OperationFor("PUT", "/v1/Conversations")
	assert.False(t, ok)
	_, ok = d.OperationFor("GET", "/v1/Nope")
	assert.False(t, ok)
}

func TestCheckWireNames(t *testing.T) {
	d := load(t)
	cc := op(t, d, "CreateConversation")
	assert.NoError(t, cc.CheckWireNames(
		[]string{"FriendlyName", "Timers.Inactive", "Timers.Closed"},
		nil,
		[]string{"X-Twilio-Webhook-Enabled"}))
	assert.NoError(t, cc.CheckWireNames(nil, nil, []string{"x-twilio-webhook-enabled"}), "headers are case-insensitive")

	err := cc.CheckWireNames(
		[]string{"FriendlyName", "Timers.Inactiv", "Bogus", "Bogus"},
		[]string{"PageSize"},
		[]string{"X-Nope"})
	require.Error(t, err)
	var we *WireNameError
	require.True(t, errors.As(err, &we))
	assert.Equal(t, "CreateConversation", we.Operation)
	assert.Equal(t, []string{"Bogus", "Timers.Inactiv"}, we.Form)
	assert.Equal(t, []string{"PageSize"}, we.Query)
	assert.Equal(t, []string{"X-Nope"}, we.Header)
	assert.Equal(t, "spec: CreateConversation does not declare form Bogus, Timers.Inactiv; query PageSize; header X-Nope", err.Error())

	lc := op(t, d, "ListConversation")
	assert.NoError(t, lc.CheckWireNames(nil, []string{"StartDate", "EndDate", "State", "PageSize", "Page", "PageToken"}, nil))
	assert.Error(t, lc.CheckWireNames([]string{"FriendlyName"}, nil, nil), "GET has no form params")
}

func TestCheckFields(t *testing.T) {
	d := load(t)
	s, ok := d.Schema("conversations.v1.role")
	require.True(t, ok)
	var all []string
	for name := range s.Properties {
		all = append(all, name)
	}
	assert.NoError(t, d.CheckFields("conversations.v1.role", all))

	var partial []string
	for _, n := range all {
		if n != "url" && n != "permissions" {
			partial = append(partial, n)
		}
	}
	partial = append(partial, "permission", "zzz")
	err := d.CheckFields("conversations.v1.role", partial)
	require.Error(t, err)
	var fe *FieldsError
	require.True(t, errors.As(err, &fe))
	assert.Equal(t, []string{"permissions", "url"}, fe.Missing)
	assert.Equal(t, []string{"permission", "zzz"}, fe.Unknown)
	assert.Equal(t, "spec: schema conversations.v1.role: missing fields permissions, url; unknown fields permission, zzz", err.Error())

	assert.Error(t, d.CheckFields("conversations.v1.nope", nil))
}

func TestExamples(t *testing.T) {
	ex, err := Examples("CreateConversation")
	require.NoError(t, err)
	assert.Contains(t, ex, "create")
	assert.Contains(t, ex, "createNoTimersNoAttributes")

	b, err := Example("CreateConversation", "create")
	require.NoError(t, err)
	var conv map[string]any
	require.NoError(t, json.Unmarshal(b, &conv))
	assert.Equal(t, "CHaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", conv["sid"])
	assert.Contains(t, conv, "timers")
	assert.False(t, bytes.ContainsAny(b, "\n"), "examples are compact")

	// Returned bytes are copies.
	b[0] = 'X'
	b2 := MustExample("CreateConversation", "create")
	assert.Equal(t, byte('{'), b2[0])

	_, err = Example("CreateConversation", "nope")
	assert.Error(t, err)
	_, err = Examples("NoSuchOperation")
	assert.Error(t, err)

	d := load(t)
	lm, err := Examples("ListConversationMessage")
	require.NoError(t, err)
	for name, raw := range lm {
		var page map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(raw, &page), name)
		assert.Contains(t, page, op(t, d, "ListConversationMessage").ListKey, name)
		assert.Contains(t, page, "meta", name)
	}
}

// repoRoot walks up from the package directory to the directory with go.mod.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the package directory")
		}
		dir = parent
	}
}

// TestDigestCurrent checks that digest.json and examples.json are what the
// generator produces from ../shared/twilio-oai/twilio_conversations_v1.json
// (relative to the repository root), when that file is present.
func TestDigestCurrent(t *testing.T) {
	src := filepath.Join(repoRoot(t), "..", "shared", "twilio-oai", "twilio_conversations_v1.json")
	openapi, err := os.ReadFile(src)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("%s not present; cannot check that digest.json and examples.json are current", src)
	}
	require.NoError(t, err)

	d, err := Build(openapi)
	require.NoError(t, err)
	got, err := d.Marshal()
	require.NoError(t, err)
	if !bytes.Equal(got, digestJSON) {
		t.Errorf("digest.json is out of date with %s; run: go run ./internal/spec/gen", src)
	}

	ex, err := BuildExamples(openapi)
	require.NoError(t, err)
	gotEx, err := ex.Marshal()
	require.NoError(t, err)
	if !bytes.Equal(gotEx, examplesJSON) {
		t.Errorf("examples.json is out of date with %s; run: go run ./internal/spec/gen", src)
	}
}

func TestBuildDeterministic(t *testing.T) {
	// The embedded digest round-trips through the Go types unchanged, so no
	// information in the file is lost on Load.
	d := load(t)
	got, err := d.Marshal()
	require.NoError(t, err)
	assert.Equal(t, string(digestJSON), string(got))

	_, err = Build([]byte(`{"paths": {}}`))
	assert.Error(t, err)
	_, err = Build([]byte(`not json`))
	assert.Error(t, err)
}

func TestBuildSmall(t *testing.T) {
	const doc = `{
	  "info": {"title": "T", "version": "1"},
	  "paths": {
	    "/v1/Things/{Sid}": {
	      "parameters": [{"name": "Sid", "in": "path", "required": true, "schema": {"type": "string"}}],
	      "get": {
	        "operationId": "FetchThing",
	        "responses": {"200": {"content": {"application/json": {
	          "schema": {"$ref": "#/components/schemas/thing"},
	          "examples": {"fetch": {"value": {"sid": "TH1", "kind": "a"}}}
	        }}}}
	      }
	    }
	  },
	  "components": {"schemas": {
	    "thing": {"type": "object", "properties": {
	      "sid": {"type": "string", "description": "dropped"},
	      "kind": {"$ref": "#/components/schemas/thing_enum_kind"}
	    }},
	    "thing_enum_kind": {"type": "string", "enum": ["a", "b"]}
	  }}
	}`
	d, err := Build([]byte(doc))
	require.NoError(t, err)
	o, ok := d.Operation("FetchThing")
	require.True(t, ok)
	assert.Equal(t, "GET", o.Method)
	assert.Equal(t, []string{"Sid"}, paramNames(o.PathParams))
	assert.Equal(t, "thing", o.ResponseSchema)
	assert.Equal(t, []string{"a", "b"}, d.Schemas["thing"].Properties["kind"].Enum)
	out, err := d.Marshal()
	require.NoError(t, err)
	assert.NotContains(t, string(out), "dropped")

	ex, err := BuildExamples([]byte(doc))
	require.NoError(t, err)
	assert.JSONEq(t, `{"sid": "TH1", "kind": "a"}`, string(ex["FetchThing"]["fetch"]))

	_, err = Build([]byte(`{"paths": {"/x/{Sid}": {"get": {"operationId": "X", "responses": {"200": {}}}}}}`))
	assert.ErrorContains(t, err, "{Sid}")
	_, err = Build([]byte(`{"paths": {"/x": {"get": {"operationId": "X", "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/missing"}}}}}}}}}`))
	assert.ErrorContains(t, err, "dangling")
}
