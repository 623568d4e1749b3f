package main

import (
	"context"
	"strings"
	"testing"

	"github.com/conversations-go/conversations"
	"github.com/conversations-go/conversations/conversationstest"
)

func TestAutoCreationAgainstEmulator(t *testing.T) {
	var out strings.Builder
	if err := run(context.Background(), &out, func(string) string { return "" }); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	got := out.String()
	for _, want := range []string{
		"TWILIO_ACCOUNT_SID is not set: running against the local emulator at http://127.0.0.1:",
		"auto-creation true, type webhook, webhook http://127.0.0.1:",
		"/conversation-events [onParticipantAdded onMessageAdded]",
		"the scoped webhook received onParticipantAdded, onMessageAdded",
		"+15558675310 texted +15017122661: the emulator created conversation CH",
		"(active) in service IS", "participant MB", ": +15558675310 via +15017122661",
		`message #0 from +15558675310: "Hi, where is my order #1042?"`,
		"POST http://127.0.0.1:",
		"as message #1", "deleted address configuration IG",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}

// TestConfigureAddressTwice: a second run finds the existing configuration
// of the address and updates it, instead of failing on the duplicate.
func TestConfigureAddressTwice(t *testing.T) {
	emu := conversationstest.NewServer()
	defer emu.Close()
	ctx := context.Background()
	client, err := emu.Client()
	if err != nil {
		t.Fatal(err)
	}
	params := func(hook string) *conversations.AddressCreateParams {
		return &conversations.AddressCreateParams{Type: conversations.AddressSMS, Address: "+15017122661",
			AutoCreation: conversations.AddressAutoCreationParams{Enabled: conversations.Ptr(true),
				Type: conversations.AutoCreationWebhook, WebhookURL: hook}}
	}
	// Another channel's configuration is not taken for this one.
	if _, err := client.Addresses.Create(ctx, &conversations.AddressCreateParams{
		Type: conversations.AddressWhatsApp, Address: "whatsapp:+15017122661"}); err != nil {
		t.Fatal(err)
	}
	first, created, err := configureAddress(ctx, client, params("https://example.com/one"))
	if err != nil || !created {
		t.Fatalf("first: created %v, %v", created, err)
	}
	second, created, err := configureAddress(ctx, client, params("https://example.com/two"))
	if err != nil || created {
		t.Fatalf("second: created %v, %v", created, err)
	}
	if second.SID != first.SID || second.AutoCreation.WebhookURL != "https://example.com/two" {
		t.Errorf("second run: %s %s, want %s updated to https://example.com/two", second.SID, second.AutoCreation.WebhookURL, first.SID)
	}
	// An error that is not a duplicate is returned as is.
	if _, _, err := configureAddress(ctx, client, &conversations.AddressCreateParams{Type: conversations.AddressSMS}); err == nil {
		t.Error("an invalid configuration is not an error")
	}
}
