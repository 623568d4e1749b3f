//go:build race

package reliability_test

// raceEnabled reports whether the suite runs under the race detector, which
// makes each request about 15 times slower: the heaviest matrices then run
// a deterministic sample.
const raceEnabled = true
