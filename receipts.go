package conversations

import (
	"context"
	"iter"
	"net/http"
	"time"
)

// Receipt is the delivery receipt of a message to one non-chat participant
// (SMS, WhatsApp...): its delivery status on that channel.
type Receipt struct {
	SID             string `json:"sid"`
	AccountSID      string `json:"account_sid"`
	ChatServiceSID  string `json:"chat_service_sid"`
	ConversationSID string `json:"conversation_sid"`
	MessageSID      string `json:"message_sid"`
	// ChannelMessageSID is the SID of the message on its channel, such as
	// an SM... Programmable Messaging SID.
	ChannelMessageSID string `json:"channel_message_sid"`
	ParticipantSID    string `json:"participant_sid"`
	// Status is the delivery status; failed and undelivered come with an
	// ErrorCode.
	Status DeliveryStatus `json:"status"`
	// ErrorCode is the Twilio error code of a failed delivery, 0 if none.
	ErrorCode   int       `json:"error_code"`
	DateCreated time.Time `json:"date_created"`
	DateUpdated time.Time `json:"date_updated"`
	URL         string    `json:"url"`
}

// List iterates over the delivery receipts of a message.
//
// A page holds at most 50 items (a larger PageSize is clamped); params.Limit
// ends the list early.
//
// GET /v1/Conversations/{ConversationSid}/Messages/{MessageSid}/Receipts
func (s *ReceiptsService) List(ctx context.Context, conversationSID, messageSID string, params *ListParams) iter.Seq2[*Receipt, error] {
	return listAll[Receipt](ctx, (*service)(s), "Conversations/{ConversationSid}/Messages/{MessageSid}/Receipts", "delivery_receipts", 50, params, conversationSID, messageSID)
}

// Pager reads the delivery receipts of a message one page at a time.
//
// A page holds at most 50 items; params.Limit ends the list early.
func (s *ReceiptsService) Pager(conversationSID, messageSID string, params *ListParams) *Pager[Receipt] {
	return newPager[Receipt]((*service)(s), "Conversations/{ConversationSid}/Messages/{MessageSid}/Receipts", "delivery_receipts", 50, params, conversationSID, messageSID)
}

// Fetch fetches a delivery receipt of a message by SID (DY...).
//
// GET /v1/Conversations/{ConversationSid}/Messages/{MessageSid}/Receipts/{Sid}
func (s *ReceiptsService) Fetch(ctx context.Context, conversationSID, messageSID, sid string) (*Receipt, error) {
	return doCall[Receipt](ctx, (*service)(s), http.MethodGet, "Conversations/{ConversationSid}/Messages/{MessageSid}/Receipts/{Sid}", nil, conversationSID, messageSID, sid)
}
