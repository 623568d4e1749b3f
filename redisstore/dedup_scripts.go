package redisstore

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/redis/go-redis/v9"
)

// The keys of a token share its hash slot: the token is the hash tag.
//   - prefix + "dedup:{" + token + "}": the token's state: an owner value
//     (a reservation, for its lease) or "done" (for the done TTL);
//   - that key + ":x:" + owner: owner's reservation was cancelled (its
//     Reserve got no answer, or its Release was not taken): a reserve
//     script of that owner that Redis runs late (a stalled server runs what
//     it has read once it resumes) finds it and reserves nothing. It lives
//     for one lease.

// tokenKey returns token's state key. A token with a brace (Twilio's are
// UUIDs) is named by a digest, so that it cannot end the hash tag early.
func (f *DuplicateFilter) tokenKey(token string) string {
	if strings.ContainsAny(token, "{}") {
		sum := sha256.Sum256([]byte(token))
		token = "#" + hex.EncodeToString(sum[:16])
	}
	return f.prefix + "{" + token + "}"
}

// cancelKey returns the key that marks owner's reservation of token
// cancelled. It starts with the token's key, so its hash tag is the same
// whatever the prefix and the token hold.
func (f *DuplicateFilter) cancelKey(token, owner string) string {
	return f.tokenKey(token) + ":x:" + owner
}

// reserveTokenScript: KEYS: the token's key, owner's cancel key; ARGV:
// owner, lease ms. Answers 0 (reserved for owner: now, or already by an
// earlier try of the same call), 1 (held by another attempt), 2 (done), 3
// (owner's reservation was cancelled: nothing done).
var reserveTokenScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[2]) == 1 then return 3 end
local v = redis.call('GET', KEYS[1])
if not v then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 0
end
if v == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 0
end
if v == 'done' then return 2 end
return 1
`)

// renewScript: KEYS[1] the token's key; ARGV: owner, lease ms. Answers 1
// after extending the lease, 0 when owner no longer holds the key.
var renewScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`)

// commitScript: KEYS[1] the token's key; ARGV: owner, done TTL ms. Records
// done when owner holds the key or nobody does, and answers 1 then (or when
// the token is already done, as after a retry of this call); answers 0,
// changing nothing, when another owner holds it.
var commitScript = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if v == 'done' then return 1 end
if (not v) or v == ARGV[1] then
  redis.call('SET', KEYS[1], 'done', 'PX', ARGV[2])
  return 1
end
return 0
`)

// cancelScript: KEYS: the token's key, owner's cancel key; ARGV: owner,
// lease ms. Deletes owner's reservation if Redis holds it, and marks it
// cancelled for a lease, so that a reserve of owner run later does
// nothing. Answers 1 when it deleted a reservation, else 0.
var cancelScript = redis.NewScript(`
redis.call('SET', KEYS[2], '1', 'PX', ARGV[2])
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
`)

// releaseScript: KEYS[1] the token's key; ARGV: owner. Deletes the key when
// owner holds it; answers 1 then, else 0 (as after a retry of this call).
var releaseScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
`)
