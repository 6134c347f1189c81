package model

// The wire format: how a function's secrets are written into its
// environment — the keys the function construct sets and the handler-side
// resolver reads, and the encoding of the variable-to-secret map.

import (
	"fmt"
	"sort"
	"strings"
)

// The environment variables fnenv sets; every key with ReservedPrefix is
// fnenv's.
const (
	// EnvSecrets lists a function's secret variables as "VAR=SECRET" pairs
	// separated by ',' and sorted by VAR, e.g. "API_KEY=MY_API_KEY".
	EnvSecrets = "FNENV_SECRETS"
	// EnvBranchPrefix is the path of the branch's secrets,
	// "/amplify/<appId>/<branch>/".
	EnvBranchPrefix = "FNENV_BRANCH_PREFIX"
	// EnvBranch is the branch as git names it, e.g. "feature/login", for
	// messages. It is set only when the last level of EnvBranchPrefix is not
	// the branch's name ("-feature-login-5712f05b4f", or Amplify Gen 2's
	// "featurelogin-branch-…"), to keep the environment small.
	EnvBranch = "FNENV_BRANCH"
	// EnvSharedPrefix is the path of the shared secrets,
	// "/amplify/shared/<appId>/".
	EnvSharedPrefix = "FNENV_SHARED_PREFIX"
	// EnvMaxAge is how long resolved secrets are reused, as a Go duration
	// ("5m0s"); "0s" means for the life of the execution environment.
	EnvMaxAge = "FNENV_MAX_AGE"
	// EnvDotenv names a dotenv file to read values from outside Lambda.
	EnvDotenv = "FNENV_DOTENV"
	// ReservedPrefix is the prefix of every key fnenv reserves.
	ReservedPrefix = "FNENV_"
)

// EncodeSecrets encodes the secret variables of vars for EnvSecrets.
func EncodeSecrets(vars []Variable) string {
	var pairs []string
	for _, v := range vars {
		if v.Kind == Secret {
			pairs = append(pairs, v.Name+"="+v.Secret)
		}
	}
	sort.Strings(pairs)
	return strings.Join(pairs, ",")
}

// DecodeSecrets decodes EnvSecrets into a map from variable to secret name.
func DecodeSecrets(s string) (map[string]string, error) {
	out := map[string]string{}
	if s == "" {
		return out, nil
	}
	for pair := range strings.SplitSeq(s, ",") {
		k, v, ok := strings.Cut(pair, "=")
		if !ok || k == "" || v == "" {
			return nil, fmt.Errorf("%s: %q is not VAR=SECRET", EnvSecrets, pair)
		}
		out[k] = v
	}
	return out, nil
}
