package conversations

import (
	"fmt"
	"os"
	"strings"
)

// EmulatorHostEnv is the environment variable that points [NewClientFromEnv]
// at a conversationstest emulator (cmd/conversations-emulator), in the
// spirit of PUBSUB_EMULATOR_HOST: host:port, such as 127.0.0.1:4010.
const EmulatorHostEnv = "CONVERSATIONS_EMULATOR_HOST"

// The emulator's default credentials (conversationstest.DefaultAccountSID
// and DefaultAuthToken), used when the variable is set and no credentials
// are.
const (
	emulatorAccountSID = "AC0123456789abcdef0123456789abcdef"
	emulatorAuthToken  = "0123456789abcdef0123456789abcdef"
)

// emulatorFromEnv reads CONVERSATIONS_EMULATOR_HOST. When it is set, it
// returns the options that send both the API and media requests to
// http://host:port, and ok. An http:// prefix is accepted; anything but
// host[:port] is an error.
func emulatorFromEnv() (opts []Option, ok bool, err error) {
	host := strings.TrimSpace(os.Getenv(EmulatorHostEnv))
	if host == "" {
		return nil, false, nil
	}
	base := host
	if !strings.Contains(base, "://") {
		base = "http://" + base
	}
	if _, err := parseBaseURL("base URL", base); err != nil {
		return nil, false, fmt.Errorf("conversations: %s=%q: want host:port, such as 127.0.0.1:4010", EmulatorHostEnv, host)
	}
	return []Option{WithBaseURL(base), WithMediaBaseURL(base)}, true, nil
}
