// Package envtype holds the types a variable of a function's environment
// can have and the one parser of each: the function construct checks a
// literal with it at synth (through package model) and the handler-side
// resolver parses every value with it at Load. It imports only the
// standard library, and no regexp, so that handlers link it cheaply.
package envtype

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Type is the type of a variable's value, as the spec records it.
type Type string

// The types. The zero Type ("") is String.
const (
	// String is any text, as it is (the default).
	String Type = "string"
	// Int is a decimal integer that fits in a Go int (strconv.Atoi), like
	// "8080" or "-1".
	Int Type = "int"
	// Bool is what strconv.ParseBool accepts: 1, t, T, TRUE, true, True,
	// 0, f, F, FALSE, false, False.
	Bool Type = "bool"
	// Float is a finite decimal or exponent number (strconv.ParseFloat, 64
	// bits), like "0.25" or "1e-3"; NaN and infinities are refused.
	Float Type = "float"
	// Duration is a Go duration (time.ParseDuration), like "300ms",
	// "1.5s" or "2h45m".
	Duration Type = "duration"
	// URL is an absolute URL with a scheme and a host (url.Parse), like
	// "https://api.example.com/v1".
	URL Type = "url"
	// StringList is a comma-separated list: each item trimmed of spaces,
	// empty items dropped ("a, b,,c" → [a b c]; "" → none).
	StringList Type = "stringlist"
	// JSON is any valid JSON text (json.Valid), like `{"a":1}` or `[1,2]`;
	// kept as its bytes, unparsed.
	JSON Type = "json"
)

// All lists every Type, String first.
var All = []Type{String, Int, Bool, Float, Duration, URL, StringList, JSON}

// Of returns t, or String for the zero Type.
func Of(t Type) Type {
	if t == "" {
		return String
	}
	return t
}

// Valid reports whether t is one of All or the zero Type.
func (t Type) Valid() bool {
	switch Of(t) {
	case String, Int, Bool, Float, Duration, URL, StringList, JSON:
		return true
	}
	return false
}

// GoType is the Go type a generated Env field of type t has: string, int,
// bool, float64, time.Duration, *url.URL, []string or json.RawMessage.
func (t Type) GoType() string {
	switch Of(t) {
	case Int:
		return "int"
	case Bool:
		return "bool"
	case Float:
		return "float64"
	case Duration:
		return "time.Duration"
	case URL:
		return "*url.URL"
	case StringList:
		return "[]string"
	case JSON:
		return "json.RawMessage"
	}
	return "string"
}

// Form describes the text t accepts, for doc comments and errors, e.g.
// "a decimal integer, like 8080".
func (t Type) Form() string {
	switch Of(t) {
	case Int:
		return "a decimal integer, like 8080"
	case Bool:
		return "true or false (also 1, t, T, TRUE, True, 0, f, F, FALSE, False)"
	case Float:
		return "a finite number, like 0.25 or 1e-3"
	case Duration:
		return "a Go duration, like 300ms, 1.5s or 2h45m"
	case URL:
		return "an absolute URL with a scheme and a host, like https://api.example.com/v1"
	case StringList:
		return "a comma-separated list, items trimmed, empty items dropped, like a, b, c"
	case JSON:
		return `valid JSON, like {"a":1}`
	}
	return "any text"
}

// Check reports whether s is a valid value of type t. Its error says what
// t accepts and never quotes s, so that callers decide whether the value
// may be shown (a literal) or not (a secret).
func (t Type) Check(s string) error {
	var err error
	switch Of(t) {
	case String, StringList:
	case Int:
		_, err = ParseInt(s)
	case Bool:
		_, err = ParseBool(s)
	case Float:
		_, err = ParseFloat(s)
	case Duration:
		_, err = ParseDuration(s)
	case URL:
		_, err = ParseURL(s)
	case JSON:
		_, err = ParseJSON(s)
	default:
		err = fmt.Errorf("%q is not a type fnenv knows (%s)", string(t), names())
	}
	return err
}

func names() string {
	s := make([]string, len(All))
	for i, t := range All {
		s[i] = string(t)
	}
	return strings.Join(s, ", ")
}

// formError is a value that is not of its type.
func formError(t Type) error { return fmt.Errorf("want %s", t.Form()) }

// ParseInt parses an Int.
func ParseInt(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
			return 0, fmt.Errorf("out of range for a Go int; want %s", Int.Form())
		}
		return 0, formError(Int)
	}
	return n, nil
}

// ParseBool parses a Bool.
func ParseBool(s string) (bool, error) {
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, formError(Bool)
	}
	return b, nil
}

// ParseFloat parses a Float.
func ParseFloat(s string) (float64, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, formError(Float)
	}
	return f, nil
}

// ParseDuration parses a Duration.
func ParseDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, formError(Duration)
	}
	return d, nil
}

// ParseURL parses a URL.
func ParseURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, formError(URL)
	}
	return u, nil
}

// ParseStringList parses a StringList; it never fails. No items give nil.
func ParseStringList(s string) []string {
	var out []string
	for item := range strings.SplitSeq(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// ParseJSON parses a JSON value: the bytes of s, once checked valid.
func ParseJSON(s string) (json.RawMessage, error) {
	if !json.Valid([]byte(s)) {
		return nil, formError(JSON)
	}
	return json.RawMessage(s), nil
}
