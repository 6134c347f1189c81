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
	// separated by ',' and sorted by VAR, e.g.
	// "API_KEY=MY_API_KEY,LEGACY_PW=/legacy/db/password": SECRET is a
	// secret's name, a parameter's full path or its ARN (ParseRef tells
	// them apart; none holds ',' or '=').
	EnvSecrets = "FNENV_SECRETS"
	// EnvParameters lists a function's Parameter variables as "VAR=PARAM"
	// pairs, as EnvSecrets does, PARAM a full path or an ARN, e.g.
	// "API_URL=/legacy/payments/api-url".
	EnvParameters = "FNENV_PARAMETERS"
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

// EnvSecretsManager lists a function's AWS Secrets Manager secrets, one
// "VAR+VAR=ID" entry per secret, entries separated by ',' and sorted: the
// variables reading the secret, joined by '+', then the secret's id — its
// complete ARN, or its name — e.g.
// "DB_PASSWORD+DB_USERNAME=fnenv-demo/main/db". Neither character can occur
// in a variable key ([a-zA-Z][a-zA-Z0-9_]+) nor ',' in a secret's name
// ([a-zA-Z0-9/_+=.@-]) or ARN; an id may hold '=' and '+', so an entry is
// cut at its first '='. Each secret's id is written once, however many
// variables read it, to spare Lambda's 4 KB.
const EnvSecretsManager = "FNENV_SECRETSMANAGER"

// EncodeSecrets encodes the secret variables of vars for EnvSecrets.
func EncodeSecrets(vars []Variable) string { return encodeEntries(refsOf(vars, Secret), false) }

// EncodeSecretsManager encodes a map from variable to Secrets Manager
// secret id (what DecodeSecretsManager returns) for EnvSecretsManager.
func EncodeSecretsManager(idOf map[string]string) string { return encodeEntries(idOf, true) }

// refsOf maps the variables of kind k to their references.
func refsOf(vars []Variable, k Kind) map[string]string {
	out := map[string]string{}
	for _, v := range vars {
		if v.Kind == k {
			out[v.Name] = v.ref()
		}
	}
	return out
}

// encodeEntries is the one encoder of the wire format's lists: entries
// "VAR=REF" separated by ',' and sorted (EnvSecrets, EnvParameters); with
// grouped, the variables of one reference in one entry, sorted and joined
// by '+', "VAR+VAR=REF", so that a secret's id is written once
// (EnvSecretsManager).
func encodeEntries(refOf map[string]string, grouped bool) string {
	varsOf := map[string][]string{}
	for v, ref := range refOf {
		varsOf[ref] = append(varsOf[ref], v)
	}
	entries := make([]string, 0, len(refOf))
	for ref, vars := range varsOf {
		sort.Strings(vars)
		if grouped {
			entries = append(entries, strings.Join(vars, "+")+"="+ref)
			continue
		}
		for _, v := range vars {
			entries = append(entries, v+"="+ref)
		}
	}
	sort.Strings(entries)
	return strings.Join(entries, ",")
}

// DecodeSecrets decodes EnvSecrets into a map from variable to secret
// reference (a name, a path or an ARN).
func DecodeSecrets(s string) (map[string]string, error) { return decodePairs(EnvSecrets, s) }

// DecodeParameters decodes EnvParameters into a map from variable to
// parameter (a path or an ARN).
func DecodeParameters(s string) (map[string]string, error) { return decodePairs(EnvParameters, s) }

func decodePairs(key, s string) (map[string]string, error) {
	out := map[string]string{}
	if s == "" {
		return out, nil
	}
	for pair := range strings.SplitSeq(s, ",") {
		k, v, ok := strings.Cut(pair, "=")
		var why string
		switch {
		case !ok || k == "" || v == "":
			why = "is not VAR=REF"
		case !IsEnvKey(k):
			why = fmt.Sprintf("names variable %q, which is not a variable key ([a-zA-Z][a-zA-Z0-9_]+)", k)
		default:
			if _, err := ParseRef(v); err != nil {
				why = fmt.Sprintf("names no reference: %v", err)
			}
		}
		if why != "" {
			return nil, fmt.Errorf("%s: pair %q %s (pairs are VAR=REF, separated by ',', without spaces); %s", key, pair, why, NotByConstruct)
		}
		out[k] = v
	}
	return out, nil
}

// NotByConstruct ends the error about a variable of fnenv's
// configuration (FNENV_…) that breaks its rule: the function construct
// never writes such a value, so the fix is a redeploy, not a value to set.
const NotByConstruct = "fnenv's function construct did not write this value (the function's configuration was changed after its deploy, or set by hand): redeploy the function from its CDK app"

// CheckPrefixVar checks the value of EnvBranchPrefix or EnvSharedPrefix
// (key) as the construct writes it: a parameter path that starts and ends
// with '/', its levels [a-zA-Z0-9_.-] (ValidateLevel), e.g.
// "/amplify/my-app/main/". The error names the variable and the rule.
func CheckPrefixVar(key, value string) error {
	if len(value) < 2 || value[0] != '/' || value[len(value)-1] != '/' {
		return fmt.Errorf("%s=%q must be a parameter path that starts and ends with '/', like \"/amplify/my-app/main/\"; %s", key, value, NotByConstruct)
	}
	for l := range strings.SplitSeq(value[1:len(value)-1], "/") {
		if err := ValidateLevel("level", l); err != nil {
			return fmt.Errorf("%s=%q: %v; %s", key, value, err, NotByConstruct)
		}
	}
	return nil
}

// DecodeSecretsManager decodes EnvSecretsManager into a map from variable to
// secret id.
func DecodeSecretsManager(s string) (map[string]string, error) {
	out := map[string]string{}
	if s == "" {
		return out, nil
	}
	for entry := range strings.SplitSeq(s, ",") {
		vars, id, ok := strings.Cut(entry, "=")
		if !ok || vars == "" || id == "" {
			return nil, fmt.Errorf("%s: %q is not VAR+VAR=SECRET_ID; %s", EnvSecretsManager, entry, NotByConstruct)
		}
		for v := range strings.SplitSeq(vars, "+") {
			if v == "" {
				return nil, fmt.Errorf("%s: %q has an empty variable name; %s", EnvSecretsManager, entry, NotByConstruct)
			}
			out[v] = id
		}
	}
	return out, nil
}
