//go:build !race

package reliability_test

// raceEnabled reports whether the suite runs under the race detector.
const raceEnabled = false
