// Package form parses application/x-www-form-urlencoded text (form bodies
// and URL queries) the way Node's querystring, Python's parse_qs, servlet
// containers, Rails and PHP do: only '&' separates pairs, and a raw ';' is an
// ordinary character of a key or value. Go's url.ParseQuery refuses such a
// pair since Go 1.17; everything else matches it: '+' is a space, %XX is
// unescaped, a pair without '=' has an empty value, an empty pair is skipped,
// a pair whose escape is bad is dropped and the first such error returned,
// and a text of more than MaxParams pairs is refused before any parsing.
//
// The core package and the emulator share it, so that a webhook and a REST
// call read the same form the same way.
package form

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// MaxParams is the most pairs one text may hold, as net/url allows by default.
const MaxParams = 10000

// MaxBody is the largest form body ParseRequest reads, as net/http's
// ParseForm allows when the body is not otherwise limited.
const MaxBody = 10 << 20

var (
	// ErrTooManyParams is returned for a text of more than MaxParams pairs.
	ErrTooManyParams = errors.New("number of form parameters exceeded limit")
	// ErrBodyTooLarge is returned for a form body of more than MaxBody bytes.
	ErrBodyTooLarge = errors.New("form body too large")
)

// Parse parses s, a form body or URL query. It returns the pairs that parse
// and the first error met (a bad %-escape, or ErrTooManyParams, in which case
// the result is empty). Values are kept byte for byte after unescaping.
func Parse(s string) (url.Values, error) {
	m := make(url.Values)
	if strings.Count(s, "&")+1 > MaxParams {
		return m, ErrTooManyParams
	}
	var err error
	for s != "" {
		var pair string
		pair, s, _ = strings.Cut(s, "&")
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		k, err1 := url.QueryUnescape(k)
		if err1 == nil {
			v, err1 = url.QueryUnescape(v)
		}
		if err1 != nil {
			if err == nil {
				err = err1
			}
			continue
		}
		m[k] = append(m[k], v)
	}
	return m, err
}

// Query parses a URL's raw query, dropping the pairs that do not parse, as
// url.URL.Query does.
func Query(u *url.URL) url.Values {
	if u == nil {
		return url.Values{}
	}
	v, _ := Parse(u.RawQuery)
	return v
}

// ParseRequest fills r.PostForm and r.Form as http.Request.ParseForm does,
// with Parse: for POST, PUT and PATCH a body of Content-Type
// application/x-www-form-urlencoded (at most MaxBody bytes) is read into PostForm; Form holds
// PostForm's values and then the query's. Like ParseForm it does nothing to
// fields already set and returns the first error met. Later calls of
// r.ParseForm, r.FormValue and r.PostFormValue use these fields.
func ParseRequest(r *http.Request) error {
	var err error
	if r.PostForm == nil {
		if r.Method == http.MethodPost || r.Method == http.MethodPut || r.Method == http.MethodPatch {
			r.PostForm, err = parseBody(r)
		}
		if r.PostForm == nil {
			r.PostForm = make(url.Values)
		}
	}
	if r.Form == nil {
		r.Form = make(url.Values, len(r.PostForm))
		for k, vs := range r.PostForm {
			r.Form[k] = append([]string(nil), vs...)
		}
		if r.URL != nil {
			q, e := Parse(r.URL.RawQuery)
			if err == nil {
				err = e
			}
			for k, vs := range q {
				r.Form[k] = append(r.Form[k], vs...)
			}
		}
	}
	return err
}

// parseBody reads the form body of r, following net/http's rules on the
// Content-Type: an empty one is application/octet-stream, and anything but
// application/x-www-form-urlencoded is not read.
func parseBody(r *http.Request) (url.Values, error) {
	if r.Body == nil {
		return nil, errors.New("missing form body")
	}
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		ct = "application/octet-stream"
	}
	ct, _, err := mime.ParseMediaType(ct)
	if ct != "application/x-www-form-urlencoded" {
		return nil, err
	}
	b, e := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
	if e != nil {
		if err == nil {
			err = e
		}
		return nil, err
	}
	if len(b) > MaxBody {
		return nil, ErrBodyTooLarge
	}
	vs, e := Parse(string(b))
	if err == nil {
		err = e
	}
	return vs, err
}
