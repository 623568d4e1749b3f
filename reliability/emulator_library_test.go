package reliability_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/conversations-go/conversations"
	"github.com/conversations-go/conversations/conversationstest"
)

// TestLibraryOnEmulatorIssue13 drives the fixes of issue 13's emulator items
// that a library user meets through the public client: a Group MMS
// conversation (item 3, library and emulator), character limits counted in
// characters (item 6), WhatsApp read receipts (item 7) and Content template
// messages (item 8). Each records a row of the figures.
func TestLibraryOnEmulatorIssue13(t *testing.T) {
	srv := conversationstest.NewServer()
	defer srv.Close()
	c, err := srv.Client(conversations.WithRetryPolicy(conversations.NoRetries))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	code := func(err error) string {
		var e *conversations.Error
		if errors.As(err, &e) {
			return fmt.Sprintf("%d/%d", e.Status, e.Code)
		}
		if err != nil {
			return "error: " + err.Error()
		}
		return "ok"
	}
	row := func(item, fault, outcome string, ok bool) {
		verdict := "ok"
		if !ok {
			verdict = "FAIL"
		}
		record(figure{Fault: item + " " + fault, Op: "Client on conversationstest", Outcome: outcome + ": " + verdict,
			Attempts: "-", Applied: "-", Elapsed: "-", Conns: "-", BytesRead: "-", Leaked: "-"})
	}

	t.Run("group MMS", func(t *testing.T) {
		const group = "+15559990000"
		conv, err := c.Conversations.Create(ctx, &conversations.ConversationCreateParams{FriendlyName: "group"})
		if err != nil {
			t.Fatal(err)
		}
		_, agentErr := c.Participants.Create(ctx, conv.SID, &conversations.ParticipantCreateParams{
			Identity: "agent", MessagingBindingProjectedAddress: group})
		members := 0
		var memberErr error
		var dupErr error
		for i := 1; i <= 9 && memberErr == nil; i++ {
			if i == 9 { // the group has 9 participants: a duplicate is refused as such
				_, dupErr = c.Participants.Create(ctx, conv.SID, &conversations.ParticipantCreateParams{MessagingBindingAddress: "+15550000001"})
			}
			_, memberErr = c.Participants.Create(ctx, conv.SID, &conversations.ParticipantCreateParams{
				MessagingBindingAddress: fmt.Sprintf("+1555000000%d", i)})
			if memberErr == nil {
				members++
			}
		}
		_, overErr := c.Participants.Create(ctx, conv.SID, &conversations.ParticipantCreateParams{MessagingBindingAddress: "+15550000042"})
		ok := agentErr == nil && members == 9 && code(dupErr) == "409/50437" && code(overErr) == "400/50436"
		if !ok {
			t.Errorf("group MMS: projected-address agent %s, %d/9 address-only members (%v), duplicate %s, 11th %s",
				code(agentErr), members, memberErr, code(dupErr), code(overErr))
		}
		row("#3", "Group MMS: agent with ProjectedAddress only, 9 address-only members, a duplicate, an 11th",
			fmt.Sprintf("agent %s, %d members, duplicate %s, 11th %s", code(agentErr), members, code(dupErr), code(overErr)), ok)
	})

	t.Run("limits in characters", func(t *testing.T) {
		_, okErr := c.Conversations.Create(ctx, &conversations.ConversationCreateParams{FriendlyName: strings.Repeat("é", 256)})
		_, longErr := c.Conversations.Create(ctx, &conversations.ConversationCreateParams{FriendlyName: strings.Repeat("é", 257)})
		ok := okErr == nil && longErr != nil
		if !ok {
			t.Errorf("friendly name of 256 é (512 bytes): %s; of 257: %s", code(okErr), code(longErr))
		}
		row("#6", "FriendlyName of 256 and 257 × \"é\" (2 bytes each)", fmt.Sprintf("256: %s, 257: %s", code(okErr), code(longErr)), ok)
	})

	t.Run("WhatsApp read receipts and ContentSid", func(t *testing.T) {
		conv, err := c.Conversations.Create(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Participants.Create(ctx, conv.SID, &conversations.ParticipantCreateParams{Identity: "agent"}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Participants.Create(ctx, conv.SID, &conversations.ParticipantCreateParams{
			MessagingBindingAddress: "whatsapp:+15550000002", MessagingBindingProxyAddress: "whatsapp:+15559990000"}); err != nil {
			t.Fatal(err)
		}
		m, err := c.Messages.Create(ctx, conv.SID, &conversations.MessageCreateParams{Author: "agent", Body: "Your order shipped"})
		if err != nil {
			t.Fatal(err)
		}
		srv.Flush()
		var statuses []string
		for r, err := range c.Receipts.List(ctx, conv.SID, m.SID, nil) {
			if err != nil {
				t.Fatal(err)
			}
			statuses = append(statuses, string(r.Status))
		}
		readOK := len(statuses) == 1 && statuses[0] == "read"
		if !readOK {
			t.Errorf("WhatsApp receipt statuses %v, want [read]", statuses)
		}
		row("#7", "WhatsApp message delivered to a reader", fmt.Sprintf("receipts %v", statuses), readOK)

		const hx = "HX0123456789abcdef0123456789abcdef"
		cm, err := c.Messages.Create(ctx, conv.SID, &conversations.MessageCreateParams{Author: "agent", Body: "ignored",
			ContentSID: hx, ContentVariables: conversations.ContentVariables{"1": "Ana"}})
		contentOK := err == nil && cm.ContentSID == hx && cm.Body == ""
		if !contentOK {
			t.Errorf("ContentSid message: err %v, %+v; want the content SID and no body", err, cm)
		}
		body := "<error>"
		if cm != nil {
			body = fmt.Sprintf("%q", cm.Body)
		}
		row("#8", "message with ContentSid and a Body", fmt.Sprintf("%s, body %s", code(err), body), contentOK)
	})
}
