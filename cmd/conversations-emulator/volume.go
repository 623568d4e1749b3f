package main

import (
	"errors"
	"time"

	"github.com/conversations-go/conversations/conversationstest"
)

// volumeOptions turns the -rate-limit, -rate and -latency flags into
// emulator options: -rate-limit enforces Twilio's default rate (30 mutating
// actions per second per scope), -rate N enforces N instead (and implies
// -rate-limit), -latency holds each API request for that long.
func volumeOptions(rateLimit bool, rate float64, latency time.Duration) ([]conversationstest.Option, error) {
	if rate < 0 {
		return nil, errors.New("-rate must not be negative")
	}
	if latency < 0 {
		return nil, errors.New("-latency must not be negative")
	}
	var opts []conversationstest.Option
	if rate == 0 && rateLimit {
		rate = conversationstest.TwilioRateLimit
	}
	if rate > 0 {
		opts = append(opts, conversationstest.WithRateLimit(rate))
	}
	if latency > 0 {
		opts = append(opts, conversationstest.WithLatency(latency))
	}
	return opts, nil
}
