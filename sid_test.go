package conversations

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestIsSID(t *testing.T) {
	hex := strings.Repeat("0123456789abcdef", 2)
	for s, want := range map[string]bool{
		"ME" + hex:                  true,
		"ME" + strings.ToUpper(hex): true,
		"HX" + hex:                  false, // another prefix
		"ME" + hex[:31]:             false, // too short
		"ME" + hex + "0":            false, // too long
		"ME" + hex[:31] + "g":       false, // not hexadecimal
		"me" + hex:                  false,
		"":                          false,
		"ME":                        false,
		"ME" + hex[:30] + "\u00e9":  false, // 32 bytes, not 32 hex digits
	} {
		assert.Equal(t, want, isSID(s, "ME"), "%q", s)
	}
}
