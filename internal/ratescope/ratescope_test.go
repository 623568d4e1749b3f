package ratescope

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestClassify(t *testing.T) {
	const conv = "CHaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	const svc = "ISaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	tests := []struct {
		name, method, path string
		scope              string
		documented, ok     bool
	}{
		{"conversation create", "POST", "/v1/Conversations", "service:default", true, true},
		{"conversation create in a service", "POST", "/v1/Services/" + svc + "/Conversations", "service:" + svc, true, true},
		{"conversation with participants", "POST", "/v1/ConversationWithParticipants", "service:default", true, true},
		{"conversation delete", "DELETE", "/v1/Conversations/" + conv, "service:default", true, true},
		{"conversation delete in a service", "DELETE", "/v1/Services/" + svc + "/Conversations/" + conv, "service:" + svc, true, true},
		{"conversation update", "POST", "/v1/Conversations/" + conv, "conversation:" + conv, true, true},
		{"conversation update by unique name", "POST", "/v1/Conversations/my%20room", "conversation:my%20room", true, true},
		{"participant create", "POST", "/v1/Conversations/" + conv + "/Participants", "conversation:" + conv, true, true},
		{"participant delete", "DELETE", "/v1/Services/" + svc + "/Conversations/" + conv + "/Participants/MBaaaa", "conversation:" + conv, true, true},
		{"message create", "POST", "/v1/Conversations/" + conv + "/Messages", "conversation:" + conv, true, true},
		{"message update", "POST", "/v1/Conversations/" + conv + "/Messages/IMaaaa", "conversation:" + conv, true, true},
		{"message delete", "DELETE", "/v1/Conversations/" + conv + "/Messages/IMaaaa", "conversation:" + conv, true, true},
		{"user create", "POST", "/v1/Users", "service:default", true, true},
		{"user delete in a service", "DELETE", "/v1/Services/" + svc + "/Users/alice", "service:" + svc, true, true},
		{"user conversation update", "POST", "/v1/Users/alice/Conversations/" + conv, "service:default", true, true},
		{"role update", "POST", "/v1/Services/" + svc + "/Roles/RLaaaa", "service:" + svc, true, true},
		{"conversation webhook create (undocumented)", "POST", "/v1/Conversations/" + conv + "/Webhooks", "conversation:" + conv, false, true},
		{"service create (undocumented)", "POST", "/v1/Services", "service:default", false, true},
		{"service delete (undocumented)", "DELETE", "/v1/Services/" + svc, "service:" + svc, false, true},
		{"configuration update (undocumented)", "POST", "/v1/Configuration", "service:default", false, true},
		{"service configuration (undocumented)", "POST", "/v1/Services/" + svc + "/Configuration/Notifications", "service:" + svc, false, true},
		{"credential create (undocumented)", "POST", "/v1/Credentials", "service:default", false, true},
		{"binding delete (undocumented)", "DELETE", "/v1/Services/" + svc + "/Bindings/BSaaaa", "service:" + svc, false, true},
		{"message read", "GET", "/v1/Conversations/" + conv + "/Messages", "", false, false},
		{"receipts read", "GET", "/v1/Conversations/" + conv + "/Messages/IMaaaa/Receipts", "", false, false},
		{"conversation list", "GET", "/v1/Conversations", "", false, false},
		{"not the API", "POST", "/_emulator/inbound", "", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			scope, documented, ok := Classify(tt.method, tt.path)
			assert.Equal(t, tt.scope, scope)
			assert.Equal(t, tt.documented, documented, "documented")
			assert.Equal(t, tt.ok, ok, "counted")
		})
	}
}
