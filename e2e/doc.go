// Package e2e holds the end-to-end tests that drive a real browser (Debian's
// chromium, headless, through chromedp) against the emulator binary. It is a
// module of its own so that chromedp is no dependency of the library.
package e2e
