package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"
)

// The tests run against a real redis-server: TestMain starts one on a free
// loopback port in a temporary directory, with persistence off, and stops
// it afterwards. REDISSTORE_TEST_ADDR points the tests at a server that is
// already running instead (each test uses keys of its own random prefix
// and deletes nothing else). Without redis-server on PATH the tests fail
// when CI=true and are skipped otherwise.

// addrEnv names the variable that holds the server's address; TestMain
// sets it for the child processes the tests start.
const addrEnv = "REDISSTORE_TEST_ADDR"

// childEnv, when set, makes the test binary run as a child process of a
// test (see child_test.go) instead of running the tests.
const childEnv = "REDISSTORE_TEST_CHILD"

var (
	redisAddr string
	noRedis   string // why the tests cannot run, when they cannot
)

func TestMain(m *testing.M) {
	if role := os.Getenv(childEnv); role != "" {
		os.Exit(runChild(role))
	}
	stop, err := startRedis()
	if err != nil {
		if os.Getenv("CI") == "true" {
			fmt.Fprintln(os.Stderr, "redisstore tests need redis-server:", err)
			os.Exit(1)
		}
		noRedis = err.Error()
	}
	code := m.Run()
	stop()
	if code == 0 {
		// No lease renewal (nor anything else) outlives its test.
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goroutines left running:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// startRedis starts a redis-server, or uses the one at $REDISSTORE_TEST_ADDR,
// and returns the function that stops it.
func startRedis() (stop func(), err error) {
	stop = func() {}
	if addr := os.Getenv(addrEnv); addr != "" {
		redisAddr = addr
		return stop, ping(addr, 5*time.Second)
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return stop, fmt.Errorf("redis-server is not on PATH (Debian: apt-get install redis-server)")
	}
	dir, err := os.MkdirTemp("", "redisstore-test-")
	if err != nil {
		return stop, err
	}
	for attempt := 0; attempt < 3; attempt++ {
		port, err := freePort()
		if err != nil {
			os.RemoveAll(dir)
			return stop, err
		}
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
			"--save", "", "--appendonly", "no", "--dir", dir,
			"--maxmemory-policy", "noeviction",
			"--logfile", filepath.Join(dir, "redis.log"))
		if err := cmd.Start(); err != nil {
			os.RemoveAll(dir)
			return stop, err
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		stop = func() {
			cmd.Process.Signal(os.Interrupt)
			select {
			case <-exited:
			case <-time.After(5 * time.Second):
				cmd.Process.Kill()
				<-exited
			}
			os.RemoveAll(dir)
		}
		if err = ping(addr, 5*time.Second); err == nil {
			redisAddr = addr
			os.Setenv(addrEnv, addr)
			return stop, nil
		}
		stop() // most likely the port was taken meanwhile: try another
	}
	log, _ := os.ReadFile(filepath.Join(dir, "redis.log"))
	os.RemoveAll(dir)
	return func() {}, fmt.Errorf("redis-server did not start: %s", log)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// ping waits up to d for the server at addr to answer PING.
func ping(addr string, d time.Duration) error {
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer c.Close()
	deadline := time.Now().Add(d)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		err := c.Ping(ctx).Err()
		cancel()
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// newClient returns a client with a connection pool of its own, closed at
// the end of the test; it skips the test when there is no server.
func newClient(t testing.TB) *redis.Client {
	t.Helper()
	if noRedis != "" {
		t.Skip("no Redis: " + noRedis)
	}
	c := redis.NewClient(&redis.Options{Addr: redisAddr})
	t.Cleanup(func() { c.Close() })
	return c
}

// testPrefix returns a key prefix no other test uses.
func testPrefix(t testing.TB) string {
	var b [6]byte
	rand.Read(b[:])
	return "test:" + hex.EncodeToString(b[:]) + ":"
}
