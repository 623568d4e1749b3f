// Measurement tool (not committed): start-to-serving time of the binary and
// its memory with 10,000 messages in 100 conversations.
package main

import (
	"bufio"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/conversations-go/conversations/conversationstest"
)

const sid, tok = conversationstest.DefaultAccountSID, conversationstest.DefaultAuthToken

func start(bin string, args ...string) (*exec.Cmd, string, time.Duration) {
	t0 := time.Now()
	cmd := exec.Command(bin, append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		panic(err)
	}
	sc := bufio.NewScanner(out)
	sc.Scan()
	base := sc.Text()
	go func() {
		for sc.Scan() {
		}
	}()
	for {
		resp, err := http.Get(base + "/_emulator/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return cmd, base, time.Since(t0)
			}
		}
		time.Sleep(200 * time.Microsecond)
	}
}

func post(base, path string, form url.Values) {
	req, _ := http.NewRequest("POST", base+path, strings.NewReader(form.Encode()))
	req.SetBasicAuth(sid, tok)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 201 {
		panic(fmt.Sprint(path, resp.StatusCode))
	}
}

func rss(pid int) string {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmRSS") || strings.HasPrefix(l, "VmHWM") {
			fmt.Print(l, "; ")
		}
	}
	return ""
}

func fill(base string) time.Duration {
	t0 := time.Now()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for c := 0; c < 100; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			key := fmt.Sprintf("conv-%03d", c)
			post(base, "/v1/Conversations", url.Values{"UniqueName": {key}})
			post(base, "/v1/Conversations/"+key+"/Participants", url.Values{"Identity": {"agent"}})
			post(base, "/v1/Conversations/"+key+"/Participants", url.Values{"MessagingBinding.Address": {fmt.Sprintf("+1555%07d", c)}, "MessagingBinding.ProxyAddress": {"+15559990000"}})
			for m := 0; m < 100; m++ {
				post(base, "/v1/Conversations/"+key+"/Messages", url.Values{"Author": {"agent"}, "Body": {fmt.Sprintf("message %d of conversation %d: a reply of typical length, about eighty characters", m, c)}})
			}
		}(c)
	}
	wg.Wait()
	return time.Since(t0)
}

func main() {
	bin := os.Args[1]
	var ts []time.Duration
	for i := 0; i < 30; i++ {
		cmd, _, d := start(bin)
		ts = append(ts, d)
		cmd.Process.Kill()
		cmd.Wait()
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i] < ts[j] })
	fmt.Printf("start to first 200 on /_emulator/health, 30 runs: min %v median %v p90 %v max %v\n", ts[0], ts[15], ts[27], ts[29])

	cmd, base, _ := start(bin)
	fmt.Print("idle: ")
	rss(cmd.Process.Pid)
	fmt.Println()
	d := fill(base)
	time.Sleep(500 * time.Millisecond)
	fmt.Printf("filled 100 conversations x 100 messages (SMS receipts) in %v; ", d)
	rss(cmd.Process.Pid)
	fmt.Println()
	// State export size and time over HTTP.
	req, _ := http.NewRequest("GET", base+"/_emulator/state", nil)
	req.SetBasicAuth(sid, tok)
	t0 := time.Now()
	resp, _ := http.DefaultClient.Do(req)
	n := 0
	buf := make([]byte, 1<<16)
	for {
		k, err := resp.Body.Read(buf)
		n += k
		if err != nil {
			break
		}
	}
	resp.Body.Close()
	fmt.Printf("GET /_emulator/state: %d bytes in %v\n", n, time.Since(t0))
	cmd.Process.Kill()
	cmd.Wait()

	// With -state: start time when loading that state.
	_ = runtime.GOMAXPROCS
}
