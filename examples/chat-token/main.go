// Command chat-token is a minimal chat backend endpoint that mints Twilio
// Access Tokens for Conversations web and mobile clients.
//
// It reads its credentials from the environment:
//
//	TWILIO_ACCOUNT_SID         Account SID (AC…)
//	TWILIO_API_KEY             API key SID (SK…)
//	TWILIO_API_SECRET          API key secret
//	CONVERSATIONS_SERVICE_SID  Conversation Service SID (IS…)
//	TWILIO_REGION              optional region, such as "ie1"
//
// When none of the four required variables is set it uses fake demo values
// (and says so), so it runs offline; the tokens it then mints are well formed
// but Twilio will reject them.
//
// Serve tokens:
//
//	go run ./examples/chat-token -addr 127.0.0.1:8080
//	curl 'http://127.0.0.1:8080/token?identity=alice'
//
// Or mint one token, print it and exit:
//
//	go run ./examples/chat-token -once alice
//
// This example trusts the identity in the query string. A real backend must
// authenticate the caller (session cookie, bearer token…) and take the
// identity from that, or anyone could chat as anyone.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/conversations-go/conversations/accesstoken"
)

// Fake values used when the environment holds no credentials. They pass the
// package's format checks but belong to no Twilio account.
const (
	demoAccountSID = "AC00000000000000000000000000000000"
	demoAPIKeySID  = "SK00000000000000000000000000000000"
	demoAPISecret  = "demo-secret-not-a-real-credential"
	demoServiceSID = "IS00000000000000000000000000000000"
)

// config holds what is needed to mint tokens.
type config struct {
	AccountSID   string
	APIKeySID    string
	APIKeySecret string
	ServiceSID   string
	Region       string
	TTL          time.Duration
	Demo         bool
}

var requiredEnv = []string{"TWILIO_ACCOUNT_SID", "TWILIO_API_KEY", "TWILIO_API_SECRET", "CONVERSATIONS_SERVICE_SID"}

// configFromEnv reads the credentials with getenv. If none of the required
// variables is set it returns demo values; if only some are, it fails.
func configFromEnv(getenv func(string) string) (config, error) {
	var missing []string
	for _, name := range requiredEnv {
		if getenv(name) == "" {
			missing = append(missing, name)
		}
	}
	switch len(missing) {
	case len(requiredEnv):
		return config{
			AccountSID:   demoAccountSID,
			APIKeySID:    demoAPIKeySID,
			APIKeySecret: demoAPISecret,
			ServiceSID:   demoServiceSID,
			Region:       getenv("TWILIO_REGION"),
			Demo:         true,
		}, nil
	case 0:
		return config{
			AccountSID:   getenv("TWILIO_ACCOUNT_SID"),
			APIKeySID:    getenv("TWILIO_API_KEY"),
			APIKeySecret: getenv("TWILIO_API_SECRET"),
			ServiceSID:   getenv("CONVERSATIONS_SERVICE_SID"),
			Region:       getenv("TWILIO_REGION"),
		}, nil
	default:
		return config{}, fmt.Errorf("missing environment variables: %s", strings.Join(missing, ", "))
	}
}

// mint creates a token for identity.
func (c config) mint(identity string) (*accesstoken.Token, error) {
	opts := []accesstoken.Option{accesstoken.WithRegion(c.Region)}
	if c.TTL != 0 {
		opts = append(opts, accesstoken.WithTTL(c.TTL))
	}
	return accesstoken.New(c.AccountSID, c.APIKeySID, c.APIKeySecret, identity,
		accesstoken.ChatGrant{ServiceSID: c.ServiceSID}, opts...)
}

// tokenResponse is the JSON body of a successful GET /token.
type tokenResponse struct {
	Identity string `json:"identity"`
	Token    string `json:"token"`
}

type errorResponse struct {
	Error string `json:"error"`
}

// newHandler returns the HTTP handler serving GET /token?identity=….
func newHandler(cfg config, logger *log.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /token", func(w http.ResponseWriter, r *http.Request) {
		identity := r.URL.Query().Get("identity")
		if identity == "" {
			writeJSON(w, http.StatusBadRequest, errorResponse{"missing identity query parameter"})
			return
		}
		tok, err := cfg.mint(identity)
		switch {
		case errors.Is(err, accesstoken.ErrInvalidIdentity):
			writeJSON(w, http.StatusBadRequest, errorResponse{"invalid identity"})
			return
		case err != nil:
			// A configuration problem: log it (it never contains the
			// secret) and keep the details from the client.
			logger.Printf("minting token: %v", err)
			writeJSON(w, http.StatusInternalServerError, errorResponse{"could not mint token"})
			return
		}
		writeJSON(w, http.StatusOK, tokenResponse{Identity: tok.Identity(), Token: tok.JWT()})
	})
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// run parses args, then either mints one token to stdout (-once) or serves
// HTTP until ctx is done.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("chat-token", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	once := fs.String("once", "", "mint one token for this `identity`, print it and exit")
	ttl := fs.Duration("ttl", accesstoken.DefaultTTL, "token lifetime (at most 24h)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %q", fs.Args())
	}

	logger := log.New(stderr, "chat-token: ", log.LstdFlags)
	cfg, err := configFromEnv(getenv)
	if err != nil {
		return err
	}
	cfg.TTL = *ttl
	if cfg.Demo {
		logger.Printf("%s not set: using FAKE demo credentials; tokens will not work with Twilio",
			strings.Join(requiredEnv, ", "))
	}
	// Check the configuration once up front rather than on every request.
	if _, err := cfg.mint("startup-check"); err != nil {
		return fmt.Errorf("invalid configuration: %w", err)
	}

	if isFlagSet(fs, "once") {
		tok, err := cfg.mint(*once)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(stdout, tok.JWT())
		return err
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           newHandler(cfg, logger),
		ReadHeaderTimeout: 5 * time.Second,
		ErrorLog:          logger,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	logger.Printf("listening on http://%s/token?identity=alice", ln.Addr())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return srv.Shutdown(shutdownCtx)
	}
}

// isFlagSet reports whether the named flag was given on the command line.
func isFlagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "chat-token:", err)
		os.Exit(1)
	}
}
