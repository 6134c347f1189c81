package resolver

import (
	"encoding/json"
	"net/url"
	"time"

	"github.com/fnenv/fnenv/resolver/envtype"
)

// Values are the resolved values a generated env package builds its Env
// from, each read as its type. A value that does not parse as its type is
// recorded, the getter returns the type's zero value, and Load then fails
// with an *InvalidValuesError naming every such variable: the Env built
// from these Values is dropped. Values print with every secret masked
// (see Format).
type Values struct {
	decl *Declaration
	vals map[string]string
	bad  []Invalid
	// Lambda is the Lambda runtime's values at the time of resolution.
	Lambda Lambda
}

// Get returns the value of the variable name (an env var key, e.g.
// "API_KEY") as it is, or "" when the Declaration did not list it.
func (v *Values) Get(name string) string { return v.vals[name] }

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
	if err == nil {
		return
	}
	in := Invalid{Var: name, Type: t, Source: "literal", Reason: err.Error()}
	if v.decl != nil {
		for _, x := range v.decl.Vars {
			if x.Name == name {
				in.Source = x.source()
			}
		}
	}
	v.bad = append(v.bad, in)
}

// secret reports whether x holds a secret (SSM or Secrets Manager): its
// value is masked when printed and never shown in an error.
func (x Var) secret() bool { return x.Secret != "" || x.SecretsManager != "" }

// source says where x's value comes from, for errors.
func (x Var) source() string {
	switch {
	case x.Secret != "":
		return "secret " + x.Secret
	case x.SecretsManager != "" && x.JSONField != "":
		return "Secrets Manager secret " + x.SecretsManager + ", field " + x.JSONField
	case x.SecretsManager != "":
		return "Secrets Manager secret " + x.SecretsManager
	}
	return "literal"
}
