package conversations

// The resource services. Each is a view of the same shared service state
// (the client core and a path prefix), so creating one costs nothing and the
// account-level and service-scoped forms share every method.
type (
	// ServicesService manages Conversation Services (/v1/Services).
	ServicesService service
	// ConversationsService manages conversations (/v1/Conversations).
	ConversationsService service
	// ParticipantsService manages the participants of conversations.
	ParticipantsService service
	// MessagesService manages the messages of conversations.
	MessagesService service
	// ReceiptsService reads the delivery receipts of messages.
	ReceiptsService service
	// ConversationWebhooksService manages conversation-scoped webhooks.
	ConversationWebhooksService service
	// RolesService manages roles.
	RolesService service
	// UsersService manages chat users.
	UsersService service
	// UserConversationsService manages the conversations of a user.
	UserConversationsService service
	// ParticipantConversationsService lists the conversations of a participant.
	ParticipantConversationsService service
	// ConfigurationService manages the account-level configuration.
	ConfigurationService service
	// AddressesService manages address configurations.
	AddressesService service
	// CredentialsService manages push credentials.
	CredentialsService service
	// BindingsService manages a Conversation Service's push bindings.
	BindingsService service
	// ServiceConfigurationService manages a Conversation Service's configuration.
	ServiceConfigurationService service
	// MediaService uploads and reads media on the Media Content Service.
	MediaService service
)
