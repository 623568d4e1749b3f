package conversationstest

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"net/http"
	"path"
	"strings"
	"time"
)

// uiPrefix is where the web inspector is served.
const uiPrefix = "/_emulator/ui/"

// The web inspector: plain HTML, CSS and JavaScript modules, embedded, with
// no build step and nothing fetched from elsewhere.
//
//go:embed ui
var uiFiles embed.FS

// uiAsset is one embedded file, ready to serve.
type uiAsset struct {
	body        []byte
	contentType string
	etag        string
}

// uiTypes are the content types of the files the inspector is made of; a
// file of another kind is not served.
var uiTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
}

// uiAssets maps a name under uiPrefix ("" for the page) to its file.
var uiAssets = loadUIAssets()

func loadUIAssets() map[string]uiAsset {
	entries, err := uiFiles.ReadDir("ui")
	if err != nil {
		panic("conversationstest: embedded inspector missing: " + err.Error())
	}
	assets := make(map[string]uiAsset, len(entries))
	for _, de := range entries {
		ct, ok := uiTypes[path.Ext(de.Name())]
		if de.IsDir() || !ok {
			continue
		}
		body, err := uiFiles.ReadFile("ui/" + de.Name())
		if err != nil {
			panic("conversationstest: embedded inspector unreadable: " + err.Error())
		}
		sum := sha256.Sum256(body)
		assets[de.Name()] = uiAsset{body: body, contentType: ct, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
	}
	assets[""] = assets["index.html"]
	return assets
}

// uiPolicy is the pages' Content-Security-Policy: scripts, styles and
// requests to the emulator itself only, no framing.
const uiPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; " +
	"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// serveUI serves the inspector's files under uiPrefix. They hold no secret,
// so they need no credentials; the page reads those from its URL fragment.
func serveUI(w http.ResponseWriter, r *http.Request) {
	name, _ := strings.CutPrefix(r.URL.Path, uiPrefix)
	a, ok := uiAssets[name]
	if !ok {
		writeControlError(w, controlErr(http.StatusNotFound, "the inspector has no file %s", r.URL.Path))
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("Content-Security-Policy", uiPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", a.etag)
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(a.body))
}

// inspectorRoutes registers the web inspector and its change feed on the
// control API's router.
func (e *Emulator) inspectorRoutes() {
	e.controlRaw("GET "+uiPrefix, accessPublic, http.HandlerFunc(serveUI))
	e.controlRaw("GET /_emulator/events", accessRead, http.HandlerFunc(e.serveEvents))
}

// inspectorRead reports whether r is one of the web inspector's reads,
// which the request log leaves out: the page reloads what it shows on every
// change, and those lines would bury the app's own requests.
func inspectorRead(r *http.Request) bool {
	return (r.Method == http.MethodGet || r.Method == http.MethodHead) && r.Header.Get("X-Emulator-Client") == "inspector"
}
