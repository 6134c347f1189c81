package test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsrds"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/google/go-cmp/cmp"

	"github.com/fnenv/fnenv/constructs/function"
	"github.com/fnenv/fnenv/model"
)

// smARN is the template form of the ARN of a Secrets Manager secret named
// name (with CDK's "-??????" for the suffix when known by name only).
func smARN(name string) any {
	return map[string]any{"Fn::Join": []any{"", []any{
		"arn:", map[string]any{"Ref": "AWS::Partition"},
		":secretsmanager:", map[string]any{"Ref": "AWS::Region"},
		":", map[string]any{"Ref": "AWS::AccountId"},
		":secret:" + name,
	}}}
}

// statements returns the statements of every IAM policy in tmpl, by Sid.
func statements(t *testing.T, tmpl interface{ ToJSON() *map[string]any }) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	js := *tmpl.ToJSON()
	for _, r := range js["Resources"].(map[string]any) {
		r := r.(map[string]any)
		if r["Type"] != "AWS::IAM::Policy" {
			continue
		}
		doc := r["Properties"].(map[string]any)["PolicyDocument"].(map[string]any)
		for _, s := range doc["Statement"].([]any) {
			s := s.(map[string]any)
			sid, _ := s["Sid"].(string)
			out[sid] = s
		}
	}
	return out
}

const completeARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:fnenv-test/license-AbCdEf"

func TestSecretsManagerImportedByNameAndByARN(t *testing.T) {
	// GIVEN a function reading two fields of a secret imported by name and
	// the whole of one imported by complete ARN, beside an SSM secret
	app := newApp(appOptions{branch: "feature/login"})
	stack := newStack(app, "Reports")
	db := awssecretsmanager.Secret_FromSecretNameV2(stack, jsii.String("DbCredential"), jsii.String("fnenv-test/feature-login/db"))
	license := awssecretsmanager.Secret_FromSecretCompleteArn(stack, jsii.String("License"), jsii.String(completeARN))
	function.New(stack, "Report", &function.Props{
		Name:  "report",
		Entry: hello,
		Environment: map[string]function.Value{
			"DB_USERNAME": function.SecretsManager(db, "username"),
			"DB_PASSWORD": function.SecretsManager(db, "password"),
			"LICENSE":     function.SecretsManager(license, ""),
			"API_KEY":     function.Secret("API_KEY"),
		},
	})

	// WHEN the stack synthesizes
	tmpl := template(t, stack)

	// THEN the environment holds each secret's name or ARN once, no value
	env := lambdaEnv(t, tmpl)
	if got, want := env[model.EnvSecretsManager], "DB_PASSWORD+DB_USERNAME=fnenv-test/feature-login/db,LICENSE="+completeARN; got != want {
		t.Errorf("%s = %q, want %q", model.EnvSecretsManager, got, want)
	}
	for _, k := range []string{"DB_USERNAME", "DB_PASSWORD", "LICENSE"} {
		if _, ok := env[k]; ok {
			t.Errorf("the environment holds %s itself", k)
		}
	}
	// …and the grants are GetSecretValue on exactly those two secrets —
	// CDK's "-??????" pattern for the one known by name —, the SSM secret's,
	// no kms:Decrypt, and no statement on Resource "*" (no
	// BatchGetSecretValue, which has no resource-level permission)
	st := statements(t, tmpl)
	want := map[string]any{
		"Sid": "FnenvReadSecretsManager", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
		"Resource": []any{smARN("fnenv-test/feature-login/db-??????"), completeARN},
	}
	if diff := cmp.Diff(st["FnenvReadSecretsManager"], want); diff != "" {
		t.Errorf("GetSecretValue statement (-got +want):\n%s", diff)
	}
	if _, ok := st["FnenvReadSecrets"]; !ok {
		t.Error("the SSM secret's statement is missing")
	}
	if len(st) != 2 {
		t.Errorf("statements = %v, want the 2 above only", st)
	}
	for sid, s := range st {
		if fmt.Sprint(s["Resource"]) == "*" || strings.Contains(fmt.Sprint(s["Action"]), "BatchGetSecretValue") {
			t.Errorf("statement %s: %v; want no Resource \"*\" nor BatchGetSecretValue", sid, s)
		}
	}
	if n := len(resources(t, tmpl, "AWS::IAM::Policy")); n != 1 {
		t.Errorf("%d IAM policies, want the function role's default policy only", n)
	}
}

func TestSecretsManagerSecretCreatedInTheApp(t *testing.T) {
	// GIVEN secrets the app creates: one with generated JSON encrypted with
	// a customer key, and an RDS credential
	app := newApp(appOptions{})
	stack := newStack(app, "Db")
	key := awskms.NewKey(stack, jsii.String("Key"), nil)
	generated := awssecretsmanager.NewSecret(stack, jsii.String("ApiCredential"), &awssecretsmanager.SecretProps{
		EncryptionKey: key,
		GenerateSecretString: &awssecretsmanager.SecretStringGenerator{
			SecretStringTemplate: jsii.String(`{"user":"api"}`),
			GenerateStringKey:    jsii.String("token"),
		},
	})
	rdsSecret := awsrds.NewDatabaseSecret(stack, jsii.String("RdsCredential"), &awsrds.DatabaseSecretProps{Username: jsii.String("admin")})
	fn := function.New(stack, "Fn", &function.Props{
		Name:  "db",
		Entry: hello,
		Environment: map[string]function.Value{
			"API_TOKEN":   function.SecretsManager(generated, "token"),
			"DB_PASSWORD": function.SecretsManager(rdsSecret, "password"),
			"DB_HOST":     function.SecretsManager(rdsSecret, "host"),
		},
	})

	// WHEN the stack synthesizes
	tmpl := template(t, stack)
	id := func(c constructs.IConstruct) string {
		return *stack.GetLogicalId(c.Node().DefaultChild().(awscdk.CfnElement))
	}
	genID, rdsID, keyID := id(generated), id(rdsSecret), id(key)

	// THEN the environment holds the secrets' ARNs as references (no value:
	// the generated password is never in the template)
	js, _ := json.Marshal(lambdaEnvRaw(t, tmpl)[model.EnvSecretsManager])
	for _, want := range []string{"API_TOKEN=", `"Ref":"` + genID, "DB_HOST+DB_PASSWORD=", `"Ref":"` + rdsID} {
		if !strings.Contains(string(js), want) {
			t.Errorf("%s = %s, lacks %q", model.EnvSecretsManager, js, want)
		}
	}
	// …GetSecretValue on exactly those two, kms:Decrypt on the one key via
	// Secrets Manager
	st := statements(t, tmpl)
	if diff := cmp.Diff(st["FnenvReadSecretsManager"]["Resource"], any([]any{
		map[string]any{"Ref": genID}, map[string]any{"Ref": rdsID},
	})); diff != "" {
		t.Errorf("GetSecretValue resources (-got +want):\n%s", diff)
	}
	wantKMS := map[string]any{
		"Sid": "FnenvDecryptSecretsManager", "Effect": "Allow", "Action": "kms:Decrypt",
		"Resource": map[string]any{"Fn::GetAtt": []any{keyID, "Arn"}},
		"Condition": map[string]any{"StringEquals": map[string]any{
			"kms:ViaService": map[string]any{"Fn::Join": []any{"", []any{
				"secretsmanager.", map[string]any{"Ref": "AWS::Region"}, ".", map[string]any{"Ref": "AWS::URLSuffix"},
			}}},
		}},
	}
	if diff := cmp.Diff(st["FnenvDecryptSecretsManager"], wantKMS); diff != "" {
		t.Errorf("kms:Decrypt statement (-got +want):\n%s", diff)
	}
	// …and the spec names each secret by its construct path in the stack,
	// the same on every branch, with no id (known at deploy only).
	var refs []model.SecretsManagerRef
	for _, v := range fn.Declaration().Variables {
		refs = append(refs, model.SecretsManagerRef{Secret: v.SecretsManager.Secret, ID: v.SecretsManager.ID, Field: v.SecretsManager.Field})
	}
	if diff := cmp.Diff(refs, []model.SecretsManagerRef{
		{Secret: "ApiCredential", Field: "token"}, {Secret: "RdsCredential", Field: "host"}, {Secret: "RdsCredential", Field: "password"},
	}); diff != "" {
		t.Errorf("spec refs (-got +want):\n%s", diff)
	}
}

// lambdaEnvRaw returns the environment of the only function as the
// template holds it (intrinsics as maps).
func lambdaEnvRaw(t *testing.T, tmpl interface{ ToJSON() *map[string]any }) map[string]any {
	t.Helper()
	for _, r := range (*tmpl.ToJSON())["Resources"].(map[string]any) {
		r := r.(map[string]any)
		if r["Type"] == "AWS::Lambda::Function" {
			return r["Properties"].(map[string]any)["Environment"].(map[string]any)["Variables"].(map[string]any)
		}
	}
	t.Fatal("no Lambda function")
	return nil
}

func TestSecretsManagerBadInputFailsSynth(t *testing.T) {
	tests := []struct {
		name  string
		field string
		nil   bool
		want  string
	}{
		{name: "nil secret", nil: true, want: `function "fn": env key "DB_PASSWORD": has no Secrets Manager secret: function.SecretsManager was given a nil secret`},
		{name: "blank field", field: " \t", want: `function "fn": env key "DB_PASSWORD": JSON field " \t" is empty after trimming spaces`},
		{name: "field with a newline", field: "pass\nword", want: `function "fn": env key "DB_PASSWORD": JSON field "pass\nword" holds a line break`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := newApp(appOptions{})
			stack := newStack(app, "Bad")
			var secret awssecretsmanager.ISecret
			if !tt.nil {
				secret = awssecretsmanager.Secret_FromSecretNameV2(stack, jsii.String("Db"), jsii.String("db"))
			}
			function.New(stack, "Fn", &function.Props{Name: "fn", Entry: hello,
				Environment: map[string]function.Value{"DB_PASSWORD": function.SecretsManager(secret, tt.field)}})
			if got := synthError(app); !strings.Contains(got, tt.want) {
				t.Errorf("synth error lacks %q; it is:\n%s", tt.want, got)
			}
		})
	}
}

func TestSecretsManagerCountsAgainst4KB(t *testing.T) {
	// GIVEN 30 secrets the app creates, whose ARNs are tokens at synth
	app := newApp(appOptions{})
	stack := newStack(app, "Big")
	env := map[string]function.Value{}
	for i := range 30 {
		s := awssecretsmanager.NewSecret(stack, jsii.String("Secret"+string(rune('A'+i%26))+string(rune('A'+i/26))), nil)
		env["VARIABLE_"+string(rune('A'+i%26))+string(rune('A'+i/26))] = function.SecretsManager(s, "")
	}
	function.New(stack, "Fn", &function.Props{Name: "big", Entry: hello, Environment: env})

	// WHEN the app synthesizes, THEN it fails on Lambda's 4 KB, measured
	// with the ARNs as they will be deployed
	if got := synthError(app); !strings.Contains(got, `function "big": environment: is `) || !strings.Contains(got, "Lambda allows 4096") {
		t.Errorf("synth error = %q, want the 4 KB problem", got)
	}
}

func TestSecretsManagerCheckedAtSynth(t *testing.T) {
	// GIVEN an app reading a field of a secret imported by name, and one
	// it creates, with fnenvCheckSecrets on
	motoEnv(t)
	app := func() awscdk.Stack {
		a := newApp(appOptions{extra: map[string]any{model.ContextCheckSecrets: true}})
		stack := newStack(a, "Db")
		db := awssecretsmanager.Secret_FromSecretNameV2(stack, jsii.String("DbCredential"), jsii.String("fnenv-test/main/db"))
		created := awssecretsmanager.NewSecret(stack, jsii.String("Created"), nil)
		function.New(stack, "Fn", &function.Props{Name: "db", Entry: hello, Environment: map[string]function.Value{
			"DB_PASSWORD": function.SecretsManager(db, "password"),
			"TOKEN":       function.SecretsManager(created, ""),
		}})
		return stack
	}

	// WHEN the secret does not exist, THEN the function has an error naming
	// it and the field
	got := strings.Join(allAnnotations(t, app()), "\n")
	if missing := contains(got, "error /Db-main/Fn fnenv: function db references a secret that is not set for branch main: "+
		`DbCredential — Secrets Manager secret fnenv-test/main/db does not exist or its JSON lacks the top-level field "password"`); len(missing) > 0 {
		t.Errorf("annotations lack %q; they are:\n%s", missing, got)
	}

	// WHEN it exists with the field, THEN synth passes
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := secretsmanager.NewFromConfig(cfg).CreateSecret(context.Background(), &secretsmanager.CreateSecretInput{
		Name: jsii.String("fnenv-test/main/db"), SecretString: jsii.String(`{"password":"fake-value-for-tests"}`),
	}); err != nil {
		t.Fatal(err)
	}
	if got := allAnnotations(t, app()); len(got) > 0 {
		t.Errorf("annotations with the secret and its field in place:\n%s", strings.Join(got, "\n"))
	}
}
