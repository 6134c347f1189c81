package model

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestGoField(t *testing.T) {
	for _, tt := range []struct{ key, want string }{
		{"API_KEY", "APIKey"},
		{"STRIPE_KEY", "StripeKey"},
		{"stripe_webhook_url", "StripeWebhookURL"},
		{"apiEndpoint", "ApiEndpoint"},
		{"DB_HOST", "DBHost"},
		{"A1", "A1"},
		{"KEY__2FA", "Key2fa"},
		{"SENTRY_DSN", "SentryDsn"},
	} {
		if got := GoField(tt.key); got != tt.want {
			t.Errorf("GoField(%q) = %q, want %q", tt.key, got, tt.want)
		}
	}
}

func TestEnvironmentAndEncoding(t *testing.T) {
	f := NewFunction("say-hello", "app/functions/say-hello", map[string]Variable{
		"NAME":     {Kind: Literal},
		"API_KEY":  {Kind: Secret, Secret: "MY_API_KEY"},
		"ALSO_KEY": {Kind: Secret, Secret: "MY_API_KEY"},
	})
	b := Backend{AppID: "app", Branch: "main"}
	got := f.Environment(b, "5m0s", lits("NAME", "World"))
	want := map[string]string{
		"NAME":          "World",
		EnvSecrets:      "ALSO_KEY=MY_API_KEY,API_KEY=MY_API_KEY",
		EnvBranchPrefix: "/amplify/app/main/",
		EnvSharedPrefix: "/amplify/shared/app/",
		EnvMaxAge:       "5m0s",
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("Environment (-got +want):\n%s", diff)
	}
	if diff := cmp.Diff(f.Secrets(), []string{"MY_API_KEY"}); diff != "" {
		t.Errorf("Secrets: a secret held by two variables is listed once (-got +want):\n%s", diff)
	}
	dec, err := DecodeSecrets(got[EnvSecrets])
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(dec, map[string]string{"ALSO_KEY": "MY_API_KEY", "API_KEY": "MY_API_KEY"}); diff != "" {
		t.Errorf("DecodeSecrets (-got +want):\n%s", diff)
	}
	if _, err := DecodeSecrets("API_KEY"); err == nil {
		t.Error("DecodeSecrets accepted a pair without '='")
	}
	if env := NewFunction("lit", "e", map[string]Variable{"NAME": {Kind: Literal}}).Environment(b, "5m0s", lits("NAME", "x")); len(env) != 1 {
		t.Errorf("a function without secrets gets fnenv variables: %v", env)
	}
}

func TestValidate(t *testing.T) {
	b := Backend{AppID: "app", Branch: "main"}
	fn := func(env map[string]Variable) Function { return NewFunction("fn", "app/functions/fn", env) }
	tests := []struct {
		name string
		f    Function
		vals SynthValues
		want []string // substrings of the error, one per problem; none: valid
	}{
		{name: "valid", f: fn(map[string]Variable{"API_KEY": {Kind: Secret, Secret: "MY.API-KEY_1"}, "NAME": {Kind: Literal}})},
		{name: "key of one character", f: fn(map[string]Variable{"A": {Kind: Literal}}), want: []string{`env key "A": must match [a-zA-Z][a-zA-Z0-9_]+`}},
		{name: "key starting with a digit", f: fn(map[string]Variable{"1A": {Kind: Literal}}), want: []string{`env key "1A": must match`}},
		{name: "reserved by Lambda", f: fn(map[string]Variable{"AWS_REGION": {Kind: Literal}}), want: []string{`env key "AWS_REGION": is reserved by the Lambda runtime`}},
		{name: "reserved by fnenv", f: fn(map[string]Variable{"FNENV_X": {Kind: Literal}}), want: []string{`env key "FNENV_X": keys starting with "FNENV_" are reserved by fnenv`}},
		{name: "secret name", f: fn(map[string]Variable{"KEY": {Kind: Secret, Secret: "a/b"}}), want: []string{`"a/b" is neither a secret name ([a-zA-Z0-9_.-]+, no '/'), a parameter path (starting with '/') nor a parameter ARN`}},
		{name: "existing parameter by path", f: fn(map[string]Variable{"PW": {Kind: Secret, Secret: "/legacy/db/password"}, "URL": {Kind: Parameter, Parameter: "/legacy/payments/api-url"}})},
		{name: "existing parameter by ARN", f: fn(map[string]Variable{"PW": {Kind: Secret, Secret: "arn:aws:ssm:us-east-1:111122223333:parameter/legacy/db/password"}})},
		{name: "parameter by a name", f: fn(map[string]Variable{"URL": {Kind: Parameter, Parameter: "api-url"}}), want: []string{`parameter "api-url": give an existing parameter's full path`}},
		{name: "parameter path under aws", f: fn(map[string]Variable{"URL": {Kind: Parameter, Parameter: "/aws/x"}}), want: []string{`SSM reserves names beginning with "aws" or "ssm"`}},
		{name: "secret name ..", f: fn(map[string]Variable{"KEY": {Kind: Secret, Secret: ".."}}), want: []string{`secret name ".." is refused: ".." is a relative path level`}},
		{name: "secret name .", f: fn(map[string]Variable{"KEY": {Kind: Secret, Secret: "."}}), want: []string{`secret name "." is refused`}},
		{name: "no value", f: fn(map[string]Variable{"KEY": {}}), want: []string{`env key "KEY": has no value`}},
		{name: "same Go field", f: fn(map[string]Variable{"API_KEY": {Kind: Literal}, "api_key": {Kind: Literal}}), want: []string{`env keys "API_KEY", "api_key": map to the same Go field APIKey`}},
		{name: "reserved Go field", f: fn(map[string]Variable{"LAMBDA": {Kind: Literal}}), want: []string{`maps to Go field Lambda, which the generated Env struct reserves`}},
		{name: "SSM's 1011 characters, at the limit", f: fn(map[string]Variable{"KEY": {Kind: Secret, Secret: strings.Repeat("s", 991)}})},
		{name: "SSM's 1011 characters, one over (the shared path is the longer)", f: fn(map[string]Variable{"KEY": {Kind: Secret, Secret: strings.Repeat("s", 992)}}),
			want: []string{`is 1012 characters; SSM allows 1011`}},
		{name: "4 KB of literals move", f: fn(map[string]Variable{"BIG": {Kind: Literal}}), vals: lits("BIG", strings.Repeat("x", 4090))},
		{name: "4 KB of secrets", f: fn(manySecrets(200)), want: []string{`environment: is 8530 bytes as JSON; Lambda allows 4096`}},
		{name: "4 KB of secrets and a literal", f: fn(func() map[string]Variable {
			env := manySecrets(100)
			env["BIG"] = Variable{Kind: Literal}
			return env
		}()), vals: lits("BIG", strings.Repeat("x", 1000)), want: []string{`environment: is 4379 bytes as JSON with every literal moved to SSM parameters; Lambda allows 4096`}},
		{name: "over 32 KB of literals", f: fn(map[string]Variable{"BIG": {Kind: Literal}}), vals: lits("BIG", strings.Repeat("x", 32759)), want: []string{`literals: are 32769 bytes as JSON; fnenv keeps at most 32768 (32 KB)`}},
		{name: "name and entry", f: NewFunction("", "/abs", nil), want: []string{`name: must not be empty`, `entry: "/abs" must be a path relative to the module root`}},
		{name: "every problem at once", f: fn(map[string]Variable{"A": {Kind: Literal}, "AWS_REGION": {Kind: Literal}, "K2": {Kind: Secret, Secret: "x y"}}),
			want: []string{`env key "A"`, `env key "AWS_REGION"`, `secret name "x y"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.f.Validate(b, "5m0s", tt.vals)
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate = nil, want %q", tt.want)
			}
			var probs []error
			if j, ok := err.(interface{ Unwrap() []error }); ok {
				probs = j.Unwrap()
			}
			if len(probs) != len(tt.want) {
				t.Errorf("Validate found %d problems, want %d:\n%v", len(probs), len(tt.want), err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate = %q\nwant it to contain %q", err, w)
				}
			}
			var p *Problem
			if !errors.As(err, &p) || p.Function != tt.f.Name {
				t.Errorf("problems are not *Problem naming the function: %#v", err)
			}
		})
	}
}

// manySecrets is n secret variables with 20-character secret names.
func manySecrets(n int) map[string]Variable {
	env := map[string]Variable{}
	for i := range n {
		env[fmt.Sprintf("SECRET_VARIABLE_%04d", i)] = Variable{Kind: Secret, Secret: fmt.Sprintf("SECRET_NAME_%08d", i)}
	}
	return env
}

func TestEnvironmentSizeEdge(t *testing.T) {
	b := Backend{AppID: "app", Branch: "main"}
	// {"BIG":"…"} is 10 bytes of JSON around the value.
	for _, tt := range []struct {
		n    int
		fits bool
	}{{4086, true}, {4087, false}} {
		f := NewFunction("fn", "e", map[string]Variable{"BIG": {Kind: Literal}})
		vals := lits("BIG", strings.Repeat("x", tt.n))
		size := EnvironmentSize(f.Environment(b, "5m0s", vals))
		p, err := f.Place(b, "5m0s", vals)
		if err != nil {
			t.Fatal(err)
		}
		if fits := len(p.Moved) == 0; fits != tt.fits {
			t.Errorf("environment of %d bytes: moved %v, want fits=%v", size, p.Moved, tt.fits)
		}
	}
}

// A key mapping to a method of the generated Env (its masked printing)
// would not compile: refused, like the Lambda field.
func TestReservedFieldsIncludeEnvMethods(t *testing.T) {
	b := Backend{AppID: "app", Branch: "main"}
	for _, key := range []string{"FORMAT", "STRING", "GO_STRING", "LOG_VALUE", "LAMBDA"} {
		f := NewFunction("fn", "app/fn", map[string]Variable{key: {Kind: Literal}})
		if err := f.Validate(b, "5m0s", lits(key, "x")); err == nil || !strings.Contains(err.Error(), "which the generated Env struct reserves") {
			t.Errorf("key %s: Validate = %v, want the reserved field refused", key, err)
		}
	}
}

func TestValidateEntry(t *testing.T) {
	for _, tt := range []struct{ entry, want string }{
		{"app/functions/say-hello", ""},
		{"fn", ""},
		{"", "must not be empty"},
		{"/abs/fn", `"/abs/fn" must be a path relative to the module root, inside it`},
		{"../fn", "inside it"},
		{"app/../../fn", "inside it"},
		{".", `"." is the module root`},
		{"./app/fn", `"./app/fn" must be clean and slash-separated: write "app/fn"`},
		{"app/fn/", `write "app/fn"`},
		{"app//fn", `write "app/fn"`},
		{`app\fn`, `write "app/fn"`},
	} {
		err := ValidateEntry(tt.entry)
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("ValidateEntry(%q) = %v, want %q", tt.entry, err, tt.want)
		}
	}
}
