// Package envvars is how a function's secrets are written into its
// environment: the keys the function construct sets and the handler-side
// resolver reads, and the encoding of the variable-to-secret map. It
// imports only the standard library's strings, sort and fmt, so that
// handlers link it without the spec's validation (whose regexps, compiled
// at init, add about 0.6 MB to a handler).
package envvars

import (
	"fmt"
	"sort"
	"strings"
)

// The environment variables fnenv sets; every key with ReservedPrefix is
// fnenv's.
const (
	// Secrets lists a function's secret variables as "VAR=SECRET" pairs
	// separated by ',' and sorted by VAR, e.g. "API_KEY=MY_API_KEY".
	Secrets = "FNENV_SECRETS"
	// BranchPrefix is the path of the branch's secrets,
	// "/amplify/<appId>/<branch>/".
	BranchPrefix = "FNENV_BRANCH_PREFIX"
	// Branch is the branch as git names it, e.g. "feature/login", for
	// messages. It is set only when the last level of BranchPrefix is not
	// the branch's name ("-feature-login-5712f05b4f", or Amplify Gen 2's
	// "featurelogin-branch-…"), to keep the environment small.
	Branch = "FNENV_BRANCH"
	// SharedPrefix is the path of the shared secrets,
	// "/amplify/shared/<appId>/".
	SharedPrefix = "FNENV_SHARED_PREFIX"
	// MaxAge is how long resolved secrets are reused, as a Go duration
	// ("5m0s"); "0s" means for the life of the execution environment.
	MaxAge = "FNENV_MAX_AGE"
	// Dotenv names a dotenv file to read values from outside Lambda.
	Dotenv = "FNENV_DOTENV"
	// ReservedPrefix is the prefix of every key fnenv reserves.
	ReservedPrefix = "FNENV_"
)

// EncodeSecrets encodes a map from variable to secret name for Secrets.
func EncodeSecrets(secretOf map[string]string) string {
	pairs := make([]string, 0, len(secretOf))
	for v, s := range secretOf {
		pairs = append(pairs, v+"="+s)
	}
	sort.Strings(pairs)
	return strings.Join(pairs, ",")
}

// DecodeSecrets decodes Secrets into a map from variable to secret name.
func DecodeSecrets(s string) (map[string]string, error) {
	out := map[string]string{}
	if s == "" {
		return out, nil
	}
	for pair := range strings.SplitSeq(s, ",") {
		k, v, ok := strings.Cut(pair, "=")
		if !ok || k == "" || v == "" {
			return nil, fmt.Errorf("%s: %q is not VAR=SECRET", Secrets, pair)
		}
		out[k] = v
	}
	return out, nil
}
