package model

import (
	"fmt"
	"strings"
)

// SecretsManager is a value kept in AWS Secrets Manager — the whole
// SecretString of a secret or one top-level field of its JSON — resolved by
// the handler at cold start; only the secret's ARN or name reaches the
// function's configuration.
const SecretsManager Kind = "secretsmanager"

// SecretsManagerRef is the Secrets Manager secret and JSON field a variable
// of kind SecretsManager reads.
type SecretsManagerRef struct {
	// Secret names the secret in generated code and messages, the same on
	// every branch: its construct path inside its stack, e.g.
	// "DbCredential".
	Secret string `json:"secret"`
	// ID is the secret id the handler asks for — its complete ARN, else its
	// name — e.g. "fnenv-demo/main/db"; "" when it is known only at deploy
	// (a secret the app creates: see SynthValues.SecretTokens).
	ID string `json:"id,omitempty"`
	// Field is the top-level key of the secret's JSON SecretString the
	// variable holds, e.g. "password"; "" for the whole SecretString.
	Field string `json:"field,omitempty"`
}

// UnresolvedSecretIDLength is the length a secret id known only at deploy
// is measured with against Lambda's 4 KB: a complete ARN
// "arn:<partition>:secretsmanager:<region>:<account>:secret:<name>-<6>",
// whose name CloudFormation makes of the logical ID and 12 characters.
// 128 covers the longest partition and region with a 60-character logical
// ID.
const UnresolvedSecretIDLength = 128

// MaxSecretNameLength is Secrets Manager's limit on a secret name: 512
// characters ("The secret name can contain ASCII letters, numbers, and the
// following characters: /_+=.@-", CreateSecret's Name).
const MaxSecretNameLength = 512

// isSecretName reports whether s is 1 or more of the characters Secrets
// Manager allows in a secret name: [a-zA-Z0-9/_+=.@-].
func isSecretName(s string) bool {
	return s != "" && allBytes(s, func(c byte) bool { return isAlnum(c) || strings.IndexByte("/_+=.@-", c) >= 0 })
}

// isSecretARN reports whether s is a Secrets Manager secret's ARN:
// arn:<partition [a-z-]+>:secretsmanager:<region [a-z0-9-]*>:<account [0-9]*>:secret:<name>.
func isSecretARN(s string) bool {
	parts := strings.SplitN(s, ":", 7)
	if len(parts) != 7 || parts[0] != "arn" || parts[2] != "secretsmanager" || parts[5] != "secret" {
		return false
	}
	partition, region, account := parts[1], parts[3], parts[4]
	return partition != "" && allBytes(partition, func(c byte) bool { return c >= 'a' && c <= 'z' || c == '-' }) &&
		allBytes(region, func(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' }) &&
		allBytes(account, func(c byte) bool { return c >= '0' && c <= '9' }) &&
		isSecretName(parts[6])
}

// SecretRegion is the region a Secrets Manager secret id names: an ARN's
// region ("eu-west-1" for arn:aws:secretsmanager:eu-west-1:…:secret:db-AbCdEf),
// "" for a name (the function's own region).
func SecretRegion(id string) string {
	if !isSecretARN(id) {
		return ""
	}
	return strings.SplitN(id, ":", 5)[3]
}

// validateSecretsManager returns the problems of a variable of kind
// SecretsManager, each as a rule for its env key. Without onConstruct (a
// spec read back from the cloud assembly, where a token is not kept), a
// ref may have no id.
func validateSecretsManager(v Variable, onConstruct, token bool) []string {
	r := v.SecretsManager
	if r == nil {
		return []string{"has no Secrets Manager secret: function.SecretsManager was given a nil secret"}
	}
	var probs []string
	if r.Secret == "" {
		probs = append(probs, "names no Secrets Manager secret")
	}
	switch {
	case r.Field != "" && strings.TrimSpace(r.Field) == "":
		probs = append(probs, fmt.Sprintf("JSON field %q is empty after trimming spaces: give a top-level key of the secret's JSON, or \"\" for the whole SecretString", r.Field))
	case strings.ContainsAny(r.Field, "\r\n"):
		probs = append(probs, fmt.Sprintf("JSON field %q holds a line break: give a top-level key of the secret's JSON, or \"\" for the whole SecretString", r.Field))
	}
	switch {
	case r.ID == "" && !token && onConstruct:
		probs = append(probs, fmt.Sprintf("secret %s has neither a name nor an ARN", r.Secret))
	case r.ID == "":
	case strings.HasPrefix(r.ID, "arn:"):
		if !isSecretARN(r.ID) {
			probs = append(probs, fmt.Sprintf("secret ARN %q is not a Secrets Manager secret's ARN (arn:<partition>:secretsmanager:<region>:<account>:secret:<name>)", r.ID))
		}
	case len(r.ID) > MaxSecretNameLength || !isSecretName(r.ID):
		probs = append(probs, fmt.Sprintf("secret name %q must be 1 to %d of the characters Secrets Manager allows: letters, digits and /_+=.@-", r.ID, MaxSecretNameLength))
	}
	return probs
}

// SecretsManagerVariables returns the variables of kind SecretsManager,
// sorted by Name.
func (f Function) SecretsManagerVariables() []Variable {
	var out []Variable
	for _, v := range f.Variables {
		if v.Kind == SecretsManager && v.SecretsManager != nil {
			out = append(out, v)
		}
	}
	return out
}

// encodeSecretsManager encodes the Secrets Manager variables of vars for
// EnvSecretsManager, an id known only at deploy taken from tokens (by
// variable name). With measure, such an id is written as
// UnresolvedSecretIDLength characters, the size it is given at deploy.
func encodeSecretsManager(vars []Variable, tokens map[string]string, measure bool) string {
	idOf := map[string]string{}
	for _, v := range vars {
		if v.Kind != SecretsManager || v.SecretsManager == nil {
			continue
		}
		id := v.SecretsManager.ID
		if id == "" {
			id = tokens[v.Name]
			if measure {
				id = fmt.Sprintf("%-*s", UnresolvedSecretIDLength, id)[:UnresolvedSecretIDLength]
			}
		}
		idOf[v.Name] = id
	}
	return EncodeSecretsManager(idOf)
}
