package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/conversations-go/conversations/conversationstest"
)

// BenchmarkStartWithState measures the command's start with a -state file
// of 0, 100, 10,000 and 100,000 conversations (one SMS participant each):
// from starting the process to its first REST answer. rss-MiB is the
// process's peak resident memory and cpu-s/op the CPU time it used (start
// and exit), a figure less at the mercy of a busy machine. Run:
//
//	go test ./cmd/conversations-emulator -run '^$' -bench BenchmarkStartWithState -benchtime 3x
func BenchmarkStartWithState(b *testing.B) {
	bin, err := emulatorBinary()
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{0, 100, 10_000, 100_000} {
		b.Run(fmt.Sprintf("convs=%d", n), func(b *testing.B) {
			file := filepath.Join(b.TempDir(), "state.json")
			var size int
			if n > 0 {
				doc := scaleState(b, n)
				if err := os.WriteFile(file, doc, 0o600); err != nil {
					b.Fatal(err)
				}
				size = len(doc)
			}
			var rss int64
			var cpu time.Duration
			for b.Loop() {
				u := startAndStop(b, bin, file, n)
				rss = max(rss, u.Maxrss)
				cpu += time.Duration(u.Utime.Nano() + u.Stime.Nano())
			}
			b.ReportMetric(float64(size)/(1<<20), "file-MiB")
			b.ReportMetric(float64(rss)/(1<<10), "rss-MiB")
			b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
		})
	}
}

// startAndStop runs the command with -state file until it answers a REST
// request listing n conversations, then stops it; it returns the process's
// resource usage (peak resident memory, CPU time), its exit included.
func startAndStop(b *testing.B, bin, file string, n int) *syscall.Rusage {
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0", "-state", file)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer cmd.Process.Kill()
	sc := bufio.NewScanner(stdout)
	if !sc.Scan() {
		b.Fatal("no output from the command")
	}
	base := sc.Text()
	go func() {
		for sc.Scan() {
		}
	}()
	// The listener is open before the state loads; the request waits
	// until the command serves.
	req, _ := http.NewRequest("GET", base+"/v1/Conversations?PageSize=1", nil)
	req.SetBasicAuth(conversationstest.DefaultAccountSID, conversationstest.DefaultAuthToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	var page struct{ Conversations []json.RawMessage }
	err = json.NewDecoder(resp.Body).Decode(&page)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 || len(page.Conversations) != min(n, 1) {
		b.Fatalf("status %d, %d conversations, %v", resp.StatusCode, len(page.Conversations), err)
	}
	b.StopTimer()
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			b.Fatalf("exit: %v", err)
		}
	case <-time.After(60 * time.Second):
		b.Fatal("the command did not stop")
	}
	b.StartTimer()
	return cmd.ProcessState.SysUsage().(*syscall.Rusage)
}

// scaleState returns a state document with n conversations, each with one
// SMS participant: an emulator's own export of one such conversation,
// repeated with fresh SIDs and numbers, so that it follows the document's
// current shape and version.
func scaleState(b *testing.B, n int) []byte {
	emu := conversationstest.New()
	defer emu.Close()
	post := func(path string, form url.Values) map[string]any {
		req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(emu.AccountSID(), emu.AuthToken())
		rec := httptest.NewRecorder()
		emu.ServeHTTP(rec, req)
		var out map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || rec.Code != 201 {
			b.Fatalf("%s: %d %s", path, rec.Code, rec.Body)
		}
		return out
	}
	conv := post("/v1/Conversations", nil)
	post("/v1/Conversations/"+conv["sid"].(string)+"/Participants", url.Values{
		"MessagingBinding.Address": {"+12020000000"}, "MessagingBinding.ProxyAddress": {"+18005550100"}})
	data, err := emu.ExportState()
	if err != nil {
		b.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		b.Fatal(err)
	}
	svc := doc["services"].([]any)[0].(map[string]any)
	c := svc["conversations"].([]any)[0].(map[string]any)
	p := c["participants"].([]any)[0].(map[string]any)
	c["sid"], p["sid"], p["address"] = "@CONV@", "@PART@", "@ADDR@"
	tmpl, err := json.Marshal(c)
	if err != nil {
		b.Fatal(err)
	}
	var list strings.Builder
	list.WriteByte('[')
	for i := range n {
		if i > 0 {
			list.WriteByte(',')
		}
		strings.NewReplacer("@CONV@", fmt.Sprintf("CH%032x", i), "@PART@", fmt.Sprintf("MB%032x", i),
			"@ADDR@", fmt.Sprintf("+1202%07d", i)).WriteString(&list, string(tmpl))
	}
	list.WriteByte(']')
	svc["conversations"] = json.RawMessage(list.String())
	out, err := json.Marshal(doc)
	if err != nil {
		b.Fatal(err)
	}
	return out
}

// TestNextSave: saves of a large state are spaced out so that they take a
// tenth of the time at most; small states are saved every saveInterval.
func TestNextSave(t *testing.T) {
	for _, c := range []struct{ took, want time.Duration }{
		{0, saveInterval},
		{50 * time.Millisecond, saveInterval},
		{saveInterval / 10, saveInterval},
		{800 * time.Millisecond, 8 * time.Second},
		{3 * time.Second, 30 * time.Second},
	} {
		if got := nextSave(c.took); got != c.want {
			t.Errorf("nextSave(%v) = %v, want %v", c.took, got, c.want)
		}
	}
}
