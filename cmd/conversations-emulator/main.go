// Command conversations-emulator runs the conversationstest emulator of the
// Twilio Conversations v1 API as a local HTTP server, so apps written in any
// language can point their Twilio SDK (or plain HTTP calls) at it.
//
// Usage:
//
//	conversations-emulator [-addr 127.0.0.1:4010] [-account-sid AC…] [-auth-token TOKEN]
//	                       [-rate-limit] [-rate N] [-latency 50ms]
//	                       [-webhook-url URL] [-state FILE] [-allow-host NAME,…]
//
// It prints its base URL as the first line of standard output, then the
// credentials it accepts, the web inspector's URL, the webhook target and
// the state file, then logs each request and webhook delivery. The control
// API under /_emulator/ (simulated users, phones, clock, reset, state) is
// described in docs/emulator.md. -webhook-url forwards every event to a URL;
// -state keeps the state in a file across restarts (written atomically).
// It listens on 127.0.0.1 unless -addr says otherwise, and warns when it is
// reachable from other machines. Every route refuses a Host that is not the
// emulator's own address (-allow-host adds names) and a foreign Origin, and
// none asks a browser for credentials; opening the base URL in a browser
// leads to the inspector (docs/emulator-safety.md). Requests must use HTTP basic auth with
// the account SID and auth token (by default conversationstest's
// DefaultAccountSID and DefaultAuthToken), and webhooks are signed with the
// auth token.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/conversations-go/conversations/conversationstest"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:4010", "listen address (host:port; port 0 picks a free one)")
	accountSID := flag.String("account-sid", conversationstest.DefaultAccountSID, "account SID the emulator accepts")
	authToken := flag.String("auth-token", conversationstest.DefaultAuthToken, "auth token the emulator accepts and signs webhooks with")
	apiKey := flag.String("api-key", "", "also accept this API key, as SK…:secret")
	webhookTimeout := flag.Duration("webhook-timeout", conversationstest.DefaultWebhookTimeout, "how long to wait for a webhook to answer")
	rateLimit := flag.Bool("rate-limit", false, "enforce Twilio's rate limits: 30 mutating actions per second per scope, 429 (code 20429) beyond")
	rate := flag.Float64("rate", 0, "enforce this many mutating actions per second per scope instead of 30 (implies -rate-limit)")
	latency := flag.Duration("latency", 0, "hold each API request this long, to simulate the network (e.g. 50ms)")
	var dev devFlags // devtools.go
	flag.StringVar(&dev.webhookURL, "webhook-url", "", "forward every event to this URL: the global pre- and post-event webhook, POST")
	flag.StringVar(&dev.statePath, "state", "", "load the state from this file if it exists; save it there while it changes and on exit")
	flag.StringVar(&dev.allowHosts, "allow-host", "", "host names (comma-separated) every route accepts in the Host header besides loopback and the listen address (DNS rebinding protection), e.g. a container's name")
	flag.Parse()
	volume, err := volumeOptions(*rateLimit, *rate, *latency)
	if err == nil {
		err = run(*addr, *accountSID, *authToken, *apiKey, *webhookTimeout, dev, volume...)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "conversations-emulator:", err)
		os.Exit(1)
	}
}

func run(addr, accountSID, authToken, apiKey string, webhookTimeout time.Duration, dev devFlags, extra ...conversationstest.Option) error {
	logger := log.New(os.Stdout, "", log.LstdFlags|log.Lmicroseconds)
	opts := []conversationstest.Option{
		conversationstest.WithCredentials(accountSID, authToken),
		conversationstest.WithWebhookTimeout(webhookTimeout),
		conversationstest.WithLogger(logger),
	}
	if apiKey != "" {
		sid, secret, ok := strings.Cut(apiKey, ":")
		if !ok {
			return errors.New("-api-key must be SK…:secret")
		}
		opts = append(opts, conversationstest.WithAPIKey(sid, secret))
	}
	opts = append(opts, extra...)
	devOpts, err := dev.options()
	if err != nil {
		return err
	}
	emu := conversationstest.New(append(opts, devOpts...)...)
	defer emu.Close()

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	base := baseURL(ln.Addr().(*net.TCPAddr))
	fmt.Println(base)
	keySID, _, _ := strings.Cut(apiKey, ":")
	dev.announce(os.Stdout, os.Stderr, base, ln.Addr(), accountSID, authToken, keySID)
	var state *stateFile
	if dev.statePath != "" {
		var msg string
		if state, msg, err = openState(dev.statePath, emu); err != nil {
			ln.Close()
			return err
		}
		fmt.Println(msg)
		state.run(os.Stderr)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// Fire conversation timers in real time, not only when a request comes in.
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				emu.Advance(0)
			}
		}
	}()

	srv := newHTTPServer(emu)
	// Requests' contexts end when the server shuts down, so a long-lived one
	// (an open inspector's event stream) does not hold the shutdown up.
	reqCtx, endRequests := context.WithCancel(context.Background())
	defer endRequests()
	srv.BaseContext = func(net.Listener) context.Context { return reqCtx }
	srv.RegisterOnShutdown(endRequests)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		if state != nil {
			err = errors.Join(err, state.close())
		}
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = srv.Shutdown(shutdown)
	if err != nil {
		// Requests still running (a client that stopped reading, say):
		// close their connections rather than wait for the write timeout.
		err = srv.Close()
	}
	if state != nil {
		err = errors.Join(err, state.close()) // the last save, after the last request
	}
	return err
}

// newHTTPServer returns the command's HTTP server: with read, write and idle
// timeouts, so a client that stalls a request or a response (a media
// download it stopped reading, say) loses its connection instead of holding
// it forever.
func newHTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       conversationstest.ServerReadTimeout,
		WriteTimeout:      conversationstest.ServerWriteTimeout,
		IdleTimeout:       conversationstest.ServerIdleTimeout,
	}
}

// baseURL is the URL clients should use: an unspecified listen host
// (0.0.0.0, ::) is shown as 127.0.0.1.
func baseURL(a *net.TCPAddr) string {
	host := a.IP.String()
	if a.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, fmt.Sprint(a.Port))
}
