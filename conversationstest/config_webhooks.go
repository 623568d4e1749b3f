package conversationstest

import (
	"net/http"
	"strings"
)

type globalWebhooksJSON struct {
	AccountSid     string   `json:"account_sid"`
	PreWebhookURL  *string  `json:"pre_webhook_url"`
	PostWebhookURL *string  `json:"post_webhook_url"`
	Method         string   `json:"method"`
	Filters        []string `json:"filters"`
	Target         string   `json:"target"`
	URL            string   `json:"url"`
}

type serviceWebhooksJSON struct {
	AccountSid     string   `json:"account_sid"`
	ChatServiceSid string   `json:"chat_service_sid"`
	PreWebhookURL  *string  `json:"pre_webhook_url"`
	PostWebhookURL *string  `json:"post_webhook_url"`
	Filters        []string `json:"filters"`
	Method         *string  `json:"method"`
	URL            string   `json:"url"`
}

func (e *Emulator) webhookConfigRoutes() {
	e.handle("GET", "/v1/Configuration/Webhooks", e.fetchGlobalWebhooks)
	e.handle("POST", "/v1/Configuration/Webhooks", e.updateGlobalWebhooks)
	e.handle("GET", "/v1/Services/{ChatServiceSid}/Configuration/Webhooks", e.fetchServiceWebhooks)
	e.handle("POST", "/v1/Services/{ChatServiceSid}/Configuration/Webhooks", e.updateServiceWebhooks)
}

// updateHookConfig applies Method, Filters, PreWebhookUrl and PostWebhookUrl.
func (c *call) updateHookConfig(h *hookConfig) error {
	if c.has("Method") {
		m := strings.ToUpper(c.param("Method"))
		if m != "GET" && m != "POST" {
			return invalidParam("Method", c.param("Method"))
		}
		h.method = m
	}
	if c.has("Filters") {
		h.filters = make([]string, 0, len(c.form["Filters"]))
		for _, f := range c.form["Filters"] {
			if f != "" {
				h.filters = append(h.filters, f)
			}
		}
	}
	// Twilio documents no limit here: the conversation webhook's 512
	// characters, answered with 20001, is the emulator's assumption.
	for _, name := range []string{"PreWebhookUrl", "PostWebhookUrl"} {
		if err := checkWebhookURL(name, c.param(name), codeInvalidParam); err != nil {
			return err
		}
	}
	if c.has("PreWebhookUrl") {
		h.preURL = c.param("PreWebhookUrl")
	}
	if c.has("PostWebhookUrl") {
		h.postURL = c.param("PostWebhookUrl")
	}
	return nil
}

func (e *Emulator) renderGlobalWebhooks(c *call) any {
	h := &e.globalHooks
	return globalWebhooksJSON{
		AccountSid:     e.cfg.accountSID,
		PreWebhookURL:  strOrNil(h.preURL),
		PostWebhookURL: strOrNil(h.postURL),
		Method:         h.method,
		Filters:        h.filters,
		Target:         h.target,
		URL:            c.base + "/v1/Configuration/Webhooks",
	}
}

func (e *Emulator) fetchGlobalWebhooks(c *call) (int, any, error) {
	e.lock()
	defer e.unlock()
	return http.StatusOK, e.renderGlobalWebhooks(c), nil
}

func (e *Emulator) updateGlobalWebhooks(c *call) (int, any, error) {
	target := c.param("Target")
	if c.has("Target") && target != "webhook" && target != "flex" {
		return 0, nil, invalidParam("Target", target)
	}
	e.lock()
	defer e.unlock()
	h := e.globalHooks
	if err := c.updateHookConfig(&h); err != nil {
		return 0, nil, err
	}
	if c.has("Target") {
		h.target = target
	}
	e.globalHooks = h
	return http.StatusOK, e.renderGlobalWebhooks(c), nil
}

func (e *Emulator) renderServiceWebhooks(c *call, svc *service) any {
	h := &svc.hooks
	return serviceWebhooksJSON{
		AccountSid:     e.cfg.accountSID,
		ChatServiceSid: svc.sid,
		PreWebhookURL:  strOrNil(h.preURL),
		PostWebhookURL: strOrNil(h.postURL),
		Filters:        h.filters,
		Method:         strOrNil(h.method),
		URL:            c.base + "/v1/Services/" + svc.sid + "/Configuration/Webhooks",
	}
}

func (e *Emulator) fetchServiceWebhooks(c *call) (int, any, error) {
	e.lock()
	defer e.unlock()
	svc, err := c.service()
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, e.renderServiceWebhooks(c, svc), nil
}

func (e *Emulator) updateServiceWebhooks(c *call) (int, any, error) {
	e.lock()
	defer e.unlock()
	svc, err := c.service()
	if err != nil {
		return 0, nil, err
	}
	h := svc.hooks
	if err := c.updateHookConfig(&h); err != nil {
		return 0, nil, err
	}
	if h.method == "" {
		h.method = "POST"
	}
	svc.hooks = h
	return http.StatusOK, e.renderServiceWebhooks(c, svc), nil
}
