package conversationstest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestTrafficBucket(t *testing.T) {
	var tr traffic
	t0 := time.Unix(1_700_000_000, 0)
	for i := range 3 {
		assert.True(t, tr.take("s", 3, t0), "call %d fits in one second's worth", i+1)
	}
	assert.False(t, tr.take("s", 3, t0), "the bucket is empty")
	assert.True(t, tr.take("other", 3, t0), "another scope has its own bucket")
	assert.False(t, tr.take("s", 3, t0.Add(300*time.Millisecond)), "0.9 of a token")
	assert.True(t, tr.take("s", 3, t0.Add(340*time.Millisecond)), "one token refilled after 1/3 s")
	assert.False(t, tr.take("s", 3, t0.Add(340*time.Millisecond)))
	// Ten quiet seconds fill the bucket up to its capacity, no more.
	later := t0.Add(10 * time.Second)
	for range 3 {
		assert.True(t, tr.take("s", 3, later))
	}
	assert.False(t, tr.take("s", 3, later))
	// Idle buckets are dropped.
	assert.True(t, tr.take("new", 3, t0.Add(2*time.Minute)))
	assert.Len(t, tr.buckets, 1)
}

func TestCanonicalScope(t *testing.T) {
	e := New()
	defer e.Close()
	e.mu.Lock()
	conv := &conversation{sid: "CH" + "0123456789abcdef0123456789abcdef", svc: e.defaultSvc, uniqueName: "room", state: "active"}
	e.defaultSvc.conversations.put(conv.sid, conv)
	e.defaultSvc.uniqueNames["room"] = conv.sid
	e.mu.Unlock()
	assert.Equal(t, "conversation:"+conv.sid, e.canonicalScope("conversation:room", "/v1/Conversations/room/Messages"))
	assert.Equal(t, "conversation:"+conv.sid, e.canonicalScope("conversation:room",
		"/v1/Services/"+e.defaultSvc.sid+"/Conversations/room/Participants"))
	assert.Equal(t, "conversation:nope", e.canonicalScope("conversation:nope", "/v1/Conversations/nope/Messages"))
	assert.Equal(t, "service:default", e.canonicalScope("service:default", "/v1/Conversations"))
}
