package conversationsotel_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	// The OTLP exporters docs/telemetry.md shows, kept in go.mod for
	// TestDocsSnippetsCompile.
	_ "go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	_ "go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
)

// TestDocsSnippetsCompile builds every complete program (package main) in
// the Go fences of docs/telemetry.md within this module, where its
// OpenTelemetry imports resolve.
func TestDocsSnippetsCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("builds programs with the go command")
	}
	doc, err := os.ReadFile("../docs/telemetry.md")
	require.NoError(t, err)
	fences := regexp.MustCompile("(?s)```go\n(.*?)```").FindAllStringSubmatch(string(doc), -1)
	require.NotEmpty(t, fences)
	built := 0
	for i, f := range fences {
		if !strings.HasPrefix(f[1], "package main") {
			continue
		}
		dir := filepath.Join(".", "_docsnippet"+string(rune('a'+i)))
		require.NoError(t, os.MkdirAll(dir, 0o755))
		t.Cleanup(func() { os.RemoveAll(dir) })
		require.NoError(t, os.WriteFile(filepath.Join(dir, "main.go"), []byte(f[1]), 0o644))
		out, err := exec.Command("go", "vet", "./"+dir).CombinedOutput()
		require.NoError(t, err, "snippet %d of docs/telemetry.md:\n%s", i, out)
		built++
	}
	require.Positive(t, built)
}
