package gensupport

import (
	"encoding/json"
	"net/url"
	"time"

	"github.com/fnenv/fnenv/resolver/envtype"
)

// Values are the resolved values a generated env package builds its Env
// from, each read as its type. A value that does not parse as its type is
// reported to the Loader, the getter returns the type's zero value, and
// Load then fails with a *resolver.InvalidValuesError naming every such
// variable: the Env built from these Values is dropped. Values print with
// every secret masked (see Format).
type Values struct {
	decl      *Declaration
	vals      map[string]string
	srcs      map[string]Source // nil when read from a dotenv file
	onInvalid func(name string, t envtype.Type, err error)
}

// NewValues returns the values vals of decl's variables, and where each
// came from (srcs; nil when read from a dotenv file), both by variable
// name; onInvalid is told of each value that does not parse as its type.
// The Loader calls it.
func NewValues(decl *Declaration, vals map[string]string, srcs map[string]Source, onInvalid func(name string, t envtype.Type, err error)) *Values {
	return &Values{decl: decl, vals: vals, srcs: srcs, onInvalid: onInvalid}
}

// Get returns the value of the variable name (an env var key, e.g.
// "API_KEY") as it is, or "" when the Declaration did not list it.
func (v *Values) Get(name string) string { return v.vals[name] }

// Source kinds: where Load found a variable's value.
const (
	SourceLiteral        = "literal"         // the function's configuration
	SourceParameter      = "parameter"       // an existing SSM parameter, by path or ARN
	SourceBranch         = "branch"          // the branch's SSM parameter
	SourceShared         = "shared"          // the shared SSM parameter (no branch value)
	SourceSecretsManager = "secrets-manager" // a Secrets Manager secret, or one JSON field of it
)

// Source says where Load found one variable's value, for tools that show
// a function's environment (`fnenv env`); it never holds the value.
type Source struct {
	// Kind is SourceLiteral, SourceBranch, SourceShared or
	// SourceSecretsManager.
	Kind string
	// ID is the SSM parameter's name for SourceBranch and SourceShared,
	// its path or ARN for SourceParameter, the first parameter holding the
	// literals moved out of the environment for such a SourceLiteral,
	// the secret's id (ARN or name) for SourceSecretsManager; "" for a
	// literal.
	ID string
	// Field is the JSON field of a Secrets Manager secret; "" for its whole
	// SecretString and for other kinds.
	Field string
}

// Source returns where the value of the variable name came from; the zero
// Source when it was read from a dotenv file or the Declaration did not
// list it.
func (v *Values) Source(name string) Source { return v.srcs[name] }

// Int returns the value of name as an envtype.Int.
func (v *Values) Int(name string) int {
	n, err := envtype.ParseInt(v.vals[name])
	v.check(name, envtype.Int, err)
	return n
}

// Bool returns the value of name as an envtype.Bool.
func (v *Values) Bool(name string) bool {
	b, err := envtype.ParseBool(v.vals[name])
	v.check(name, envtype.Bool, err)
	return b
}

// Float returns the value of name as an envtype.Float.
func (v *Values) Float(name string) float64 {
	f, err := envtype.ParseFloat(v.vals[name])
	v.check(name, envtype.Float, err)
	return f
}

// Duration returns the value of name as an envtype.Duration.
func (v *Values) Duration(name string) time.Duration {
	d, err := envtype.ParseDuration(v.vals[name])
	v.check(name, envtype.Duration, err)
	return d
}

// URL returns the value of name as an envtype.URL; nil when invalid.
func (v *Values) URL(name string) *url.URL {
	u, err := envtype.ParseURL(v.vals[name])
	v.check(name, envtype.URL, err)
	return u
}

// StringList returns the value of name as an envtype.StringList.
func (v *Values) StringList(name string) []string { return envtype.ParseStringList(v.vals[name]) }

// JSON returns the value of name as an envtype.JSON; nil when invalid.
func (v *Values) JSON(name string) json.RawMessage {
	j, err := envtype.ParseJSON(v.vals[name])
	v.check(name, envtype.JSON, err)
	return j
}

func (v *Values) check(name string, t envtype.Type, err error) {
	if err != nil && v.onInvalid != nil {
		v.onInvalid(name, t, err)
	}
}
