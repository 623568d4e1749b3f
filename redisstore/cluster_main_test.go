package redisstore

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// The cluster tests run against a real Redis Cluster of three masters on
// loopback ports (each redis-server with cluster-enabled yes in a temporary
// directory of its own, joined with redis-cli --cluster create), started by
// the first test that needs it and stopped by TestMain. Without
// redis-server or redis-cli the tests fail when CI=true and are skipped
// otherwise.

var cluster struct {
	once    sync.Once
	addrs   []string
	servers []*server
	dir     string
	err     error
}

// clusterAddrs starts the cluster once and returns its nodes' addresses.
func clusterAddrs(t testing.TB) []string {
	t.Helper()
	if noRedis != "" {
		t.Skip("no Redis: " + noRedis)
	}
	cluster.once.Do(func() { cluster.err = startCluster() })
	if cluster.err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("Redis Cluster:", cluster.err)
		}
		t.Skip("no Redis Cluster: " + cluster.err.Error())
	}
	return cluster.addrs
}

// newClusterClient returns a cluster client with a pool of its own,
// closed at the end of the test.
func newClusterClient(t testing.TB) *redis.ClusterClient {
	t.Helper()
	c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: clusterAddrs(t)})
	t.Cleanup(func() { c.Close() })
	return c
}

func startCluster() error {
	cli, err := exec.LookPath("redis-cli")
	if err != nil {
		return fmt.Errorf("redis-cli is not on PATH (Debian: apt-get install redis-tools)")
	}
	cluster.dir, err = os.MkdirTemp("", "redisstore-cluster-")
	if err != nil {
		return err
	}
	for i := range 3 {
		dir := filepath.Join(cluster.dir, fmt.Sprint(i))
		if err := os.Mkdir(dir, 0o700); err != nil {
			return err
		}
		s, err := startServer(dir, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf")
		if err != nil {
			return err
		}
		cluster.servers = append(cluster.servers, s)
		cluster.addrs = append(cluster.addrs, s.addr)
	}
	args := append(append([]string{"--cluster", "create"}, cluster.addrs...), "--cluster-replicas", "0", "--cluster-yes")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if out, err := exec.CommandContext(ctx, cli, args...).CombinedOutput(); err != nil {
		return fmt.Errorf("redis-cli --cluster create: %w: %s", err, out)
	}
	// Every node must see the whole cluster, every slot served.
	deadline := time.Now().Add(20 * time.Second)
	for _, addr := range cluster.addrs {
		c := redis.NewClient(&redis.Options{Addr: addr})
		for {
			info, err := c.ClusterInfo(ctx).Result()
			if err == nil && strings.Contains(info, "cluster_state:ok") {
				break
			}
			if time.Now().After(deadline) {
				c.Close()
				return fmt.Errorf("cluster not ok on %s: %v %s", addr, err, info)
			}
			time.Sleep(50 * time.Millisecond)
		}
		c.Close()
	}
	return nil
}

// stopCluster stops the cluster's servers, if any started.
func stopCluster() {
	for _, s := range cluster.servers {
		s.stop()
	}
	if cluster.dir != "" {
		os.RemoveAll(cluster.dir)
	}
}
