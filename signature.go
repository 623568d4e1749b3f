package conversations

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/url"
	"slices"
)

// ComputeSignature returns the X-Twilio-Signature that Twilio sends for a
// webhook request to rawURL with the given form parameters, signed with
// authToken: HMAC-SHA1 over the full URL followed by each parameter name and
// value, names in byte order; every value of a repeated name is kept,
// deduplicated and sorted; the result is standard padded Base64.
//
// For GET webhooks and JSON bodies pass nil params: the URL alone is signed.
func ComputeSignature(authToken, rawURL string, params url.Values) string {
	mac := hmac.New(sha1.New, []byte(authToken))
	writeSigned(mac, rawURL, params)
	var sum [sha1.Size]byte
	var out [28]byte // base64 of 20 bytes
	base64.StdEncoding.Encode(out[:], mac.Sum(sum[:0]))
	return string(out[:])
}

type stringWriter interface {
	Write(p []byte) (int, error)
}

// writeSigned writes the string Twilio signs: the URL, then the sorted
// parameter names each followed by their sorted, deduplicated values.
func writeSigned(w stringWriter, rawURL string, params url.Values) {
	w.Write([]byte(rawURL))
	if len(params) == 0 {
		return
	}
	var keyBuf [32]string
	keys := keyBuf[:0]
	for k := range params {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		vals := params[k]
		if len(vals) > 1 && !slices.IsSorted(vals) {
			vals = slices.Clone(vals)
			slices.Sort(vals)
		}
		for i, v := range vals {
			if i > 0 && v == vals[i-1] {
				continue
			}
			w.Write([]byte(k))
			w.Write([]byte(v))
		}
	}
}
