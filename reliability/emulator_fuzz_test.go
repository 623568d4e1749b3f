package reliability_test

import (
	"net/url"
	"testing"
)

// FuzzEmulatorParams: whatever query values (list endpoints) or form values
// (create and update endpoints) a request carries, well-formed or not, the
// emulator called in-process as an http.Handler answers without panicking
// and with a status below 500. key picks one of the parameters the emulator
// reads; raw is appended to the encoded values as is.
func FuzzEmulatorParams(f *testing.F) {
	for i, v := range hostileNumbers {
		if len(v) < 100 {
			f.Add(uint8(i), i%2 == 0, uint8(i), v, "")
		}
	}
	for i, v := range []string{"PageSize=0", "Page=-1&PageSize=1", "%zz", "a=%", ";", "Timers.Inactive=P1Y1Y", "&&&=", "PageToken=PT%00", "Body=See you at 5; bring the receipt&Attributes={\"a\":\";\"}"} {
		f.Add(uint8(i), i%2 == 1, uint8(0), "", v)
	}
	// The values that panicked every list endpoint before: a Page whose
	// offset overflows, with the default and the smallest page size.
	f.Add(uint8(1), false, uint8(1), "9223372036854775807", "")
	f.Add(uint8(3), false, uint8(1), "4611686018427387904", "PageSize=2")
	fx := newEmuFixture(f)
	keys := append(append([]string(nil), emuNumericParams...), emuStringParams...)
	f.Fuzz(func(t *testing.T, route uint8, post bool, key uint8, value, raw string) {
		method, paths := "GET", emuListPaths
		if post {
			method, paths = "POST", emuWritePaths
		}
		path := fx.expand(paths[int(route)%len(paths)])
		encoded := url.Values{keys[int(key)%len(keys)]: {value}}.Encode()
		if raw != "" {
			encoded += "&" + raw
		}
		res := fx.serveRaw(method, path, encoded)
		if res.panicked != nil {
			t.Fatalf("%s %s?%s panicked: %v", method, path, encoded, res.panicked)
		}
		if res.status >= 500 {
			t.Fatalf("%s %s?%s: HTTP %d: %s", method, path, encoded, res.status, res.body)
		}
	})
}
