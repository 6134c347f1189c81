package function

import (
	"github.com/fnenv/fnenv/resolver/envtype"
)

// Type is the type of a variable's value: the Go type of its field in the
// generated Env, and the form the value must have. Give it with Value.As.
type Type = envtype.Type

// The types a Value can have, with the Go type of the generated field and
// the text accepted (the rules of package envtype, which both synth and the
// handler's Load apply).
const (
	// String: string, any text. The default.
	String = envtype.String
	// Int: int, a decimal integer (strconv.Atoi), like "8080".
	Int = envtype.Int
	// Bool: bool, what strconv.ParseBool accepts: "true", "false", "1",
	// "0", "t", "f", "TRUE", "FALSE", "True", "False", "T", "F".
	Bool = envtype.Bool
	// Float: float64, a finite number (strconv.ParseFloat), like "0.25".
	Float = envtype.Float
	// Duration: time.Duration, a Go duration (time.ParseDuration), like
	// "1.5s" or "2h45m".
	Duration = envtype.Duration
	// URL: *url.URL, an absolute URL with a scheme and a host, like
	// "https://api.example.com/v1".
	URL = envtype.URL
	// StringList: []string, a comma-separated list, each item trimmed of
	// spaces, empty items dropped ("a, b,,c" → ["a" "b" "c"]).
	StringList = envtype.StringList
	// JSON: json.RawMessage, any valid JSON text, kept unparsed.
	JSON = envtype.JSON
)

// As returns v with type t: the generated Env field has t's Go type and
// the value is parsed once, at the edge. A literal is checked at synth (a
// bad one is a synth problem naming the function, the key, the type and
// the literal); a literal holding a CDK token, and a secret, are parsed by
// Load, which fails naming every bad variable and its type, never the
// value.
//
//	"PORT":    function.Literal("8080").As(function.Int),
//	"TIMEOUT": function.Literal("2.5s").As(function.Duration),
//	"DB":      function.Secret("DB_CONFIG").As(function.JSON),
func (v Value) As(t Type) Value {
	v.typ = t
	return v
}
