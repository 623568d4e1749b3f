package main

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode"

	"github.com/conversations-go/conversations"
)

// The columns of a participants CSV file, named by its header row. An
// "error" column (as in the failed-rows file this command writes) is
// ignored, so that file can be fed back in.
const (
	colIdentity  = "identity"
	colAddress   = "address"
	colProxy     = "proxy_address"
	colProjected = "projected_address"
	colAttrs     = "attributes"
	colError     = "error"
)

var knownColumns = []string{colIdentity, colAddress, colProxy, colProjected, colAttrs}

// csvRow is one data row of the file.
type csvRow struct {
	line   int      // line number in the file (the header is line 1)
	fields []string // as read, for the failed-rows file
	params *conversations.ParticipantCreateParams
	bad    string // why the row is refused, "" when valid
}

// csvInput is a parsed participants file.
type csvInput struct {
	header []string // as read, without an "error" column
	cols   map[string]int
	rows   []*csvRow
}

// readParticipantsCSV reads and checks every row. A file that cannot be read
// as CSV at all, or whose header is wrong, is an error; a bad row is kept
// with the reason in bad.
func readParticipantsCSV(r io.Reader) (*csvInput, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("the file is empty: want a header row naming the columns (identity,address,proxy_address,projected_address,attributes)")
	}
	if err != nil {
		return nil, err
	}
	in := &csvInput{cols: map[string]int{}}
	errCol := -1
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		switch {
		case name == colError:
			errCol = i
			continue
		case !isKnownColumn(name):
			return nil, fmt.Errorf("line 1: unknown column %q: the header row names the columns, from %s", h, strings.Join(knownColumns, ", "))
		}
		if _, dup := in.cols[name]; dup {
			return nil, fmt.Errorf("line 1: column %q appears twice", name)
		}
		in.cols[name] = len(in.header)
		in.header = append(in.header, name)
	}
	_, hasID := in.cols[colIdentity]
	_, hasAddr := in.cols[colAddress]
	_, hasProj := in.cols[colProjected]
	if !hasID && !hasAddr && !hasProj {
		return nil, errors.New("line 1: the header row names no identity, address or projected_address column")
	}
	seen := map[string]int{} // participant key -> line
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) && !errors.Is(err, csv.ErrFieldCount) {
				return nil, fmt.Errorf("line %d: %v", pe.StartLine, pe.Err)
			}
			return nil, err
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(header) {
			in.rows = append(in.rows, &csvRow{line: line, fields: rec, bad: fmt.Sprintf("has %d fields, the header has %d", len(rec), len(header))})
			continue
		}
		if errCol >= 0 {
			rec = append(rec[:errCol:errCol], rec[errCol+1:]...)
		}
		row := &csvRow{line: line, fields: rec}
		row.params, row.bad = in.participant(rec)
		if row.bad == "" {
			key := participantKey(row.params)
			if first, dup := seen[key]; dup {
				row.bad = fmt.Sprintf("the same participant as line %d", first)
			} else {
				seen[key] = line
			}
		}
		in.rows = append(in.rows, row)
	}
	return in, nil
}

func isKnownColumn(name string) bool {
	for _, c := range knownColumns {
		if c == name {
			return true
		}
	}
	return false
}

func (in *csvInput) field(rec []string, col string) string {
	if i, ok := in.cols[col]; ok {
		return strings.TrimSpace(rec[i])
	}
	return ""
}

// participant checks one row and makes its parameters. The reason a row is
// refused never quotes its address (a customer's phone number).
func (in *csvInput) participant(rec []string) (*conversations.ParticipantCreateParams, string) {
	p := &conversations.ParticipantCreateParams{
		Identity:                         in.field(rec, colIdentity),
		MessagingBindingAddress:          in.field(rec, colAddress),
		MessagingBindingProxyAddress:     in.field(rec, colProxy),
		MessagingBindingProjectedAddress: in.field(rec, colProjected),
	}
	if p.Identity == "" && p.MessagingBindingAddress == "" && p.MessagingBindingProjectedAddress == "" {
		return nil, "needs an identity, an address or a projected_address"
	}
	if strings.IndexFunc(p.Identity, unicode.IsControl) >= 0 {
		return nil, "identity holds a control character"
	}
	if len(p.Identity) > 256 {
		return nil, "identity is longer than 256 characters"
	}
	for _, f := range []struct{ name, v string }{
		{colAddress, p.MessagingBindingAddress},
		{colProxy, p.MessagingBindingProxyAddress},
		{colProjected, p.MessagingBindingProjectedAddress},
	} {
		if why := checkAddress(f.v); why != "" {
			return nil, f.name + " " + why
		}
	}
	if p.MessagingBindingAddress != "" && p.MessagingBindingAddress == p.MessagingBindingProxyAddress {
		return nil, "address and proxy_address are the same"
	}
	if p.MessagingBindingProxyAddress != "" && p.MessagingBindingAddress == "" {
		return nil, "proxy_address without an address"
	}
	if s := in.field(rec, colAttrs); s != "" {
		attrs, err := conversations.ParseAttributes(s)
		if err != nil {
			return nil, "attributes are not valid JSON"
		}
		p.Attributes = attrs
	}
	return p, ""
}

// e164 is a phone number in E.164 form.
var e164 = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// checkAddress checks a messaging address: a phone number in E.164 form,
// whatsapp:+E.164, or another channel's address (messenger:…, gbm:…,
// rcs:…, apple:…, an email address). It returns why the address is refused,
// or "".
func checkAddress(s string) string {
	if s == "" {
		return ""
	}
	if strings.IndexFunc(s, unicode.IsSpace) >= 0 {
		return "holds a space"
	}
	if num, ok := strings.CutPrefix(s, "whatsapp:"); ok {
		if !e164.MatchString(num) {
			return "is not whatsapp: followed by a phone number in E.164 form (+ and 7 to 15 digits)"
		}
		return ""
	}
	if strings.HasPrefix(s, "+") || s[0] >= '0' && s[0] <= '9' {
		if !e164.MatchString(s) {
			return "is not a phone number in E.164 form (+ and 7 to 15 digits)"
		}
		return ""
	}
	if prefix, rest, ok := strings.Cut(s, ":"); ok {
		switch prefix {
		case "messenger", "gbm", "rcs", "apple":
			if rest != "" {
				return ""
			}
		}
		return "has an unknown channel prefix (want whatsapp:, messenger:, gbm:, rcs: or apple:)"
	}
	if strings.Contains(s, "@") {
		return "" // an email address
	}
	return "is neither a phone number (+15551234567) nor a channel address (whatsapp:+15551234567)"
}

// participantKey is what makes two rows the same participant, as AddMany
// sees it: the identity, else the address, else the projected address.
func participantKey(p *conversations.ParticipantCreateParams) string {
	switch {
	case p.Identity != "":
		return "identity:" + p.Identity
	case p.MessagingBindingAddress != "":
		return "address:" + p.MessagingBindingAddress
	}
	return "projected:" + p.MessagingBindingProjectedAddress
}

// writeFailedCSV writes rows (with why each failed) to w in the input's
// columns, plus an "error" column, so the file can be fixed and fed back in.
func writeFailedCSV(w io.Writer, header []string, rows []*csvRow, why map[*csvRow]string) error {
	cw := csv.NewWriter(w)
	cols := len(header)
	if err := cw.Write(append(append([]string{}, header...), colError)); err != nil {
		return err
	}
	for _, r := range rows {
		rec := make([]string, cols, cols+1)
		copy(rec, r.fields)
		if err := cw.Write(append(rec, why[r])); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
