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
	"syscall"
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
	stopCluster()
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
	dir, err := os.MkdirTemp("", "redisstore-test-")
	if err != nil {
		return stop, err
	}
	srv, err := startServer(dir)
	if err != nil {
		os.RemoveAll(dir)
		return stop, err
	}
	redisAddr = srv.addr
	os.Setenv(addrEnv, srv.addr)
	return func() { srv.stop(); os.RemoveAll(dir) }, nil
}

// server is a redis-server process the tests started, on a loopback port
// that stays the same across restarts.
type server struct {
	bin, dir string
	port     int
	addr     string
	extra    []string
	conf     string // a sentinel's configuration file: the server runs as a sentinel
	cmd      *exec.Cmd
	exited   chan struct{}
}

// startServer starts a redis-server with persistence off in dir, on a
// free loopback port (trying another when the port was taken meanwhile).
func startServer(dir string, extra ...string) (*server, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, fmt.Errorf("redis-server is not on PATH (Debian: apt-get install redis-server)")
	}
	for attempt := 0; ; attempt++ {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		s := &server{bin: bin, dir: dir, port: port, extra: extra,
			addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port))}
		if err = s.start(); err == nil {
			return s, nil
		}
		if attempt == 2 {
			return nil, err
		}
	}
}

// start starts (or restarts) the server on its port.
func (s *server) start() error {
	args := append([]string{"--port", strconv.Itoa(s.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", s.dir,
		"--maxmemory-policy", "noeviction",
		"--logfile", filepath.Join(s.dir, "redis.log")}, s.extra...)
	if s.conf != "" {
		args = []string{s.conf, "--sentinel"} // everything else is in the file
	}
	s.cmd = exec.Command(s.bin, args...)
	if err := s.cmd.Start(); err != nil {
		return err
	}
	s.exited = make(chan struct{})
	go func(cmd *exec.Cmd, exited chan struct{}) { cmd.Wait(); close(exited) }(s.cmd, s.exited)
	if err := ping(s.addr, 5*time.Second); err != nil {
		s.kill()
		log, _ := os.ReadFile(filepath.Join(s.dir, "redis.log"))
		return fmt.Errorf("redis-server did not start: %w: %s", err, log)
	}
	return nil
}

// stop stops the server (SIGINT, then SIGKILL after 5 s).
func (s *server) stop() {
	s.cmd.Process.Signal(syscall.SIGCONT) // a paused server cannot stop
	s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.exited:
	case <-time.After(5 * time.Second):
		s.kill()
	}
}

// kill kills the server at once, as a crash does.
func (s *server) kill() {
	s.cmd.Process.Kill()
	<-s.exited
}

// pause stops the server's process (SIGSTOP): connections stay open and
// nothing is answered, as with a stalled server.
func (s *server) pause() { s.cmd.Process.Signal(syscall.SIGSTOP) }

// resume lets a paused server run again (SIGCONT).
func (s *server) resume() { s.cmd.Process.Signal(syscall.SIGCONT) }

// newServer starts a server of the test's own (one it may pause, kill and
// restart), stopped at the end of the test; it skips the test without
// redis-server (fails under CI=true).
func newServer(t testing.TB) *server {
	t.Helper()
	if noRedis != "" {
		t.Skip("no Redis: " + noRedis)
	}
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("this test starts its own redis-server: " + err.Error())
	}
	s, err := startServer(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.stop)
	return s
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

// longTests reports whether the long fault tests and measurements run
// (REDISSTORE_LONG=1).
func longTests() bool { return os.Getenv("REDISSTORE_LONG") == "1" }
