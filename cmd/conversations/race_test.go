//go:build race

package main

// raceEnabled: the tests run with -race, so the command they run is built
// with -race too (its memory is measured on a plain build).
const raceEnabled = true
