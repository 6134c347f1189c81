package codegen_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/google/go-cmp/cmp"

	"github.com/fnenv/fnenv/codegen"
	"github.com/fnenv/fnenv/internal/moto"
	"github.com/fnenv/fnenv/model"
)

const smHandler = `package main

import (
	"context"
	"fmt"
	"os"

	"example.com/fnenvtest/app/functions/db-report/env"
)

func main() {
	e, err := env.Load(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("DBUsername=%s\nDBPassword=%s\nLicense=%s\n", e.DBUsername.Reveal(), e.DBPassword.Reveal(), e.License.Reveal())
}
`

// TestEndToEndSecretsManager generates the env package of a function with
// Secrets Manager references, checks that it — and only it — links the
// Secrets Manager client, compiles a handler and runs it against moto with
// the environment the construct would set.
func TestEndToEndSecretsManager(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles a module")
	}
	mod := newModule(t)
	db := &model.SecretsManagerRef{Secret: "DbCredential", ID: "fnenv-e2e/feature-login/db"}
	fn := model.NewFunction("db-report", "app/functions/db-report", map[string]model.Variable{
		"DB_USERNAME": {Kind: model.SecretsManager, SecretsManager: &model.SecretsManagerRef{Secret: db.Secret, ID: db.ID, Field: "username"}},
		"DB_PASSWORD": {Kind: model.SecretsManager, SecretsManager: &model.SecretsManagerRef{Secret: db.Secret, ID: db.ID, Field: "password"}},
		"LICENSE":     {Kind: model.SecretsManager, SecretsManager: &model.SecretsManagerRef{Secret: "License", ID: "fnenv-e2e/license"}},
	})
	if _, err := codegen.Write(mod, fn); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(mod, fn.Entry, "main.go"), []byte(smHandler), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := buildHandler(t, mod, fn.Entry)
	if !slices.Contains(deps(t, mod, fn.Entry+"/env"), "github.com/aws/aws-sdk-go-v2/service/secretsmanager") {
		t.Error("the env package of a function with a Secrets Manager reference does not link the Secrets Manager client")
	}

	srv := moto.StartT(t)
	c := sm.New(sm.Options{Region: moto.Region, BaseEndpoint: aws.String(srv.URL),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, nil
		})})
	for name, value := range map[string]string{
		db.ID:               `{"username":"fake_user","password":"fake_password_0042","host":"db.example.test"}`,
		"fnenv-e2e/license": "lic_fake_0042",
	} {
		if _, err := c.CreateSecret(context.Background(), &sm.CreateSecretInput{Name: aws.String(name), SecretString: aws.String(value)}); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(bin)
	cmd.Env = append(srv.Env(), "AWS_LAMBDA_FUNCTION_NAME=fnenv-e2e-DbReport")
	for k, v := range fn.Environment(model.Backend{AppID: "fnenv-e2e", Branch: "feature/login"}, "5m0s", model.SynthValues{}) {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("handler: %v\n%s", err, out)
	}
	want := "DBUsername=fake_user\nDBPassword=fake_password_0042\nLicense=lic_fake_0042\n"
	if diff := cmp.Diff(string(out), want); diff != "" {
		t.Errorf("output (-got +want):\n%s", diff)
	}
}
