package conversations

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
)

// bareSign is the baseline HMAC-SHA1 + Base64 with no reuse.
func bareSign(key, msg []byte) string {
	mac := hmac.New(sha1.New, key)
	mac.Write(msg)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}
