// Command users-and-roles shows users and roles in a Conversation Service:
// the default roles a service starts with, a custom conversation role made
// the default for new participants, a user created with attributes, the
// user created implicitly for a chat participant, and the conversations a
// user takes part in.
//
//	go run ./examples/users-and-roles
//
// With TWILIO_ACCOUNT_SID unset it runs against the local emulator
// (conversationstest), started in-process. With TWILIO_ACCOUNT_SID set it
// runs against Twilio, with the credentials of conversations.NewClientFromEnv;
// it creates its own Conversation Service and deletes it at the end.
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"time"

	"github.com/conversations-go/conversations"
	"github.com/conversations-go/conversations/conversationstest"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := run(ctx, os.Stdout, os.Getenv); err != nil {
		log.Fatal(err)
	}
}

// run runs the walk-through, printing each step to w; getenv reads the
// environment.
func run(ctx context.Context, w io.Writer, getenv func(string) string) error {
	var (
		client *conversations.Client
		err    error
	)
	if getenv("TWILIO_ACCOUNT_SID") == "" {
		emu := conversationstest.NewServer()
		defer emu.Close()
		fmt.Fprintf(w, "TWILIO_ACCOUNT_SID is not set: running against the local emulator at %s\n", emu.URL)
		client, err = emu.Client()
	} else {
		client, err = conversations.NewClientFromEnv()
	}
	if err != nil {
		return err
	}
	step := func(format string, args ...any) { fmt.Fprintf(w, "- "+format+"\n", args...) }

	svc, err := client.Services.Create(ctx, &conversations.ServiceCreateParams{FriendlyName: "users-and-roles"})
	if err != nil {
		return fmt.Errorf("create service: %w", err)
	}
	defer func() {
		if err := client.Services.Delete(context.WithoutCancel(ctx), svc.SID); err == nil {
			step("deleted Conversation Service %s", svc.SID)
		}
	}()
	step("created Conversation Service %s", svc.SID)
	scoped := client.Service(svc.SID)

	// 1. The roles every service starts with.
	for r, err := range scoped.Roles.List(ctx, nil) {
		if err != nil {
			return fmt.Errorf("list roles: %w", err)
		}
		step("default role %q (%s): %d permissions", r.FriendlyName, r.Type, len(r.Permissions))
	}

	// 2. A custom conversation role that may only read and send, made the
	// default for new participants.
	guest, err := scoped.Roles.Create(ctx, &conversations.RoleCreateParams{
		FriendlyName: "guest", Type: conversations.RoleTypeConversation,
		Permissions: []string{"sendMessage", "leaveConversation"},
	})
	if err != nil {
		return fmt.Errorf("create role: %w", err)
	}
	step("created role %q with permissions %v", guest.FriendlyName, guest.Permissions)
	if _, err := scoped.Configuration.Update(ctx, &conversations.ServiceConfigurationUpdateParams{DefaultConversationRoleSID: guest.SID}); err != nil {
		return fmt.Errorf("update service configuration: %w", err)
	}
	step("made %q the default role of new participants", guest.FriendlyName)

	// 3. A user created explicitly, with attributes.
	attrs, err := conversations.NewAttributes(map[string]string{"team": "support"})
	if err != nil {
		return err
	}
	agent, err := scoped.Users.Create(ctx, &conversations.UserCreateParams{Identity: "agent-7", FriendlyName: "Agent Seven", Attributes: attrs})
	if err != nil {
		return fmt.Errorf("create user: %w", err)
	}
	step("created user %s (%s), attributes %s", agent.Identity, agent.SID, agent.Attributes)
	if _, err := scoped.Users.Create(ctx, &conversations.UserCreateParams{Identity: "agent-7"}); err != nil {
		step("a second user with the same identity is refused: %v", err)
	}

	// 4. A conversation with the agent and a customer who has no user yet.
	conv, err := scoped.Conversations.Create(ctx, &conversations.ConversationCreateParams{FriendlyName: "Order #1042"})
	if err != nil {
		return fmt.Errorf("create conversation: %w", err)
	}
	for _, id := range []string{"agent-7", "customer-42"} {
		p, err := scoped.Participants.Create(ctx, conv.SID, &conversations.ParticipantCreateParams{Identity: id})
		if err != nil {
			return fmt.Errorf("add %s: %w", id, err)
		}
		step("added %s to %q with role %s (guest: %t)", id, conv.FriendlyName, p.RoleSID, p.RoleSID == guest.SID)
	}
	customer, err := scoped.Users.Fetch(ctx, "customer-42")
	if err != nil {
		return fmt.Errorf("fetch user: %w", err)
	}
	step("user %s exists now (%s), created for the chat participant", customer.Identity, customer.SID)

	// 5. Every user and the conversations of one.
	for u, err := range scoped.Users.List(ctx, nil) {
		if err != nil {
			return fmt.Errorf("list users: %w", err)
		}
		step("user %s", u.Identity)
	}
	for uc, err := range scoped.UserConversations.List(ctx, "agent-7", nil) {
		if err != nil {
			return fmt.Errorf("list user conversations: %w", err)
		}
		step("agent-7 is in %q (%s), notifications %s", uc.FriendlyName, uc.ConversationState, uc.NotificationLevel)
	}

	// 6. Promote the agent to a service admin.
	var admin string
	for r, err := range scoped.Roles.List(ctx, nil) {
		if err != nil {
			return err
		}
		if r.FriendlyName == "service admin" {
			admin = r.SID
		}
	}
	if admin != "" {
		u, err := scoped.Users.Update(ctx, "agent-7", &conversations.UserUpdateParams{RoleSID: admin})
		if err != nil {
			return fmt.Errorf("update user: %w", err)
		}
		step("agent-7 now has the service admin role %s", u.RoleSID)
	}
	return nil
}
