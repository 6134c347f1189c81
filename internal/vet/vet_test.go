package vet_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/fnenv/fnenv/codegen"
	"github.com/fnenv/fnenv/internal/vet"
	"github.com/fnenv/fnenv/model"
	"github.com/fnenv/fnenv/resolver/envtype"
)

// TestAnalyzer: each `// want` comment under testdata/src is a report the
// analyzer must make, at its line; any other report fails.
func TestAnalyzer(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), vet.Analyzer,
		"shop/functions/charge", "shop/functions/charge/internal/pay", "shop/functions/refund", "shop/lib",
		"shop/functions/charge/env")
}

// TestParseGenerated reads what the generator writes: the analyzer's
// reader and package codegen agree on the function's name, its secret
// variables (SSM and Secrets Manager), the secrets' names and the fields.
func TestParseGenerated(t *testing.T) {
	fn := model.NewFunction("charge", "functions/charge", map[string]model.Variable{
		"API_KEY":     {Kind: model.Secret, Secret: "MY_API_KEY"},
		"STRIPE_KEY":  {Kind: model.Secret, Secret: "STRIPE_KEY", Type: envtype.URL},
		"CURRENCY":    {Kind: model.Literal},
		"MY_SECRET":   {Kind: model.Literal},
		"OTHER_KEY":   {Kind: model.Secret, Secret: "MY_SECRET"}, // in the environment as a literal
		"DB_PASSWORD": {Kind: model.SecretsManager, SecretsManager: &model.SecretsManagerRef{Secret: "DbCredential", ID: "db", Field: "password"}},
	})
	src, err := codegen.Generate(fn)
	if err != nil {
		t.Fatal(err)
	}
	got, err := vet.ParseEnvPackage("env.go", src)
	if err != nil {
		t.Fatal(err)
	}
	want := &vet.Function{Name: "charge", Secrets: map[string]vet.Secret{
		"API_KEY":     {Var: "API_KEY", Field: "APIKey", Secret: "MY_API_KEY"},
		"MY_API_KEY":  {Var: "API_KEY", Field: "APIKey", Secret: "MY_API_KEY"},
		"STRIPE_KEY":  {Var: "STRIPE_KEY", Field: "StripeKey", Secret: "STRIPE_KEY"},
		"OTHER_KEY":   {Var: "OTHER_KEY", Field: "OtherKey", Secret: "MY_SECRET"},
		"DB_PASSWORD": {Var: "DB_PASSWORD", Field: "DBPassword"},
	}}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("ParseEnvPackage (-got +want):\n%s", diff)
	}

	t.Run("not generated", func(t *testing.T) {
		if _, err := vet.ParseEnvPackage("env.go", []byte("package env\n")); err == nil {
			t.Error("no error for a file without fnenv's header")
		}
	})
}
