// Command gen regenerates internal/spec/digest.json and
// internal/spec/examples.json from Twilio's OpenAPI description of the
// Conversations v1 API. Run it from the repository root:
//
//	go run ./internal/spec/gen
//
// Flags:
//
//	-in            the OpenAPI JSON (default ../shared/twilio-oai/twilio_conversations_v1.json)
//	-out           the digest to write (default internal/spec/digest.json)
//	-examples-out  the response examples to write (default internal/spec/examples.json)
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/conversations-go/conversations/internal/spec"
)

func main() {
	in := flag.String("in", "../shared/twilio-oai/twilio_conversations_v1.json", "OpenAPI JSON to read")
	out := flag.String("out", "internal/spec/digest.json", "digest file to write")
	examplesOut := flag.String("examples-out", "internal/spec/examples.json", "examples file to write")
	flag.Parse()
	if err := run(*in, *out, *examplesOut); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(in, out, examplesOut string) error {
	src, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	d, err := spec.Build(src)
	if err != nil {
		return err
	}
	digest, err := d.Marshal()
	if err != nil {
		return err
	}
	ex, err := spec.BuildExamples(src)
	if err != nil {
		return err
	}
	examples, err := ex.Marshal()
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, digest, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(examplesOut, examples, 0o644); err != nil {
		return err
	}
	fmt.Printf("wrote %s (%d operations, %d bytes) and %s (%d bytes)\n",
		out, len(d.Operations), len(digest), examplesOut, len(examples))
	return nil
}
