package model

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// twentyKB is 20 KB of literals in 40 keys of 512 bytes, a few with
// multi-byte characters and JSON escapes, plus small ones.
func twentyKB() (map[string]Variable, SynthValues) {
	env := map[string]Variable{"NAME": {Kind: Literal}, "API_KEY": {Kind: Secret, Secret: "MY_API_KEY"}}
	vals := lits("NAME", "World")
	for i := range 40 {
		k := fmt.Sprintf("BLOB_%02d", i)
		env[k] = Variable{Kind: Literal}
		vals.Literals[k] = strings.Repeat(string(rune('a'+i%26)), 500) + fmt.Sprintf("é\"\\<%03d>", i)
	}
	return env, vals
}

func TestPlaceMovesLargestFirstUntilTheRestFits(t *testing.T) {
	b := Backend{AppID: "app", Branch: "feature/login"}
	env, vals := twentyKB()
	f := NewFunction("big", "app/functions/big", env)
	p, err := f.Place(b, "5m0s", vals)
	if err != nil {
		t.Fatal(err)
	}
	if n := EnvironmentSize(p.Env); n > MaxEnvironmentBytes {
		t.Errorf("environment is %d bytes, want at most %d", n, MaxEnvironmentBytes)
	}
	if p.Env["NAME"] != "World" || p.Env[EnvSecrets] != "API_KEY=MY_API_KEY" {
		t.Errorf("the small literal or the secret moved: %v", p.Env)
	}
	// Every BLOB is as large; a few stay, the first by key order move.
	if len(p.Moved) < 30 || p.Moved[0] != "BLOB_00" || strings.HasPrefix(strings.Join(p.Moved, ","), "NAME") {
		t.Errorf("moved %v", p.Moved)
	}
	for _, k := range p.Moved {
		if _, ok := p.Env[k]; ok {
			t.Errorf("moved literal %s is still in the environment", k)
		}
	}
	names, err := DecodeLiterals(p.Env[EnvLiterals])
	if err != nil {
		t.Fatal(err)
	}
	var values []string
	for i, prm := range p.Parameters {
		if prm.Name != names[i] {
			t.Errorf("parameter %d is %s, the environment names %s", i, prm.Name, names[i])
		}
		if len(prm.Value) > MaxParameterValueBytes || !utf8.ValidString(prm.Value) {
			t.Errorf("parameter %s: %d bytes, valid UTF-8 %v", prm.Name, len(prm.Value), utf8.ValidString(prm.Value))
		}
		if err := ValidateParameterName(prm.Name); err != nil {
			t.Error(err)
		}
		values = append(values, prm.Value)
	}
	if len(names) != len(p.Parameters) || !strings.HasPrefix(names[0], "/fnenv/app/-feature-login-") {
		t.Errorf("names %v for %d parameters", names, len(p.Parameters))
	}
	got, err := DecodeLiteralValues(values)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, k := range p.Moved {
		want[k] = vals.Literals[k]
	}
	if d := cmp.Diff(got, want); d != "" {
		t.Errorf("moved literals read back (-got +want):\n%s", d)
	}
	again, _ := f.Place(b, "5m0s", vals)
	if d := cmp.Diff(again, p); d != "" {
		t.Errorf("Place is not deterministic (-again +first):\n%s", d)
	}
}

func TestPlaceKeepsASmallEnvironment(t *testing.T) {
	b := Backend{AppID: "app", Branch: "main"}
	f := NewFunction("small", "e", map[string]Variable{"NAME": {Kind: Literal}, "API_KEY": {Kind: Secret, Secret: "K"}})
	vals := lits("NAME", "World")
	p, err := f.Place(b, "5m0s", vals)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(p, Placement{Env: f.Environment(b, "5m0s", vals)}); d != "" {
		t.Errorf("a function that fits changed (-got +want):\n%s", d)
	}
}

// A literal holding a CDK token resolves at deploy: it is never cut.
func TestPlaceKeepsATokenWhole(t *testing.T) {
	b := Backend{AppID: "app", Branch: "main"}
	env := map[string]Variable{}
	vals := lits()
	for i := range 9 {
		k := fmt.Sprintf("BLOB_%d", i)
		env[k] = Variable{Kind: Literal}
		vals.Literals[k] = strings.Repeat("x", 1000)
	}
	token := "${Token[TOKEN.123]}"
	env["ARN"] = Variable{Kind: Literal}
	vals.Literals["ARN"] = "arn-" + token + strings.Repeat("y", 3000)
	vals.Tokens = map[string]bool{"ARN": true}
	p, err := NewFunction("fn", "e", env).Place(b, "5m0s", vals)
	if err != nil {
		t.Fatal(err)
	}
	whole := false
	for _, prm := range p.Parameters {
		if strings.Contains(prm.Value, `"ARN":"arn-`+token+strings.Repeat("y", 3000)+`"`) {
			whole = true
		}
	}
	if !whole {
		t.Errorf("the token literal was cut across parameters: %v", p.Parameters)
	}
}

func TestParseRef(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Ref
		err  string
	}{
		{in: "STRIPE_KEY", want: Ref{Form: RefName, Name: "STRIPE_KEY"}},
		{in: "/legacy/db/password", want: Ref{Form: RefPath, Name: "/legacy/db/password"}},
		{in: "arn:aws:ssm:us-east-1:111122223333:parameter/platform/datadog-key",
			want: Ref{Form: RefARN, Name: "/platform/datadog-key", Partition: "aws", Region: "us-east-1", Account: "111122223333"}},
		{in: "arn:aws-cn:ssm:cn-north-1:111122223333:parameter/api-url",
			want: Ref{Form: RefARN, Name: "api-url", Partition: "aws-cn", Region: "cn-north-1", Account: "111122223333"}},
		{in: "a/b", err: "is neither a secret name"},
		{in: "/legacy//pw", err: `parameter path "/legacy//pw": level "" must match`},
		{in: "/legacy/db/", err: `level "" must match`},
		{in: "/ssm/x", err: `starts with "ssm"`},
		{in: "/" + strings.Repeat("a", 1011), err: "1012 characters; SSM allows 1011"},
		{in: "arn:aws:s3:::bucket", err: "not an SSM ARN"},
		{in: "arn:aws:ssm:us-east-1:1234:parameter/x", err: `account "1234" must be 12 digits`},
		{in: "arn:aws:ssm::111122223333:parameter/x", err: `region "" must be a region`},
		{in: "arn:aws:ssm:us-east-1:111122223333:document/x", err: "the resource must be parameter/<name>"},
		{in: "arn:aws:ssm:us-east-1:111122223333:parameter/" + strings.Repeat("a", 970), err: "is 1015 characters; SSM allows 1011 for a parameter's name, its ARN's prefix included"},
	} {
		got, err := ParseRef(tt.in)
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("ParseRef(%q) = %v", tt.in, err)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("ParseRef(%q) = %v, want an error containing %q", tt.in, err, tt.err)
		case tt.err == "":
			if d := cmp.Diff(got, tt.want); d != "" {
				t.Errorf("ParseRef(%q) (-got +want):\n%s", tt.in, d)
			}
			if got.String() != tt.in || FormOf(tt.in) != got.Form {
				t.Errorf("ParseRef(%q).String() = %q, FormOf = %v", tt.in, got.String(), FormOf(tt.in))
			}
		}
	}
}

func TestEnvironmentOfExistingParameters(t *testing.T) {
	b := Backend{AppID: "app", Branch: "main"}
	f := NewFunction("fn", "e", map[string]Variable{
		"PW":  {Kind: Secret, Secret: "/legacy/db/password"},
		"URL": {Kind: Parameter, Parameter: "arn:aws:ssm:us-east-1:111122223333:parameter/legacy/payments/api-url"},
	})
	got := f.Environment(b, "5m0s", SynthValues{})
	want := map[string]string{
		EnvSecrets:    "PW=/legacy/db/password",
		EnvParameters: "URL=arn:aws:ssm:us-east-1:111122223333:parameter/legacy/payments/api-url",
		EnvMaxAge:     "5m0s",
	}
	if d := cmp.Diff(got, want); d != "" {
		t.Errorf("Environment: no branch or shared prefix without a secret name (-got +want):\n%s", d)
	}
	if d := cmp.Diff(f.ExistingParameters(), []string{"/legacy/db/password", "arn:aws:ssm:us-east-1:111122223333:parameter/legacy/payments/api-url"}); d != "" || len(f.Secrets()) != 0 {
		t.Errorf("ExistingParameters (-got +want):\n%s; Secrets %v", d, f.Secrets())
	}
	dec, err := DecodeParameters(got[EnvParameters])
	if err != nil || dec["URL"] != f.Variables[1].Parameter {
		t.Errorf("DecodeParameters = %v, %v", dec, err)
	}
}
