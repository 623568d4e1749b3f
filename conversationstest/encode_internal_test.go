package conversationstest

import (
	"encoding/json"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestExportThatFailsAnswers500: should a value the emulator holds ever be
// one JSON cannot carry (here a date past year 9999 put in by hand, which
// the API and imports now refuse), the export answers 500 with a JSON
// error, never 200 with an empty body, and ExportState returns the error.
func TestExportThatFailsAnswers500(t *testing.T) {
	e := New()
	defer e.Close()
	e.mu.Lock()
	e.defaultSvc.created = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	e.mu.Unlock()

	_, err := e.ExportState()
	require.Error(t, err)
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "http://127.0.0.1/_emulator/state", nil)
	req.SetBasicAuth(DefaultAccountSID, DefaultAuthToken)
	e.ServeHTTP(rec, req)
	assert.Equal(t, 500, rec.Code)
	var body controlError
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body), "a JSON error: %q", rec.Body.String())
	assert.Equal(t, 500, body.Status)
	assert.Contains(t, body.Message, "year outside of range")

	// The REST API's answers are encoded before they are sent too.
	rec = httptest.NewRecorder()
	writeJSON(rec, 200, map[string]any{"date": time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)})
	assert.Equal(t, 500, rec.Code)
	var apiBody struct {
		Code   int `json:"code"`
		Status int `json:"status"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &apiBody), "a JSON error: %q", rec.Body.String())
	assert.Equal(t, 20500, apiBody.Code)
	assert.Equal(t, 500, apiBody.Status)
}
