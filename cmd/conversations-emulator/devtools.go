package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/conversations-go/conversations/conversationstest"
)

// saveInterval is how often the state file is rewritten while the state
// changes.
const saveInterval = 2 * time.Second

// devFlags are the flags that make the binary a development tool: the
// webhook forward, the state file and the extra allowed hosts.
type devFlags struct {
	webhookURL string // -webhook-url
	statePath  string // -state
	allowHosts string // -allow-host, comma-separated
}

// options returns the emulator options the flags ask for.
func (d devFlags) options() ([]conversationstest.Option, error) {
	var opts []conversationstest.Option
	if d.webhookURL != "" {
		u, err := url.Parse(d.webhookURL)
		if len(d.webhookURL) > conversationstest.MaxWebhookURLLength && len([]rune(d.webhookURL)) > conversationstest.MaxWebhookURLLength {
			return nil, fmt.Errorf("-webhook-url must be at most %d characters", conversationstest.MaxWebhookURLLength)
		}
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("-webhook-url must be an http(s) URL, got %q", d.webhookURL)
		}
		opts = append(opts, conversationstest.WithWebhookURL(d.webhookURL))
	}
	if d.allowHosts != "" {
		opts = append(opts, conversationstest.WithAllowedHosts(strings.Split(d.allowHosts, ",")...))
	}
	return opts, nil
}

// announce prints, after the base URL (the first line, which scripts and
// tests read), what a developer needs: the credentials, the inspector's URL
// with the credentials in its fragment (never sent to a server), the
// webhook target and the state file. It warns on stderr when the emulator
// listens beyond loopback.
func (d devFlags) announce(w, warn io.Writer, base string, ln net.Addr, accountSID, authToken, apiKeySID string) {
	fmt.Fprintf(w, "credentials: account SID %s, auth token %s\n", accountSID, authToken)
	if apiKeySID != "" {
		fmt.Fprintf(w, "credentials: API key %s (secret as given)\n", apiKeySID)
	}
	frag := base64.StdEncoding.EncodeToString([]byte(accountSID + ":" + authToken))
	fmt.Fprintf(w, "inspector: %s/_emulator/ui/#%s\n", base, frag)
	if d.webhookURL != "" {
		fmt.Fprintf(w, "webhooks: every event forwarded to %s (POST, signed with the auth token)\n", d.webhookURL)
	} else {
		fmt.Fprintln(w, "webhooks: none configured (-webhook-url URL forwards every event)")
	}
	if tcp, ok := ln.(*net.TCPAddr); ok && !tcp.IP.IsLoopback() {
		fmt.Fprintf(warn, "conversations-emulator: warning: listening on %s, reachable from other machines; anyone who can reach it with the credentials above can drive it\n", ln)
	}
}

// stateFile keeps an emulator's state in a file: loaded at start, written
// every saveInterval while it changes and on a clean stop, always through a
// temporary file renamed over the old one, so a crash never leaves a torn
// file.
type stateFile struct {
	path string
	emu  *conversationstest.Emulator

	mu      sync.Mutex
	last    [sha256.Size]byte // hash of the last document written or loaded
	version uint64            // the emulator's StateVersion when it was exported
	saved   bool              // version is meaningful
	stop    chan struct{}
	done    chan struct{}
}

// openState loads path into emu when the file exists, and returns a
// description for the start-up output.
func openState(path string, emu *conversationstest.Emulator) (*stateFile, string, error) {
	s := &stateFile{path: path, emu: emu}
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return s, fmt.Sprintf("state: %s (new; written every %s while it changes and on exit)", path, saveInterval), nil
	case err != nil:
		return nil, "", fmt.Errorf("-state: %w", err)
	}
	if err := emu.ImportState(data); err != nil {
		return nil, "", fmt.Errorf("-state %s: %w (move the file away to start afresh)", path, err)
	}
	// Until the state changes it is not exported again; the file's hash
	// stands for the last document written.
	s.version, s.last, s.saved = emu.StateVersion(), sha256.Sum256(data), true
	debug.FreeOSMemory() // hand back the decoding's garbage: a long-running process keeps its RSS otherwise
	return s, fmt.Sprintf("state: loaded from %s (written every %s while it changes and on exit)", path, saveInterval), nil
}

// save writes the state if it changed since the last write: it exports only
// when the emulator's StateVersion moved, and writes only when the document
// differs from the last one written.
func (s *stateFile) save() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	version := s.emu.StateVersion() // read before exporting: a change racing the export moves it again
	if s.saved && version == s.version {
		return nil
	}
	data, err := s.emu.ExportState()
	if err != nil {
		return fmt.Errorf("exporting the state: %w (%s keeps the last state saved)", err, s.path)
	}
	sum := sha256.Sum256(data)
	if sum != s.last {
		if err := writeAtomic(s.path, data); err != nil {
			return fmt.Errorf("%w (%s keeps the last state saved)", err, s.path)
		}
		s.last = sum
	}
	s.version, s.saved = version, true
	return nil
}

// run saves every saveInterval until close; errors go to warn. A save
// that takes long (a state of tens of thousands of conversations takes
// about a second to export, part of it under the emulator's lock) spaces
// the next ones out: see nextSave.
func (s *stateFile) run(warn io.Writer) {
	s.stop, s.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(s.done)
		t := time.NewTimer(saveInterval)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-t.C:
				start := time.Now()
				if err := s.save(); err != nil {
					fmt.Fprintln(warn, "conversations-emulator: saving the state:", err)
				}
				t.Reset(nextSave(time.Since(start)))
			}
		}
	}()
}

// nextSave is the pause after a save that took took: saveInterval, or ten
// times as long as the save when that is longer, so that saving a large
// state while it keeps changing takes a tenth of the time at most.
func nextSave(took time.Duration) time.Duration { return max(saveInterval, 10*took) }

// close stops the periodic saves and writes the state one last time.
func (s *stateFile) close() error {
	if s.stop != nil {
		close(s.stop)
		<-s.done
	}
	return s.save()
}

// writeAtomic replaces path with data: it writes a temporary file in the
// same directory, syncs it, renames it over path and syncs the directory.
// Readers see the old file or the new one, never a mix; after a crash the
// old file is intact (and at most a stray temporary file is left).
func writeAtomic(path string, data []byte) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("writing the state: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(0o600); err != nil {
		return fmt.Errorf("writing the state: %w", err)
	}
	if _, err := io.Copy(tmp, bytes.NewReader(data)); err != nil {
		return fmt.Errorf("writing the state: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("writing the state: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing the state: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing the state: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync() // make the rename durable; not every platform allows it
		d.Close()
	}
	return nil
}
