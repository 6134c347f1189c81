package cli

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/fnenv/fnenv/model"
)

// smEnv is a test env whose cdk.out holds one function reading a
// Secrets Manager secret by name (two fields), one by ARN-less name whole,
// one the app creates (no id) and an SSM secret.
func smEnv(t *testing.T) (*tenv, *sm.Client) {
	t.Helper()
	e := newEnv(t)
	ref := func(label, id, field string) model.Variable {
		return model.Variable{Kind: model.SecretsManager, SecretsManager: &model.SecretsManagerRef{Secret: label, ID: id, Field: field}}
	}
	rec := model.Record{Backend: fixtureBackend, Path: "Payments-main/Charge", Function: model.NewFunction("charge", "app/functions/charge", map[string]model.Variable{
		"DB_USERNAME": ref("DbCredential", "checkapp/main/db", "username"),
		"DB_PASSWORD": ref("DbCredential", "checkapp/main/db", "password"),
		"LICENSE":     ref("License", "checkapp/license", ""),
		"API_TOKEN":   ref("ApiToken", "", "token"),
		"STRIPE_KEY":  secretVar("STRIPE_KEY"),
	})}
	data, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	manifest, _ := json.Marshal(map[string]any{"version": "54.0.0", "artifacts": map[string]any{
		"Payments-main": map[string]any{"type": "aws:cloudformation:stack", "environment": "aws://unknown-account/unknown-region",
			"properties": map[string]any{"templateFile": "Payments-main.template.json"},
			"metadata":   map[string]any{"/Payments-main/Charge": []any{map[string]any{"type": model.MetadataType, "data": string(data)}}}},
	}})
	writeFile(t, filepath.Join(e.dir, "cdk.json"), `{"app": "false", "context": {"appId": "checkapp"}}`)
	writeFile(t, filepath.Join(e.dir, "cdk.out", "manifest.json"), string(manifest))
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return e, sm.NewFromConfig(cfg)
}

func createSecret(t *testing.T, c *sm.Client, name, value string) {
	t.Helper()
	fakes[value] = true
	if _, err := c.CreateSecret(context.Background(), &sm.CreateSecretInput{Name: aws.String(name), SecretString: aws.String(value)}); err != nil {
		t.Fatal(err)
	}
}

func TestCheckSecretsManager(t *testing.T) {
	e, c := smEnv(t)
	e.put("/amplify/checkapp/main/STRIPE_KEY", fake("main", 1))

	// GIVEN no Secrets Manager secret, THEN the check names both, by id.
	r := e.mustRun(1, "", "secret", "check", "--branch", "main")
	wantContains(t, "stdout", r.stdout,
		"3 of 4 secrets referenced by 1 function are not set for branch main",
		`DbCredential — Secrets Manager secret checkapp/main/db does not exist or its JSON lacks the top-level fields "password", "username"`,
		`create it (or add "password", "username" to its JSON) in Secrets Manager: aws secretsmanager put-secret-value --secret-id checkapp/main/db`,
		"License — Secrets Manager secret checkapp/license does not exist\n",
		"aws secretsmanager put-secret-value --secret-id checkapp/license",
	)

	// GIVEN the secrets, one JSON field missing, THEN only that field.
	createSecret(t, c, "checkapp/main/db", `{"username":"fake_sm_user_0001"}`)
	createSecret(t, c, "checkapp/license", "fake_sm_license_0001")
	r = e.mustRun(1, "", "secret", "check", "--branch", "main")
	wantContains(t, "stdout", r.stdout, "1 of 4 secrets", `checkapp/main/db does not exist or its JSON lacks the top-level field "password"`)
	if strings.Contains(r.stdout, `field "username"`) {
		t.Errorf("a present field is reported missing:\n%s", r.stdout)
	}

	// GIVEN every field, THEN the check passes, saying what it could not
	// check before deploy.
	if _, err := c.PutSecretValue(context.Background(), &sm.PutSecretValueInput{SecretId: aws.String("checkapp/main/db"),
		SecretString: aws.String(`{"username":"fake_sm_user_0001","password":"fake_sm_password_0001"}`)}); err != nil {
		t.Fatal(err)
	}
	fakes[`fake_sm_password_0001`] = true
	r = e.mustRun(0, "", "secret", "check", "--branch", "main")
	wantContains(t, "stdout", r.stdout,
		"ok: all 4 secrets referenced by 1 function are set for branch main (1 on the branch, 0 shared, 3 in Secrets Manager)",
		"1 Secrets Manager secret the app creates is not checked before deploy: ApiToken")
}

func TestListSecretsManager(t *testing.T) {
	e, _ := smEnv(t)
	e.put("/amplify/checkapp/main/STRIPE_KEY", fake("main", 2))
	r := e.mustRun(0, "", "secret", "list", "--branch", "main")
	wantContains(t, "stdout", r.stdout,
		"STRIPE_KEY", "branch",
		"Secrets Manager secrets the functions in cdk.out read on branch main (values are not read)",
		"NAME          SOURCE           SECRET",
		"ApiToken      secrets manager  (created by the app: its ARN is known at deploy)  token",
		"DbCredential  secrets manager  checkapp/main/db",
		"password, username",
		"License       secrets manager  checkapp/license",
		"(whole SecretString)",
	)
	// Another branch: the assembly's ids are main's.
	r = e.mustRun(0, "", "secret", "list", "--branch", "feature/x")
	wantContains(t, "stdout", r.stdout, "cdk.out was synthesized for branch main: synthesize for feature/x")
}
