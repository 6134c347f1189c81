package model

import (
	"fmt"
	"sort"
	"strings"
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

// EncodeSecretsManager encodes a map from secret id to the variables
// reading it for EnvSecretsManager.
func EncodeSecretsManager(varsOf map[string][]string) string {
	entries := make([]string, 0, len(varsOf))
	for id, vars := range varsOf {
		vs := append([]string(nil), vars...)
		sort.Strings(vs)
		entries = append(entries, strings.Join(vs, "+")+"="+id)
	}
	sort.Strings(entries)
	return strings.Join(entries, ",")
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
