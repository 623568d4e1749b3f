package spec

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"sync"
)

//go:embed examples.json
var examplesJSON []byte

var loadExamples = sync.OnceValues(func() (ExampleSet, error) {
	var set ExampleSet
	if err := json.Unmarshal(examplesJSON, &set); err != nil {
		return nil, fmt.Errorf("spec: decoding embedded examples.json: %w", err)
	}
	// Store the values compacted, as the spec has them, not as indented in the file.
	for _, byName := range set {
		for name, raw := range byName {
			var buf bytes.Buffer
			if err := json.Compact(&buf, raw); err != nil {
				return nil, fmt.Errorf("spec: examples.json: %w", err)
			}
			byName[name] = buf.Bytes()
		}
	}
	return set, nil
})

// Examples returns the spec's response examples for an operation, keyed by
// example name (e.g. "create", "read_full"), as compact JSON. The map and
// its values are copies the caller may modify. It is an error if the
// operation has no examples.
func Examples(operationID string) (map[string]json.RawMessage, error) {
	set, err := loadExamples()
	if err != nil {
		return nil, err
	}
	byName, ok := set[operationID]
	if !ok {
		return nil, fmt.Errorf("spec: no response examples for operation %q", operationID)
	}
	out := make(map[string]json.RawMessage, len(byName))
	for name, raw := range byName {
		out[name] = bytes.Clone(raw)
	}
	return out, nil
}

// Example returns one response example of an operation as compact JSON
// (a copy the caller may modify).
func Example(operationID, name string) ([]byte, error) {
	set, err := loadExamples()
	if err != nil {
		return nil, err
	}
	byName, ok := set[operationID]
	if !ok {
		return nil, fmt.Errorf("spec: no response examples for operation %q", operationID)
	}
	raw, ok := byName[name]
	if !ok {
		return nil, fmt.Errorf("spec: operation %q has no response example %q", operationID, name)
	}
	return bytes.Clone(raw), nil
}

// MustExample is like Example but panics on error. Meant for tests.
func MustExample(operationID, name string) []byte {
	b, err := Example(operationID, name)
	if err != nil {
		panic(err)
	}
	return b
}
