package conversationstest

import (
	"net/http"
	"strconv"
	"time"
)

// accountConfig is the account's Conversations Configuration: the default
// service and messaging service of the account-level endpoints (kept in
// Emulator.defaultSvc and Emulator.messagingSid) and the default timers
// applied to new conversations that set none.
type accountConfig struct {
	inactiveTimer, closedTimer       time.Duration // 0: none
	inactiveTimerStr, closedTimerStr string        // as given
}

// serviceConfig is a service's Configuration; the default conversation role
// is service.defaultRole.
type serviceConfig struct {
	creatorRole  string // default_conversation_creator_role_sid
	serviceRole  string // default_chat_service_role_sid, given to new users
	reachability bool
}

// notificationJSON is one kind of push notification's settings.
type notificationJSON struct {
	Enabled  bool   `json:"enabled"`
	Template string `json:"template"`
	Sound    string `json:"sound"`
}

type withMediaJSON struct {
	Enabled  bool   `json:"enabled"`
	Template string `json:"template"`
}

type newMessageJSON struct {
	Enabled           bool          `json:"enabled"`
	Template          string        `json:"template"`
	BadgeCountEnabled bool          `json:"badge_count_enabled"`
	Sound             string        `json:"sound"`
	WithMedia         withMediaJSON `json:"with_media"`
}

// serviceNotifications are a service's push notification settings, stored
// as they render.
type serviceNotifications struct {
	LogEnabled              bool             `json:"log_enabled"`
	AddedToConversation     notificationJSON `json:"added_to_conversation"`
	NewMessage              newMessageJSON   `json:"new_message"`
	RemovedFromConversation notificationJSON `json:"removed_from_conversation"`
}

// initService sets up a new service's default roles, configuration and
// notification settings (Twilio's defaults, as in the spec's example). The
// lock must be held.
func (e *Emulator) initService(s *service) {
	e.addDefaultRoles(s)
	s.notify = serviceNotifications{
		AddedToConversation: notificationJSON{true, "You have been added to a Conversation: ${CONVERSATION}", "ring"},
		NewMessage: newMessageJSON{
			Enabled:  true,
			Template: "You have a new message in ${CONVERSATION} from ${PARTICIPANT}: ${MESSAGE}",
			Sound:    "ring",
			WithMedia: withMediaJSON{
				Template: "You have a new message in ${CONVERSATION} with ${MEDIA_COUNT} media files: ${MEDIA}",
			},
		},
		RemovedFromConversation: notificationJSON{true, "You have been removed from a Conversation: ${CONVERSATION}", "ring"},
	}
}

// defaultTimers returns the account's default conversation timers.
func (e *Emulator) defaultTimers() (inactive, closed time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.acct.inactiveTimer, e.acct.closedTimer
}

// applyDefaultTimers gives a conversation being created the account's
// default timers for the ones its request did not set.
func (e *Emulator) applyDefaultTimers(conv *conversation, in conversationInput) {
	inactive, closed := e.defaultTimers()
	if in.inactive == nil && inactive > 0 {
		conv.inactiveTimer = inactive
	}
	if in.closed == nil && closed > 0 {
		conv.closedTimer = closed
	}
}

func (e *Emulator) configurationRoutes() {
	e.handle("GET", "/v1/Configuration", e.fetchConfiguration)
	e.handle("POST", "/v1/Configuration", e.updateConfiguration)
	e.handle("GET", "/v1/Services/{ChatServiceSid}/Configuration", e.fetchServiceConfiguration)
	e.handle("POST", "/v1/Services/{ChatServiceSid}/Configuration", e.updateServiceConfiguration)
	e.handle("GET", "/v1/Services/{ChatServiceSid}/Configuration/Notifications", e.fetchNotifications)
	e.handle("POST", "/v1/Services/{ChatServiceSid}/Configuration/Notifications", e.updateNotifications)
}

type configurationJSON struct {
	AccountSid                 string            `json:"account_sid"`
	DefaultChatServiceSid      string            `json:"default_chat_service_sid"`
	DefaultMessagingServiceSid string            `json:"default_messaging_service_sid"`
	DefaultInactiveTimer       *string           `json:"default_inactive_timer"`
	DefaultClosedTimer         *string           `json:"default_closed_timer"`
	URL                        string            `json:"url"`
	Links                      map[string]string `json:"links"`
}

func (e *Emulator) renderConfiguration(c *call) any {
	return configurationJSON{
		AccountSid:                 e.cfg.accountSID,
		DefaultChatServiceSid:      e.defaultSvc.sid,
		DefaultMessagingServiceSid: e.messagingSid,
		DefaultInactiveTimer:       strOrNil(e.acct.inactiveTimerStr),
		DefaultClosedTimer:         strOrNil(e.acct.closedTimerStr),
		URL:                        c.base + "/v1/Configuration",
		Links: map[string]string{
			"service":  c.base + "/v1/Services/" + e.defaultSvc.sid + "/Configuration",
			"webhooks": c.base + "/v1/Configuration/Webhooks",
		},
	}
}

func (e *Emulator) fetchConfiguration(c *call) (int, any, error) {
	e.lock()
	defer e.unlock()
	return http.StatusOK, e.renderConfiguration(c), nil
}

// updateConfiguration sets the account defaults. DefaultChatServiceSid
// makes that service the one the account-level /v1/... endpoints use;
// DefaultInactiveTimer (at least 1 minute) and DefaultClosedTimer (at least
// 10 minutes) apply to conversations created later without timers; PT0S
// clears them.
func (e *Emulator) updateConfiguration(c *call) (int, any, error) {
	timer := func(name string, minimum time.Duration, code int) (*time.Duration, error) {
		if !c.has(name) {
			return nil, nil
		}
		d, ok := parseISODuration(c.param(name))
		if !ok {
			return nil, badRequest(codeTimerFormat, "%s must be an ISO 8601 duration, got %q", name, c.param(name))
		}
		if d != 0 && d < minimum {
			return nil, badRequest(code, "%s must be at least %s", name, minimum)
		}
		if d > maxTimer {
			return nil, badRequest(codeTimerFormat, "%s must be at most 100 years, got %q", name, c.param(name))
		}
		return &d, nil
	}
	inactive, err := timer("DefaultInactiveTimer", time.Minute, codeInactiveTimer)
	if err != nil {
		return 0, nil, err
	}
	closed, err := timer("DefaultClosedTimer", 10*time.Minute, codeClosedTimer)
	if err != nil {
		return 0, nil, err
	}
	ms := c.optParam("DefaultMessagingServiceSid")
	if ms != nil && !isSID(*ms, "MG") {
		return 0, nil, invalidParam("DefaultMessagingServiceSid", *ms)
	}
	e.lock()
	defer e.unlock()
	svc := e.defaultSvc
	if v := c.optParam("DefaultChatServiceSid"); v != nil {
		s, ok := e.services.get(*v)
		if !ok {
			return 0, nil, invalidParam("DefaultChatServiceSid", *v)
		}
		svc = s
	}
	e.defaultSvc = svc
	if ms != nil {
		e.messagingSid = *ms
	}
	if inactive != nil {
		e.acct.inactiveTimer, e.acct.inactiveTimerStr = *inactive, c.param("DefaultInactiveTimer")
		if *inactive == 0 {
			e.acct.inactiveTimerStr = ""
		}
	}
	if closed != nil {
		e.acct.closedTimer, e.acct.closedTimerStr = *closed, c.param("DefaultClosedTimer")
		if *closed == 0 {
			e.acct.closedTimerStr = ""
		}
	}
	return http.StatusOK, e.renderConfiguration(c), nil
}

type serviceConfigurationJSON struct {
	ChatServiceSid                    string            `json:"chat_service_sid"`
	DefaultConversationCreatorRoleSid *string           `json:"default_conversation_creator_role_sid"`
	DefaultConversationRoleSid        *string           `json:"default_conversation_role_sid"`
	DefaultChatServiceRoleSid         *string           `json:"default_chat_service_role_sid"`
	ReachabilityEnabled               bool              `json:"reachability_enabled"`
	URL                               string            `json:"url"`
	Links                             map[string]string `json:"links"`
}

func (e *Emulator) renderServiceConfiguration(c *call, svc *service) any {
	u := c.base + "/v1/Services/" + svc.sid + "/Configuration"
	return serviceConfigurationJSON{
		ChatServiceSid:                    svc.sid,
		DefaultConversationCreatorRoleSid: strOrNil(svc.config.creatorRole),
		DefaultConversationRoleSid:        strOrNil(svc.defaultRole),
		DefaultChatServiceRoleSid:         strOrNil(svc.config.serviceRole),
		ReachabilityEnabled:               svc.config.reachability,
		URL:                               u,
		Links:                             map[string]string{"notifications": u + "/Notifications", "webhooks": u + "/Webhooks"},
	}
}

func (e *Emulator) fetchServiceConfiguration(c *call) (int, any, error) {
	e.lock()
	defer e.unlock()
	svc, err := c.service()
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, e.renderServiceConfiguration(c, svc), nil
}

// updateServiceConfiguration sets the default roles (each must be a role of
// the service of the right type: conversation for the two conversation
// roles, service for the chat service role) and the Reachability Indicator.
// The default conversation role is what chat participants get.
func (e *Emulator) updateServiceConfiguration(c *call) (int, any, error) {
	var reach *bool
	if c.has("ReachabilityEnabled") {
		b, err := strconv.ParseBool(c.param("ReachabilityEnabled"))
		if err != nil {
			return 0, nil, invalidParam("ReachabilityEnabled", c.param("ReachabilityEnabled"))
		}
		reach = &b
	}
	e.lock()
	defer e.unlock()
	svc, err := c.service()
	if err != nil {
		return 0, nil, err
	}
	cfg, convRole := svc.config, svc.defaultRole
	for _, f := range []struct {
		name, typ string
		dst       *string
	}{
		{"DefaultConversationCreatorRoleSid", "conversation", &cfg.creatorRole},
		{"DefaultConversationRoleSid", "conversation", &convRole},
		{"DefaultChatServiceRoleSid", "service", &cfg.serviceRole},
	} {
		v := c.param(f.name)
		if v == "" {
			continue
		}
		if r, ok := svc.roles.get(v); !ok || r.typ != f.typ {
			return 0, nil, badRequest(codeInvalidParam, "%s %s is not a %s role of %s", f.name, v, f.typ, svc.sid)
		}
		*f.dst = v
	}
	if reach != nil {
		cfg.reachability = *reach
	}
	svc.config, svc.defaultRole = cfg, convRole
	return http.StatusOK, e.renderServiceConfiguration(c, svc), nil
}

type notificationsJSON struct {
	AccountSid     string `json:"account_sid"`
	ChatServiceSid string `json:"chat_service_sid"`
	serviceNotifications
	URL string `json:"url"`
}

func (e *Emulator) renderNotifications(c *call, svc *service) any {
	return notificationsJSON{
		AccountSid:           e.cfg.accountSID,
		ChatServiceSid:       svc.sid,
		serviceNotifications: svc.notify,
		URL:                  c.base + "/v1/Services/" + svc.sid + "/Configuration/Notifications",
	}
}

func (e *Emulator) fetchNotifications(c *call) (int, any, error) {
	e.lock()
	defer e.unlock()
	svc, err := c.service()
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, e.renderNotifications(c, svc), nil
}

// updateNotifications stores the notification settings sent; the emulator
// sends no push notifications.
func (e *Emulator) updateNotifications(c *call) (int, any, error) {
	e.lock()
	defer e.unlock()
	svc, err := c.service()
	if err != nil {
		return 0, nil, err
	}
	n := svc.notify
	bools := map[string]*bool{
		"LogEnabled":                      &n.LogEnabled,
		"NewMessage.Enabled":              &n.NewMessage.Enabled,
		"NewMessage.BadgeCountEnabled":    &n.NewMessage.BadgeCountEnabled,
		"NewMessage.WithMedia.Enabled":    &n.NewMessage.WithMedia.Enabled,
		"AddedToConversation.Enabled":     &n.AddedToConversation.Enabled,
		"RemovedFromConversation.Enabled": &n.RemovedFromConversation.Enabled,
	}
	for name, dst := range bools {
		if !c.has(name) {
			continue
		}
		b, err := strconv.ParseBool(c.param(name))
		if err != nil {
			return 0, nil, invalidParam(name, c.param(name))
		}
		*dst = b
	}
	strs := map[string]*string{
		"NewMessage.Template":              &n.NewMessage.Template,
		"NewMessage.Sound":                 &n.NewMessage.Sound,
		"NewMessage.WithMedia.Template":    &n.NewMessage.WithMedia.Template,
		"AddedToConversation.Template":     &n.AddedToConversation.Template,
		"AddedToConversation.Sound":        &n.AddedToConversation.Sound,
		"RemovedFromConversation.Template": &n.RemovedFromConversation.Template,
		"RemovedFromConversation.Sound":    &n.RemovedFromConversation.Sound,
	}
	for name, dst := range strs {
		if v := c.optParam(name); v != nil {
			*dst = *v
		}
	}
	svc.notify = n
	return http.StatusOK, e.renderNotifications(c, svc), nil
}
