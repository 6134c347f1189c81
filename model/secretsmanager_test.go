package model

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func smVar(secret, id, field string) Variable {
	return Variable{Kind: SecretsManager, SecretsManager: &SecretsManagerRef{Secret: secret, ID: id, Field: field}}
}

// smTokens is the SynthValues of Secrets Manager ids known only at deploy,
// given as variable, token pairs.
func smTokens(kv ...string) SynthValues {
	v := SynthValues{SecretTokens: map[string]string{}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.SecretTokens[kv[i]] = kv[i+1]
	}
	return v
}

func TestSecretsManagerEnvironment(t *testing.T) {
	f := NewFunction("db", "app/functions/db", map[string]Variable{
		"NAME":        {Kind: Literal},
		"DB_USERNAME": smVar("DbCredential", "fnenv-demo/main/db", "username"),
		"DB_PASSWORD": smVar("DbCredential", "fnenv-demo/main/db", "password"),
		"RDS":         smVar("Rds/Secret", "", ""),
	})
	vals := smTokens("RDS", "${Token[TOKEN.123]}")
	vals.Literals = map[string]string{"NAME": "World"}
	got := f.Environment(Backend{AppID: "app", Branch: "main"}, "5m0s", vals)
	want := map[string]string{
		"NAME":            "World",
		EnvSecretsManager: "DB_PASSWORD+DB_USERNAME=fnenv-demo/main/db,RDS=${Token[TOKEN.123]}",
		EnvMaxAge:         "5m0s",
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("Environment: names only, each secret once, no SSM prefixes (-got +want):\n%s", diff)
	}
	dec, err := DecodeSecretsManager(got[EnvSecretsManager])
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(dec, map[string]string{"DB_PASSWORD": "fnenv-demo/main/db", "DB_USERNAME": "fnenv-demo/main/db", "RDS": "${Token[TOKEN.123]}"}); diff != "" {
		t.Errorf("DecodeSecretsManager (-got +want):\n%s", diff)
	}
}

func TestSecretsManagerValidate(t *testing.T) {
	b := Backend{AppID: "app", Branch: "main"}
	fn := func(v Variable) Function { return NewFunction("fn", "app/functions/fn", map[string]Variable{"DB": v}) }
	tests := []struct {
		name  string
		v     Variable
		token string // the id as a CDK token
		want  string // a substring of the one problem; "": valid
	}{
		{name: "by name, a field", v: smVar("Db", "fnenv/main/db+x=y@z", "password")},
		{name: "by ARN, whole", v: smVar("Db", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf", "")},
		{name: "a token", v: smVar("Db", "", "user name"), token: "${Token[TOKEN.1]}"},
		{name: "neither an id nor a token", v: smVar("Db", "", ""), want: `secret Db has neither a name nor an ARN`},
		{name: "nil secret", v: Variable{Kind: SecretsManager}, want: `env key "DB": has no Secrets Manager secret: function.SecretsManager was given a nil secret`},
		{name: "blank field", v: smVar("Db", "db", "  "), want: `env key "DB": JSON field "  " is empty after trimming spaces`},
		{name: "field with a newline", v: smVar("Db", "db", "pass\nword"), want: `env key "DB": JSON field "pass\nword" holds a line break`},
		{name: "bad name", v: smVar("Db", "db,other", ""), want: `secret name "db,other" must be 1 to 512`},
		{name: "long name", v: smVar("Db", strings.Repeat("n", 513), ""), want: `must be 1 to 512`},
		{name: "not a Secrets Manager ARN", v: smVar("Db", "arn:aws:ssm:eu-west-1:123456789012:parameter/x", ""), want: `is not a Secrets Manager secret's ARN`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vals := SynthValues{}
			if tt.token != "" {
				vals = smTokens("DB", tt.token)
			}
			err := fn(tt.v).Validate(b, "5m0s", vals)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Validate = %v, want nil", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("Validate = %v, want %q", err, tt.want)
			}
		})
	}
}

// An id known only at deploy is measured at its deployed size, not the
// token's: 29 secrets whose ARNs are tokens take 29 × (128 + 11) bytes.
func TestSecretsManagerSizeMeasuresTokensDeployed(t *testing.T) {
	b := Backend{AppID: "app", Branch: "main"}
	env := map[string]Variable{}
	vals := smTokens()
	for i := range 29 {
		key := "V" + strings.Repeat("X", 8) + string(rune('A'+i%26)) + string(rune('A'+i/26))
		env[key] = smVar("S", "", "")
		vals.SecretTokens[key] = "${Token[TOKEN." + key + "]}"
	}
	f := NewFunction("fn", "e", env)
	if n := EnvironmentSize(f.Environment(b, "5m0s", vals)); n > MaxEnvironmentBytes {
		t.Fatalf("the tokens themselves take %d bytes; the test needs them under 4 KB", n)
	}
	if err := f.Validate(b, "5m0s", vals); err == nil || !strings.Contains(err.Error(), "Lambda allows 4096") {
		t.Errorf("Validate = %v, want the 4 KB problem (ARNs at deploy exceed it)", err)
	}
}

// Two functions sharing an entry share its env package: they may read
// another id (another branch's secret, a token) but not another secret
// label or field.
func TestSamePackageSecretsManager(t *testing.T) {
	fn := func(v Variable) Function { return NewFunction("db", "app/functions/db", map[string]Variable{"DB": v}) }
	a := fn(smVar("Db", "main/db", "password"))
	for _, tt := range []struct {
		v    Variable
		same bool
	}{
		{smVar("Db", "other/db", "password"), true},
		{smVar("Db", "", "password"), true}, // an id known only at deploy
		{smVar("Db", "main/db", "username"), false},
		{smVar("Other", "main/db", "password"), false},
	} {
		if got := a.SamePackage(fn(tt.v)); got != tt.same {
			t.Errorf("SamePackage(%+v) = %v, want %v", *tt.v.SecretsManager, got, tt.same)
		}
	}
}

func TestSecretRegion(t *testing.T) {
	for id, want := range map[string]string{
		"arn:aws:secretsmanager:eu-west-1:123456789012:secret:legacy/eu/db-AbCdEf": "eu-west-1",
		"legacy/eu/db": "",
		"arn:aws:ssm:eu-west-1:123456789012:parameter/x": "",
	} {
		if got := SecretRegion(id); got != want {
			t.Errorf("SecretRegion(%q) = %q, want %q", id, got, want)
		}
	}
}
