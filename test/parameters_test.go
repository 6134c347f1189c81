package test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/jsii-runtime-go"
	"github.com/google/go-cmp/cmp"

	"github.com/fnenv/fnenv/constructs/function"
	"github.com/fnenv/fnenv/model"
)

const (
	// euPassword is a SecureString in another region of the account.
	euPassword = "arn:aws:ssm:eu-west-1:123456789012:parameter/legacy/eu/db-password"
	// platformKey is a SecureString another account shares through RAM,
	// encrypted with that account's key.
	platformKey    = "arn:aws:ssm:us-east-1:999988887777:parameter/platform/datadog-key"
	platformKmsArn = "arn:aws:kms:us-east-1:999988887777:key/1234abcd-12ab-34cd-56ef-1234567890ab"
)

// urlSuffixed is the template form of "<prefix><AWS::URLSuffix>".
func urlSuffixed(prefix string) any {
	return map[string]any{"Fn::Join": []any{"", []any{prefix, map[string]any{"Ref": "AWS::URLSuffix"}}}}
}

func TestExistingParametersAreGrantedExactly(t *testing.T) {
	// GIVEN a function reading a secret by name, existing parameters by
	// path (a SecureString, a String), one in another region, and one
	// another account shares, decrypted with that account's key
	app := newApp(appOptions{})
	stack := newStack(app, "Legacy")
	platform := awskms.Key_FromKeyArn(stack, jsii.String("PlatformKey"), jsii.String(platformKmsArn))
	function.New(stack, "Fn", &function.Props{
		Name:  "legacy",
		Entry: hello,
		Environment: map[string]function.Value{
			"API_KEY":      function.Secret("MY_API_KEY"),
			"LEGACY_PW":    function.Secret("/legacy/db/password"),
			"API_URL":      function.Parameter("/legacy/payments/api-url"),
			"HOSTS":        function.Parameter("/legacy/payments/hosts").As(function.StringList),
			"EU_PW":        function.Secret(euPassword),
			"PLATFORM_KEY": function.Secret(platformKey).DecryptWith(platform),
		},
	})

	// WHEN the stack synthesizes
	tmpl := template(t, stack)

	// THEN the environment names each parameter once, as written
	env := lambdaEnv(t, tmpl)
	wantEnv := map[string]string{
		model.EnvSecrets:      "API_KEY=MY_API_KEY,EU_PW=" + euPassword + ",LEGACY_PW=/legacy/db/password,PLATFORM_KEY=" + platformKey,
		model.EnvParameters:   "API_URL=/legacy/payments/api-url,HOSTS=/legacy/payments/hosts",
		model.EnvBranchPrefix: "/amplify/fnenv-test/main/",
		model.EnvSharedPrefix: "/amplify/shared/fnenv-test/",
		model.EnvMaxAge:       "5m0s",
	}
	if d := cmp.Diff(env, wantEnv); d != "" {
		t.Errorf("environment (-got +want):\n%s", d)
	}
	// …the function may read exactly those parameters: a path in the
	// stack's account and region, an ARN in the region and account it
	// names; and decrypt with the platform's key, via SSM in its region
	st := statements(t, tmpl)
	want := map[string]any{
		"Sid": "FnenvReadParameters", "Effect": "Allow", "Action": "ssm:GetParameters",
		"Resource": []any{arn("/legacy/db/password"), arn("/legacy/payments/api-url"), arn("/legacy/payments/hosts"), euPassword, platformKey},
	}
	if d := cmp.Diff(st["FnenvReadParameters"], want); d != "" {
		t.Errorf("GetParameters statement (-got +want):\n%s", d)
	}
	wantKms := map[string]any{
		"Sid": "FnenvDecryptWith0", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": platformKmsArn,
		"Condition": map[string]any{"StringEquals": map[string]any{"kms:ViaService": []any{urlSuffixed("ssm.us-east-1.")}}},
	}
	if d := cmp.Diff(st["FnenvDecryptWith0"], wantKms); d != "" {
		t.Errorf("kms:Decrypt statement (-got +want):\n%s", d)
	}
	wantSecrets := map[string]any{
		"Sid": "FnenvReadSecrets", "Effect": "Allow", "Action": "ssm:GetParameters",
		"Resource": []any{arn("/amplify/fnenv-test/main/MY_API_KEY"), arn("/amplify/shared/fnenv-test/MY_API_KEY")},
	}
	if d := cmp.Diff(st["FnenvReadSecrets"], wantSecrets); d != "" {
		t.Errorf("the secret name's statement (-got +want):\n%s", d)
	}
	if len(st) != 3 {
		t.Errorf("statements = %v, want the 3 above only", st)
	}
}

func TestExistingParameterBadInputFailsSynth(t *testing.T) {
	app := newApp(appOptions{})
	stack := newStack(app, "Bad")
	key := awskms.Key_FromKeyArn(stack, jsii.String("Key"), jsii.String(platformKmsArn))
	function.New(stack, "Fn", &function.Props{Name: "fn", Entry: hello, Environment: map[string]function.Value{
		"BY_NAME":   function.Parameter("api-url"),
		"RELATIVE":  function.Secret("legacy/pw"),
		"RESERVED":  function.Secret("/aws/reference/x"),
		"BAD_ARN":   function.Secret("arn:aws:ssm:us-east-1:1234:parameter/x"),
		"TOKEN":     function.Parameter(*stack.Account()),
		"LIT_KEY":   function.Literal("x").DecryptWith(key),
		"PARAM_KEY": function.Parameter("/legacy/url").DecryptWith(key),
	}})
	got := synthError(app)
	for _, want := range []string{
		`function "fn": env key "BY_NAME": parameter "api-url": give an existing parameter's full path (starting with '/') or its ARN`,
		`env key "RELATIVE": "legacy/pw" is neither a secret name ([a-zA-Z0-9_.-]+, no '/'), a parameter path (starting with '/') nor a parameter ARN`,
		`env key "RESERVED": parameter name "/aws/reference/x" starts with "aws"`,
		`env key "BAD_ARN": parameter ARN "arn:aws:ssm:us-east-1:1234:parameter/x": account "1234" must be 12 digits`,
		`env key "TOKEN": "${Token[AWS.AccountId`,
		`is a CDK token: give the parameter's name, path or ARN as plain text`,
		`env key "LIT_KEY": DecryptWith is for a function.Secret`,
		`env key "PARAM_KEY": DecryptWith on a Parameter: a String or StringList parameter is not encrypted`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("synth error lacks %q; it is:\n%s", want, got)
		}
	}
}

// SecretsKey covers the secrets given by name only: with none, a secret by
// path it would leave without kms:Decrypt is a synth problem, not a failed
// cold start.
func TestSecretsKeyWithoutNamedSecretFailsSynth(t *testing.T) {
	app := newApp(appOptions{})
	stack := newStack(app, "Keyed")
	key := awskms.Key_FromKeyArn(stack, jsii.String("Key"), jsii.String(platformKmsArn))
	function.New(stack, "Fn", &function.Props{Name: "fn", Entry: hello, SecretsKey: key, Environment: map[string]function.Value{
		"LEGACY_PW": function.Secret("/legacy/db/password"),
		"KEYED_PW":  function.Secret("/legacy/db/other").DecryptWith(key),
	}})
	got := synthError(app)
	want := `function "fn": SecretsKey: is set, but the function gives no secret by name, the only ones SecretsKey covers; env key "LEGACY_PW" reads /legacy/db/password by path or ARN: give its key with function.Secret(…).DecryptWith(key)`
	if !strings.Contains(got, want) {
		t.Errorf("synth error lacks %q; it is:\n%s", want, got)
	}
	if strings.Contains(got, "KEYED_PW") {
		t.Errorf("a secret with DecryptWith is reported:\n%s", got)
	}
}

// twentyKB is 20 KB of literals: 40 of 500 bytes, plus a small one.
func twentyKB() map[string]function.Value {
	env := map[string]function.Value{"NAME": function.Literal("World"), "API_KEY": function.Secret("MY_API_KEY")}
	for i := range 40 {
		env[fmt.Sprintf("BLOB_%02d", i)] = function.Literal(strings.Repeat(string(rune('a'+i%26)), 500))
	}
	return env
}

func TestLiteralsBeyond4KBMoveToStackParameters(t *testing.T) {
	// GIVEN a function with 20 KB of literals
	app := newApp(appOptions{branch: "feature/login"})
	stack := newStack(app, "Big")
	function.New(stack, "Fn", &function.Props{Name: "big", Entry: hello, Environment: twentyKB()})

	// WHEN the stack synthesizes
	tmpl := template(t, stack)

	// THEN the environment fits in 4 KB, keeps the small literal, and names
	// the parameters holding the rest
	env := lambdaEnv(t, tmpl)
	if n := model.EnvironmentSize(env); n > model.MaxEnvironmentBytes {
		t.Errorf("environment is %d bytes", n)
	}
	dir := "/fnenv/fnenv-test/-feature-login-5712f05b4f/big/literals"
	if env["NAME"] != "World" || !strings.HasPrefix(env[model.EnvLiterals], dir+":") {
		t.Errorf("environment %v", env)
	}
	names, err := model.DecodeLiterals(env[model.EnvLiterals])
	if err != nil {
		t.Fatal(err)
	}
	// …each a String parameter of the standard tier, of at most 4 KB,
	// which read back in order give the moved literals
	params := resources(t, tmpl, "AWS::SSM::Parameter")
	if len(params) != len(names) || len(names) < 4 {
		t.Fatalf("%d parameters, the environment names %v", len(params), names)
	}
	values := make([]string, len(names))
	var ids []any
	for id, p := range params {
		props := p["Properties"].(map[string]any)
		name, _ := props["Name"].(string)
		i := strings.Index(strings.Join(names, "|")+"|", name+"|")
		if i < 0 || props["Type"] != "String" || props["Tier"] != "Standard" {
			t.Errorf("parameter %s: %v", id, props)
			continue
		}
		v := props["Value"].(string)
		if len(v) > model.MaxParameterValueBytes {
			t.Errorf("parameter %s holds %d bytes", name, len(v))
		}
		values[strings.Count(strings.Join(names, "|")[:i], "|")] = v
		ids = append(ids, id)
	}
	moved, err := model.DecodeLiteralValues(values)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range twentyKB() {
		_, inEnv := env[k]
		if _, ok := moved[k]; ok == inEnv && strings.HasPrefix(k, "BLOB") {
			t.Errorf("literal %s: in the environment %v, moved %v", k, inEnv, ok)
		}
		if got, ok := moved[k]; ok && got != strings.Repeat(got[:1], 500) {
			t.Errorf("moved literal %s reads back wrong", k)
		}
		_ = v
	}
	// …and the function may read exactly those parameters, and waits for
	// them
	var arns []any
	for _, n := range names {
		arns = append(arns, arn(n))
	}
	want := map[string]any{"Sid": "FnenvReadLiterals", "Effect": "Allow", "Action": "ssm:GetParameters", "Resource": arns}
	if d := cmp.Diff(statements(t, tmpl)["FnenvReadLiterals"], want); d != "" {
		t.Errorf("GetParameters statement (-got +want):\n%s", d)
	}
	for id, fn := range resources(t, tmpl, "AWS::Lambda::Function") {
		deps := map[any]bool{}
		for _, d := range fn["DependsOn"].([]any) {
			deps[d] = true
		}
		for _, p := range ids {
			if !deps[p] {
				t.Errorf("function %s does not depend on parameter %s", id, p)
			}
		}
	}
}

func TestLiteralsBeyond32KBFailSynth(t *testing.T) {
	app := newApp(appOptions{})
	stack := newStack(app, "Huge")
	env := map[string]function.Value{}
	for i := range 70 {
		env[fmt.Sprintf("BLOB_%02d", i)] = function.Literal(strings.Repeat("x", 500))
	}
	function.New(stack, "Fn", &function.Props{Name: "huge", Entry: hello, Environment: env})
	if got, want := synthError(app), `function "huge": literals: are 35911 bytes as JSON; fnenv keeps at most 32768 (32 KB) of literals per function`; !strings.Contains(got, want) {
		t.Errorf("synth error = %q, want %q", got, want)
	}
}

// TestMovedLiteralsDeployOnMoto deploys the parameters of a function's 20
// KB of literals (the stack's AWS::SSM::Parameter resources, as
// synthesized; moto cannot run the function's Lambda resources without
// its assets) with CloudFormation on moto, and reads them back as the
// handler does.
func TestMovedLiteralsDeployOnMoto(t *testing.T) {
	_, c := motoEnv(t)
	app := newApp(appOptions{})
	stack := newStack(app, "Big")
	function.New(stack, "Fn", &function.Props{Name: "big", Entry: hello, Environment: twentyKB()})
	tmpl := template(t, stack)
	env := lambdaEnv(t, tmpl)
	params := resources(t, tmpl, "AWS::SSM::Parameter")
	body, err := json.Marshal(map[string]any{"Resources": params})
	if err != nil {
		t.Fatal(err)
	}

	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cfn := cloudformation.NewFromConfig(cfg)
	if _, err := cfn.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("Big-main"), TemplateBody: aws.String(string(body))}); err != nil {
		t.Fatal(err)
	}
	w := cloudformation.NewStackCreateCompleteWaiter(cfn, func(o *cloudformation.StackCreateCompleteWaiterOptions) { o.MinDelay = 100 * time.Millisecond })
	if err := w.Wait(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("Big-main")}, time.Minute); err != nil {
		t.Fatal(err)
	}

	names, err := model.DecodeLiterals(env[model.EnvLiterals])
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.GetParameters(ctx, &ssm.GetParametersInput{Names: names})
	if err != nil || len(out.Parameters) != len(names) {
		t.Fatalf("GetParameters(%v) = %v, %v", names, out, err)
	}
	byName := map[string]string{}
	for _, p := range out.Parameters {
		byName[*p.Name] = *p.Value
		if p.Type != "String" {
			t.Errorf("parameter %s is a %s", *p.Name, p.Type)
		}
	}
	var values []string
	for _, n := range names {
		values = append(values, byName[n])
	}
	moved, err := model.DecodeLiteralValues(values)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range moved {
		if want := twentyKB()[k]; want == (function.Value{}) || v != strings.Repeat(v[:1], 500) {
			t.Errorf("literal %s deployed wrong", k)
		}
	}
	if len(moved)+len(env) < 41 {
		t.Errorf("%d literals moved, %d variables in the environment: some literal is lost", len(moved), len(env))
	}
}
