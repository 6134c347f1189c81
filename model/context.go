package model

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// The CDK context keys fnenv reads (`cdk synth -c key=value`, or "context"
// in cdk.json). ParseContext is their one parser: the construct, the
// backend and the CLI accept and refuse the same values with the same
// message.
const (
	// ContextAppID holds the app id, e.g. "fnenv-sample".
	ContextAppID = "appId"
	// ContextBranch holds the branch as git names it, e.g. "feature/login".
	ContextBranch = "branch"
	// ContextPrefix holds the root of the parameter paths. Default:
	// DefaultPrefix, "/amplify".
	ContextPrefix = "fnenvPrefix"
	// ContextSecretsMaxAge holds the app-wide default of a function's
	// SecretsMaxAge, as a Go duration ("30s", "10m", "0s" for the life of the
	// execution environment). A function's own SecretsMaxAge wins.
	// Default: DefaultSecretsMaxAge, 5 minutes.
	ContextSecretsMaxAge = "fnenvSecretsMaxAge"
	// ContextCodegen, set to false, stops the construct from writing env
	// packages at synth. Default: env packages are written.
	ContextCodegen = "fnenvCodegen"
	// ContextCheckSecrets steers synth's check, with the standard AWS
	// credential chain, that every referenced secret is set for the branch
	// (never reading a value), as `fnenv secret check` does. Unset (the
	// default): checked when credentials are available, else one warning;
	// true: required (no credentials is an error); false: off.
	ContextCheckSecrets = "fnenvCheckSecrets"
	// ContextPaths holds the layout of parameter paths: "fnenv" (the
	// default) or "amplify" for Amplify Gen 2's own (see Paths).
	ContextPaths = "fnenvPaths"
)

// ContextKeys are the context keys fnenv reads, in the order ParseContext
// reports their problems.
var ContextKeys = []string{
	ContextAppID, ContextBranch, ContextPrefix, ContextPaths,
	ContextSecretsMaxAge, ContextCodegen, ContextCheckSecrets,
}

// DefaultSecretsMaxAge is how long a handler reuses resolved secrets
// before the next Load reads them again, unless the function
// (SecretsMaxAge) or the context (ContextSecretsMaxAge) says otherwise.
const DefaultSecretsMaxAge = 5 * time.Minute

// Context is fnenv's part of a CDK app's context, parsed by ParseContext.
// A key that is unset, or set to "", leaves its field zero (nil for the
// pointers); the methods give the defaults.
type Context struct {
	// AppID, Branch and Prefix are as given; their rules are the
	// backend's (ValidateBackend), checked when it is resolved.
	AppID, Branch, Prefix string
	// Paths is the layout of parameter paths; "" is PathsFnenv.
	Paths Paths
	// SecretsMaxAge is the app-wide default of a function's max age.
	SecretsMaxAge *time.Duration
	// Codegen says whether the construct writes env packages at synth.
	Codegen *bool
	// CheckSecrets says whether synth checks that every referenced secret
	// is set.
	CheckSecrets *bool
}

// MaxAge is SecretsMaxAge, or DefaultSecretsMaxAge when unset.
func (c Context) MaxAge() time.Duration {
	if c.SecretsMaxAge == nil {
		return DefaultSecretsMaxAge
	}
	return *c.SecretsMaxAge
}

// CodegenOn is Codegen, or true when unset: env packages are written.
func (c Context) CodegenOn() bool { return c.Codegen == nil || *c.Codegen }

// ParseContext parses fnenv's keys of a CDK app's context: the "context"
// object of cdk.json as encoding/json decodes it, or what the construct
// tree's TryGetContext returns for each of ContextKeys (a `-c key=value`
// is always a string). Other keys are ignored. The rules:
//
//   - appId, branch, fnenvPrefix, fnenvPaths: a string (fnenvPaths
//     "fnenv" or "amplify": ParsePaths); `"appId": 123` is refused.
//   - fnenvSecretsMaxAge: a Go duration of zero or more, as a string
//     ("30s", "10m", "0s").
//   - fnenvCodegen, fnenvCheckSecrets: true or false, as JSON booleans or
//     as the strings "true" and "false" that -c gives.
//
// It returns every problem at once, each naming the key, the rule and the
// value given, joined with errors.Join; the Context holds the keys that
// parsed.
func ParseContext(ctx map[string]any) (Context, error) {
	var c Context
	var errs []error
	bad := func(key, rule string) {
		errs = append(errs, fmt.Errorf("context %s must be %s, got %s", key, rule, describe(ctx[key])))
	}
	str := func(key string) (string, bool) {
		switch v := ctx[key].(type) {
		case nil:
			return "", true
		case string:
			return v, true
		case *string:
			if v == nil {
				return "", true
			}
			return *v, true
		}
		return "", false
	}
	for _, key := range ContextKeys {
		s, isStr := str(key)
		switch key {
		case ContextAppID, ContextBranch, ContextPrefix, ContextPaths:
			if !isStr {
				bad(key, "a string")
				continue
			}
			switch key {
			case ContextAppID:
				c.AppID = s
			case ContextBranch:
				c.Branch = s
			case ContextPrefix:
				c.Prefix = s
			case ContextPaths:
				p, err := ParsePaths(s)
				if err != nil {
					bad(key, fmt.Sprintf("%q (the default) or %q (Amplify Gen 2's paths)", PathsFnenv, PathsAmplify))
					continue
				}
				if s != "" {
					c.Paths = p
				}
			}
		case ContextSecretsMaxAge:
			if isStr && s == "" {
				continue
			}
			d, err := time.ParseDuration(s)
			if !isStr || err != nil || d < 0 {
				bad(key, `a Go duration of zero or more, like "30s" or "10m" ("0s": for the life of the execution environment)`)
				continue
			}
			c.SecretsMaxAge = &d
		case ContextCodegen, ContextCheckSecrets:
			var b bool
			switch v := ctx[key].(type) {
			case bool:
				b = v
			default:
				switch {
				case isStr && s == "":
					continue
				case isStr && (s == "true" || s == "false"):
					b = s == "true"
				default:
					bad(key, `true or false (as JSON, or the string -c gives: -c `+key+`=true)`)
					continue
				}
			}
			if key == ContextCodegen {
				c.Codegen = &b
			} else {
				c.CheckSecrets = &b
			}
		}
	}
	return c, errors.Join(errs...)
}

// describe is a context value as a message shows it: a string quoted, any
// other value as JSON with its JSON type.
func describe(v any) string {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("%q", x)
	case *string:
		if x != nil {
			return fmt.Sprintf("%q", *x)
		}
	}
	js, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	kind := "a JSON value"
	switch v.(type) {
	case float64, float32, int, int64, json.Number:
		kind = "a number"
	case bool:
		kind = "a boolean"
	case map[string]any:
		kind = "an object"
	case []any:
		kind = "an array"
	case nil:
		kind = "null"
	}
	return fmt.Sprintf("%s (%s)", js, kind)
}
