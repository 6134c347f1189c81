package model

import (
	"regexp"
	"testing"
)

// The hand-written character-set checks agree with the regular expressions
// that state the rules (regexp stays out of the package: handlers link it).
func TestCharsetChecksMatchTheirRegexps(t *testing.T) {
	inputs := []string{
		"", "A", "AB", "A1", "a_b", "_A", "1A", "A-B", "API_KEY", "é1", "AB\n", "ab cd",
		"say-hello", "x/y", "fnenv-demo/main/db", "a+b=c.d@e-f", "a:b",
		"arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf",
		"arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:a/b",
		"arn:aws:secretsmanager:::secret:x", "arn::secretsmanager:r:1:secret:x",
		"arn:aws:secretsmanager:eu-west-1:12a:secret:x", "arn:aws:secretsmanager:EU:1:secret:x",
		"arn:aws:ssm:eu-west-1:1:secret:x", "arn:aws:secretsmanager:r:1:secret:", "arn:aws:secretsmanager:r:1:secret:a:b",
		"arn:aws:secretsmanager:r:1:parameter:x",
	}
	checks := []struct {
		name string
		re   *regexp.Regexp
		fn   func(string) bool
	}{
		{"IsEnvKey", regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9_]+$`), IsEnvKey},
		{"IsFunctionName", regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`), IsFunctionName},
		{"isSecretName", regexp.MustCompile(`^[a-zA-Z0-9/_+=.@-]+$`), isSecretName},
		{"isSecretARN", regexp.MustCompile(`^arn:[a-z-]+:secretsmanager:[a-z0-9-]*:[0-9]*:secret:[a-zA-Z0-9/_+=.@-]+$`), isSecretARN},
	}
	for _, c := range checks {
		for _, in := range append(inputs, "a234567890123456789012345678901234567890123456789012345678901234", "a2345678901234567890123456789012345678901234567890123456789012345") {
			if got, want := c.fn(in), c.re.MatchString(in); got != want {
				t.Errorf("%s(%q) = %v, want %v (%s)", c.name, in, got, want, c.re)
			}
		}
	}
}

// lits is the SynthValues holding literal values, given as key, value
// pairs.
func lits(kv ...string) SynthValues {
	v := SynthValues{Literals: map[string]string{}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Literals[kv[i]] = kv[i+1]
	}
	return v
}
