package conversations

import (
	"strings"
	"sync"
)

// operation names an API operation for telemetry: its name and the path
// template of its url.template attribute.
type operation struct {
	name     string // the spec's operationId, such as CreateConversationMessage
	method   string
	template string // the spec's path, such as /v1/Conversations/{ConversationSid}/Messages
}

// operationsTable lists the Conversations API's operations as Twilio's
// OpenAPI description names them (operationId, method, path);
// TestTelemetryOperationNames checks it against the spec and against the
// public method reaching each operation.
var operationsTable = [...]operation{
	{"FetchConfiguration", "GET", "/v1/Configuration"},
	{"UpdateConfiguration", "POST", "/v1/Configuration"},
	{"ListConfigurationAddress", "GET", "/v1/Configuration/Addresses"},
	{"CreateConfigurationAddress", "POST", "/v1/Configuration/Addresses"},
	{"DeleteConfigurationAddress", "DELETE", "/v1/Configuration/Addresses/{Sid}"},
	{"FetchConfigurationAddress", "GET", "/v1/Configuration/Addresses/{Sid}"},
	{"UpdateConfigurationAddress", "POST", "/v1/Configuration/Addresses/{Sid}"},
	{"FetchConfigurationWebhook", "GET", "/v1/Configuration/Webhooks"},
	{"UpdateConfigurationWebhook", "POST", "/v1/Configuration/Webhooks"},
	{"CreateConversationWithParticipants", "POST", "/v1/ConversationWithParticipants"},
	{"ListConversation", "GET", "/v1/Conversations"},
	{"CreateConversation", "POST", "/v1/Conversations"},
	{"ListConversationMessage", "GET", "/v1/Conversations/{ConversationSid}/Messages"},
	{"CreateConversationMessage", "POST", "/v1/Conversations/{ConversationSid}/Messages"},
	{"ListConversationMessageReceipt", "GET", "/v1/Conversations/{ConversationSid}/Messages/{MessageSid}/Receipts"},
	{"FetchConversationMessageReceipt", "GET", "/v1/Conversations/{ConversationSid}/Messages/{MessageSid}/Receipts/{Sid}"},
	{"DeleteConversationMessage", "DELETE", "/v1/Conversations/{ConversationSid}/Messages/{Sid}"},
	{"FetchConversationMessage", "GET", "/v1/Conversations/{ConversationSid}/Messages/{Sid}"},
	{"UpdateConversationMessage", "POST", "/v1/Conversations/{ConversationSid}/Messages/{Sid}"},
	{"ListConversationParticipant", "GET", "/v1/Conversations/{ConversationSid}/Participants"},
	{"CreateConversationParticipant", "POST", "/v1/Conversations/{ConversationSid}/Participants"},
	{"DeleteConversationParticipant", "DELETE", "/v1/Conversations/{ConversationSid}/Participants/{Sid}"},
	{"FetchConversationParticipant", "GET", "/v1/Conversations/{ConversationSid}/Participants/{Sid}"},
	{"UpdateConversationParticipant", "POST", "/v1/Conversations/{ConversationSid}/Participants/{Sid}"},
	{"ListConversationScopedWebhook", "GET", "/v1/Conversations/{ConversationSid}/Webhooks"},
	{"CreateConversationScopedWebhook", "POST", "/v1/Conversations/{ConversationSid}/Webhooks"},
	{"DeleteConversationScopedWebhook", "DELETE", "/v1/Conversations/{ConversationSid}/Webhooks/{Sid}"},
	{"FetchConversationScopedWebhook", "GET", "/v1/Conversations/{ConversationSid}/Webhooks/{Sid}"},
	{"UpdateConversationScopedWebhook", "POST", "/v1/Conversations/{ConversationSid}/Webhooks/{Sid}"},
	{"DeleteConversation", "DELETE", "/v1/Conversations/{Sid}"},
	{"FetchConversation", "GET", "/v1/Conversations/{Sid}"},
	{"UpdateConversation", "POST", "/v1/Conversations/{Sid}"},
	{"ListCredential", "GET", "/v1/Credentials"},
	{"CreateCredential", "POST", "/v1/Credentials"},
	{"DeleteCredential", "DELETE", "/v1/Credentials/{Sid}"},
	{"FetchCredential", "GET", "/v1/Credentials/{Sid}"},
	{"UpdateCredential", "POST", "/v1/Credentials/{Sid}"},
	{"ListParticipantConversation", "GET", "/v1/ParticipantConversations"},
	{"ListRole", "GET", "/v1/Roles"},
	{"CreateRole", "POST", "/v1/Roles"},
	{"DeleteRole", "DELETE", "/v1/Roles/{Sid}"},
	{"FetchRole", "GET", "/v1/Roles/{Sid}"},
	{"UpdateRole", "POST", "/v1/Roles/{Sid}"},
	{"ListService", "GET", "/v1/Services"},
	{"CreateService", "POST", "/v1/Services"},
	{"ListServiceBinding", "GET", "/v1/Services/{ChatServiceSid}/Bindings"},
	{"DeleteServiceBinding", "DELETE", "/v1/Services/{ChatServiceSid}/Bindings/{Sid}"},
	{"FetchServiceBinding", "GET", "/v1/Services/{ChatServiceSid}/Bindings/{Sid}"},
	{"FetchServiceConfiguration", "GET", "/v1/Services/{ChatServiceSid}/Configuration"},
	{"UpdateServiceConfiguration", "POST", "/v1/Services/{ChatServiceSid}/Configuration"},
	{"FetchServiceNotification", "GET", "/v1/Services/{ChatServiceSid}/Configuration/Notifications"},
	{"UpdateServiceNotification", "POST", "/v1/Services/{ChatServiceSid}/Configuration/Notifications"},
	{"FetchServiceWebhookConfiguration", "GET", "/v1/Services/{ChatServiceSid}/Configuration/Webhooks"},
	{"UpdateServiceWebhookConfiguration", "POST", "/v1/Services/{ChatServiceSid}/Configuration/Webhooks"},
	{"CreateServiceConversationWithParticipants", "POST", "/v1/Services/{ChatServiceSid}/ConversationWithParticipants"},
	{"ListServiceConversation", "GET", "/v1/Services/{ChatServiceSid}/Conversations"},
	{"CreateServiceConversation", "POST", "/v1/Services/{ChatServiceSid}/Conversations"},
	{"ListServiceConversationMessage", "GET", "/v1/Services/{ChatServiceSid}/Conversations/{ConversationSid}/Messages"},
	{"CreateServiceConversationMessage", "POST", "/v1/Services/{ChatServiceSid}/Conversations/{ConversationSid}/Messages"},
	{"ListServiceConversationMessageReceipt", "GET", "/v1/Services/{ChatServiceSid}/Conversations/{ConversationSid}/Messages/{MessageSid}/Receipts"},
	{"FetchServiceConversationMessageReceipt", "GET", "/v1/Services/{ChatServiceSid}/Conversations/{ConversationSid}/Messages/{MessageSid}/Receipts/{Sid}"},
	{"DeleteServiceConversationMessage", "DELETE", "/v1/Services/{ChatServiceSid}/Conversations/{ConversationSid}/Messages/{Sid}"},
	{"FetchServiceConversationMessage", "GET", "/v1/Services/{ChatServiceSid}/Conversations/{ConversationSid}/Messages/{Sid}"},
	{"UpdateServiceConversationMessage", "POST", "/v1/Services/{ChatServiceSid}/Conversations/{ConversationSid}/Messages/{Sid}"},
	{"ListServiceConversationParticipant", "GET", "/v1/Services/{ChatServiceSid}/Conversations/{ConversationSid}/Participants"},
	{"CreateServiceConversationParticipant", "POST", "/v1/Services/{ChatServiceSid}/Conversations/{ConversationSid}/Participants"},
	{"DeleteServiceConversationParticipant", "DELETE", "/v1/Services/{ChatServiceSid}/Conversations/{ConversationSid}/Participants/{Sid}"},
	{"FetchServiceConversationParticipant", "GET", "/v1/Services/{ChatServiceSid}/Conversations/{ConversationSid}/Participants/{Sid}"},
	{"UpdateServiceConversationParticipant", "POST", "/v1/Services/{ChatServiceSid}/Conversations/{ConversationSid}/Participants/{Sid}"},
	{"ListServiceConversationScopedWebhook", "GET", "/v1/Services/{ChatServiceSid}/Conversations/{ConversationSid}/Webhooks"},
	{"CreateServiceConversationScopedWebhook", "POST", "/v1/Services/{ChatServiceSid}/Conversations/{ConversationSid}/Webhooks"},
	{"DeleteServiceConversationScopedWebhook", "DELETE", "/v1/Services/{ChatServiceSid}/Conversations/{ConversationSid}/Webhooks/{Sid}"},
	{"FetchServiceConversationScopedWebhook", "GET", "/v1/Services/{ChatServiceSid}/Conversations/{ConversationSid}/Webhooks/{Sid}"},
	{"UpdateServiceConversationScopedWebhook", "POST", "/v1/Services/{ChatServiceSid}/Conversations/{ConversationSid}/Webhooks/{Sid}"},
	{"DeleteServiceConversation", "DELETE", "/v1/Services/{ChatServiceSid}/Conversations/{Sid}"},
	{"FetchServiceConversation", "GET", "/v1/Services/{ChatServiceSid}/Conversations/{Sid}"},
	{"UpdateServiceConversation", "POST", "/v1/Services/{ChatServiceSid}/Conversations/{Sid}"},
	{"ListServiceParticipantConversation", "GET", "/v1/Services/{ChatServiceSid}/ParticipantConversations"},
	{"ListServiceRole", "GET", "/v1/Services/{ChatServiceSid}/Roles"},
	{"CreateServiceRole", "POST", "/v1/Services/{ChatServiceSid}/Roles"},
	{"DeleteServiceRole", "DELETE", "/v1/Services/{ChatServiceSid}/Roles/{Sid}"},
	{"FetchServiceRole", "GET", "/v1/Services/{ChatServiceSid}/Roles/{Sid}"},
	{"UpdateServiceRole", "POST", "/v1/Services/{ChatServiceSid}/Roles/{Sid}"},
	{"ListServiceUser", "GET", "/v1/Services/{ChatServiceSid}/Users"},
	{"CreateServiceUser", "POST", "/v1/Services/{ChatServiceSid}/Users"},
	{"DeleteServiceUser", "DELETE", "/v1/Services/{ChatServiceSid}/Users/{Sid}"},
	{"FetchServiceUser", "GET", "/v1/Services/{ChatServiceSid}/Users/{Sid}"},
	{"UpdateServiceUser", "POST", "/v1/Services/{ChatServiceSid}/Users/{Sid}"},
	{"ListServiceUserConversation", "GET", "/v1/Services/{ChatServiceSid}/Users/{UserSid}/Conversations"},
	{"DeleteServiceUserConversation", "DELETE", "/v1/Services/{ChatServiceSid}/Users/{UserSid}/Conversations/{ConversationSid}"},
	{"FetchServiceUserConversation", "GET", "/v1/Services/{ChatServiceSid}/Users/{UserSid}/Conversations/{ConversationSid}"},
	{"UpdateServiceUserConversation", "POST", "/v1/Services/{ChatServiceSid}/Users/{UserSid}/Conversations/{ConversationSid}"},
	{"DeleteService", "DELETE", "/v1/Services/{Sid}"},
	{"FetchService", "GET", "/v1/Services/{Sid}"},
	{"ListUser", "GET", "/v1/Users"},
	{"CreateUser", "POST", "/v1/Users"},
	{"DeleteUser", "DELETE", "/v1/Users/{Sid}"},
	{"FetchUser", "GET", "/v1/Users/{Sid}"},
	{"UpdateUser", "POST", "/v1/Users/{Sid}"},
	{"ListUserConversation", "GET", "/v1/Users/{UserSid}/Conversations"},
	{"DeleteUserConversation", "DELETE", "/v1/Users/{UserSid}/Conversations/{ConversationSid}"},
	{"FetchUserConversation", "GET", "/v1/Users/{UserSid}/Conversations/{ConversationSid}"},
	{"UpdateUserConversation", "POST", "/v1/Users/{UserSid}/Conversations/{ConversationSid}"},
}

// The operations on the Media Content Service, which has no OpenAPI
// description: their names are this library's, in the spec's style.
var (
	opUploadMedia  = &operation{"CreateServiceMedia", "POST", "/v1/Services/{ChatServiceSid}/Media"}
	opFetchMedia   = &operation{"FetchServiceMedia", "GET", "/v1/Services/{ChatServiceSid}/Media/{Sid}"}
	opMediaContent = &operation{"FetchMediaContent", "GET", ""} // a pre-signed URL: no template
	opUnknown      = &operation{"ConversationsRequest", "", ""}
)

// operationKey finds an operation from what a call knows: its method,
// whether it is scoped to a Conversation Service, and the path template
// below the scope.
type operationKey struct {
	method string
	scoped bool
	tmpl   string
}

// scopedPrefix is the path prefix of the service-scoped operations.
const scopedPrefix = "/v1/Services/{ChatServiceSid}/"

var operationIndex = sync.OnceValue(func() map[operationKey]*operation {
	m := make(map[operationKey]*operation, len(operationsTable))
	for i := range operationsTable {
		op := &operationsTable[i]
		k := operationKey{method: op.method, tmpl: strings.TrimPrefix(op.template, "/v1/")}
		if rest, ok := strings.CutPrefix(op.template, scopedPrefix); ok {
			k = operationKey{method: op.method, scoped: true, tmpl: rest}
		}
		m[k] = op
	}
	return m
})

// lookupOperation returns the operation of a call, or a generic one for a
// call the table does not know (there is none; a test checks it).
func lookupOperation(method string, scoped bool, tmpl string) *operation {
	if op := operationIndex()[operationKey{method, scoped, tmpl}]; op != nil {
		return op
	}
	return opUnknown
}
