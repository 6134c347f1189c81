package test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"
	"github.com/google/go-cmp/cmp"

	"github.com/fnenv/fnenv/codegen"
	"github.com/fnenv/fnenv/constructs/function"
	"github.com/fnenv/fnenv/model"
)

// arn is the template form of the ARN of an SSM parameter named path in
// the stack's partition, region and account.
func arn(path string) any {
	return map[string]any{"Fn::Join": []any{"", []any{
		"arn:", map[string]any{"Ref": "AWS::Partition"},
		":ssm:", map[string]any{"Ref": "AWS::Region"},
		":", map[string]any{"Ref": "AWS::AccountId"},
		":parameter" + path,
	}}}
}

func TestEnvironmentHoldsParameterNamesOnly(t *testing.T) {
	// GIVEN a function with literals, a branch secret used by two
	// variables and a shared secret
	app := newApp(appOptions{branch: "feature/login"})
	stack := newStack(app, "Payments")
	function.New(stack, "Charge", &function.Props{
		Name:  "charge",
		Entry: hello,
		Environment: map[string]function.Value{
			"CURRENCY":       function.Literal("usd"),
			"STRIPE_KEY":     function.Secret("STRIPE_KEY"),
			"STRIPE_API_KEY": function.Secret("STRIPE_KEY"),
			"SENTRY_DSN":     function.Secret("SENTRY_DSN"),
		},
	})

	// WHEN the stack synthesizes
	tmpl := template(t, stack)

	// THEN the environment holds the literal and only the names of the
	// secrets' parameters, and no variable of a secret
	got := lambdaEnv(t, tmpl)
	want := map[string]string{
		"CURRENCY":            "usd",
		"FNENV_SECRETS":       "SENTRY_DSN=SENTRY_DSN,STRIPE_API_KEY=STRIPE_KEY,STRIPE_KEY=STRIPE_KEY",
		"FNENV_BRANCH_PREFIX": "/amplify/fnenv-test/-feature-login-5712f05b4f/",
		"FNENV_SHARED_PREFIX": "/amplify/shared/fnenv-test/",
		"FNENV_BRANCH":        "feature/login",
		"FNENV_MAX_AGE":       "5m0s",
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("environment (-got +want):\n%s", diff)
	}
	assert(t, "runtime and handler", func() {
		tmpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), assertions.Match_ObjectLike(&map[string]any{
			"Runtime":       "provided.al2023",
			"Handler":       "bootstrap",
			"Architectures": []any{"arm64"},
		}))
	})
}

func TestFunctionWithoutSecretsGetsNoFnenvVariablesNorPolicy(t *testing.T) {
	app := newApp(appOptions{})
	stack := newStack(app, "Plain")
	function.New(stack, "Fn", &function.Props{Name: "plain", Entry: hello,
		Environment: map[string]function.Value{"GREETING": function.Literal("hi")}})
	tmpl := template(t, stack)
	if diff := cmp.Diff(lambdaEnv(t, tmpl), map[string]string{"GREETING": "hi"}); diff != "" {
		t.Errorf("environment (-got +want):\n%s", diff)
	}
	if got := resources(t, tmpl, "AWS::IAM::Policy"); len(got) != 0 {
		t.Errorf("got %d IAM policies, want none: %v", len(got), got)
	}
}

func TestPolicyGrantsExactlyTheBranchAndSharedParameters(t *testing.T) {
	// GIVEN a function referencing two secrets, one through two variables
	app := newApp(appOptions{branch: "feature/login"})
	stack := newStack(app, "Payments")
	function.New(stack, "Refund", &function.Props{
		Name:  "refund",
		Entry: hello,
		Environment: map[string]function.Value{
			"STRIPE_KEY":     function.Secret("STRIPE_KEY"),
			"STRIPE_API_KEY": function.Secret("STRIPE_KEY"),
			"SENTRY_DSN":     function.Secret("SENTRY_DSN"),
			"LOG_LEVEL":      function.Literal("debug"),
		},
	})

	// WHEN the stack synthesizes
	tmpl := template(t, stack)

	// THEN its only policy holds one statement: ssm:GetParameters on the
	// branch and shared parameter of each secret, and nothing else
	policies := resources(t, tmpl, "AWS::IAM::Policy")
	if len(policies) != 1 {
		t.Fatalf("got %d IAM policies, want 1", len(policies))
	}
	for id, p := range policies {
		doc := p["Properties"].(map[string]any)["PolicyDocument"]
		want := map[string]any{
			"Version": "2012-10-17",
			"Statement": []any{map[string]any{
				"Sid":    "FnenvReadSecrets",
				"Effect": "Allow",
				"Action": "ssm:GetParameters",
				"Resource": []any{
					arn("/amplify/fnenv-test/-feature-login-5712f05b4f/SENTRY_DSN"),
					arn("/amplify/shared/fnenv-test/SENTRY_DSN"),
					arn("/amplify/fnenv-test/-feature-login-5712f05b4f/STRIPE_KEY"),
					arn("/amplify/shared/fnenv-test/STRIPE_KEY"),
				},
			}},
		}
		if diff := cmp.Diff(doc, any(want)); diff != "" {
			t.Errorf("policy %s (-got +want):\n%s", id, diff)
		}
		js, _ := json.Marshal(doc)
		if strings.Contains(string(js), "*") {
			t.Errorf("policy %s holds a wildcard: %s", id, js)
		}
	}
}

func TestDecryptIsGrantedOnlyOnAGivenKey(t *testing.T) {
	for _, withKey := range []bool{false, true} {
		t.Run(fmt.Sprintf("key=%v", withKey), func(t *testing.T) {
			// GIVEN a function with a secret, with or without a customer key
			app := newApp(appOptions{})
			stack := newStack(app, "Keyed")
			props := &function.Props{Name: "keyed", Entry: hello,
				Environment: map[string]function.Value{"API_KEY": function.Secret("API_KEY")}}
			var keyID string
			if withKey {
				key := awskms.NewKey(stack, jsii.String("SecretsKey"), nil)
				keyID = *stack.GetLogicalId(key.Node().DefaultChild().(awscdk.CfnElement))
				props.SecretsKey = key
			}
			function.New(stack, "Fn", props)

			// WHEN the stack synthesizes
			tmpl := template(t, stack)

			// THEN kms:Decrypt appears exactly when a key is given, on that
			// key only and through SSM only
			var decrypt []any
			for _, p := range resources(t, tmpl, "AWS::IAM::Policy") {
				doc := p["Properties"].(map[string]any)["PolicyDocument"].(map[string]any)
				for _, s := range doc["Statement"].([]any) {
					if s.(map[string]any)["Action"] == "kms:Decrypt" {
						decrypt = append(decrypt, s)
					}
				}
				js, _ := json.Marshal(doc)
				if strings.Contains(string(js), "*") {
					t.Errorf("policy holds a wildcard: %s", js)
				}
			}
			var want []any
			if withKey {
				want = []any{map[string]any{
					"Sid":      "FnenvDecryptSecrets",
					"Effect":   "Allow",
					"Action":   "kms:Decrypt",
					"Resource": map[string]any{"Fn::GetAtt": []any{keyID, "Arn"}},
					"Condition": map[string]any{"StringEquals": map[string]any{
						"kms:ViaService": map[string]any{"Fn::Join": []any{"", []any{
							"ssm.", map[string]any{"Ref": "AWS::Region"}, ".", map[string]any{"Ref": "AWS::URLSuffix"},
						}}},
					}},
				}}
			}
			if diff := cmp.Diff(decrypt, want); diff != "" {
				t.Errorf("kms:Decrypt statements (-got +want):\n%s", diff)
			}
		})
	}
}

func TestPropsReachTheFunction(t *testing.T) {
	app := newApp(appOptions{})
	stack := newStack(app, "Props")
	function.New(stack, "Fn", &function.Props{
		FunctionOptions: awslambda.FunctionOptions{
			MemorySize:  jsii.Number(512),
			Timeout:     awscdk.Duration_Seconds(jsii.Number(30)),
			Description: jsii.String("props reach the function"),
		},
		Name: "props", Entry: hello,
		Environment:   map[string]function.Value{"API_KEY": function.Secret("API_KEY")},
		SecretsMaxAge: awscdk.Duration_Seconds(jsii.Number(90)),
	})
	tmpl := template(t, stack)
	assert(t, "props", func() {
		tmpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), assertions.Match_ObjectLike(&map[string]any{
			"MemorySize":    512,
			"Timeout":       30,
			"Description":   "props reach the function",
			"Architectures": []any{"arm64"},
			"Environment":   map[string]any{"Variables": assertions.Match_ObjectLike(&map[string]any{"FNENV_MAX_AGE": "1m30s"})},
		}))
	})
}

func TestBranchesSynthesizeSideBySideWithIdenticalAssets(t *testing.T) {
	// GIVEN the same app for two branches, handlers compiled
	type synthesized struct {
		stackName, prefix, s3Key string
		resources                []any
	}
	var got []synthesized
	for _, branch := range []string{"main", "feature/login"} {
		app := newApp(appOptions{branch: branch, bundle: true})
		stack := newStack(app, "Hello")
		function.New(stack, "Fn", &function.Props{Name: "hello", Entry: hello,
			Environment: map[string]function.Value{"API_KEY": function.Secret("API_KEY")}})

		// WHEN each synthesizes
		tmpl := template(t, stack)
		var s synthesized
		s.stackName = *stack.StackName()
		s.prefix = lambdaEnv(t, tmpl)["FNENV_BRANCH_PREFIX"]
		for _, fn := range resources(t, tmpl, "AWS::Lambda::Function") {
			code := fn["Properties"].(map[string]any)["Code"].(map[string]any)
			s.s3Key = fmt.Sprint(code["S3Key"])
		}
		for _, p := range resources(t, tmpl, "AWS::IAM::Policy") {
			doc := p["Properties"].(map[string]any)["PolicyDocument"].(map[string]any)
			s.resources = doc["Statement"].([]any)[0].(map[string]any)["Resource"].([]any)
		}
		got = append(got, s)
	}

	// THEN stack names and paths differ, the code asset is the same
	want := []synthesized{
		{stackName: "Hello-main", prefix: "/amplify/fnenv-test/main/", s3Key: got[0].s3Key,
			resources: []any{arn("/amplify/fnenv-test/main/API_KEY"), arn("/amplify/shared/fnenv-test/API_KEY")}},
		{stackName: "Hello--feature-login-5712f05b4f", prefix: "/amplify/fnenv-test/-feature-login-5712f05b4f/", s3Key: got[0].s3Key,
			resources: []any{arn("/amplify/fnenv-test/-feature-login-5712f05b4f/API_KEY"), arn("/amplify/shared/fnenv-test/API_KEY")}},
	}
	if diff := cmp.Diff(got, want, cmp.AllowUnexported(synthesized{})); diff != "" {
		t.Errorf("(-got +want):\n%s", diff)
	}
	if !strings.HasSuffix(got[0].s3Key, ".zip") || len(got[0].s3Key) != 64+len(".zip") {
		t.Errorf("S3Key %q is not an asset hash", got[0].s3Key)
	}
}

func TestCompileErrorNamesTheFunction(t *testing.T) {
	// GIVEN a function whose handler does not compile, next to one that does
	app := newApp(appOptions{bundle: true})
	stack := newStack(app, "Broken")
	function.New(stack, "Broken", &function.Props{Name: "broken-fn", Entry: "test/testdata/broken"})
	function.New(stack, "Fine", &function.Props{Name: "fine-fn", Entry: hello})

	// WHEN the app synthesizes
	msg := synthError(app)

	// THEN synth fails naming the function and showing the compiler
	if missing := contains(msg,
		`function "broken-fn": build: go build ./test/testdata/broken failed:`,
		`undefined: undefinedHandlerFunc`,
	); len(missing) > 0 {
		t.Errorf("synth error lacks %q; it is:\n%s", missing, msg)
	}
	if strings.Contains(msg, "fine-fn") {
		t.Errorf("synth error blames fine-fn:\n%s", msg)
	}
}

func TestRecordInCloudAssemblyAgreesWithEnvironmentAndGrants(t *testing.T) {
	// GIVEN a function, synthesized into a cloud assembly
	out := t.TempDir()
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(out), Context: &map[string]any{
		"appId": "fnenv-test", "branch": "feature/login", model.ContextCodegen: false,
		"aws:cdk:bundling-stacks": []any{},
	}})
	stack := newStack(app, "Payments")
	fn := function.New(stack, "Charge", &function.Props{
		Name:  "charge",
		Entry: "./" + hello + "/main.go", // recorded in its clean form
		Environment: map[string]function.Value{
			"CURRENCY":   function.Literal("usd"),
			"STRIPE_KEY": function.Secret("STRIPE_KEY"),
			"TIMEOUT":    function.Literal("8s").As(function.Duration),
			// a token is parsed at Load, not at synth
			"ACCOUNT": function.Literal(*awscdk.Aws_ACCOUNT_ID()).As(function.Int),
		},
		// recorded for `fnenv invoke`'s build
		Bundling: &function.BundlingOptions{GoBuildFlags: []string{"-tags=prod"}},
	})
	tmpl := template(t, stack)
	app.Synth(nil)

	// WHEN the cloud assembly is read back: the stack's metadata is in the
	// manifest or, since cloud assembly schema 54, in the file the stack
	// artifact names as additionalMetadataFile
	records, raw := readRecords(t, out, "Payments--feature-login-5712f05b4f")

	// THEN it holds the function's record, without the literal's value…
	want := []model.Record{{
		Backend: model.Backend{Prefix: "/amplify", AppID: "fnenv-test", Branch: "feature/login", Paths: model.PathsFnenv},
		Function: model.Function{Name: "charge", Entry: hello, Variables: []model.Variable{
			{Name: "ACCOUNT", Field: "Account", Kind: model.Literal, Type: function.Int},
			{Name: "CURRENCY", Field: "Currency", Kind: model.Literal},
			{Name: "STRIPE_KEY", Field: "StripeKey", Kind: model.Secret, Secret: "STRIPE_KEY"},
			{Name: "TIMEOUT", Field: "Timeout", Kind: model.Literal, Type: function.Duration},
		}},
		Path:         "Payments--feature-login-5712f05b4f/Charge",
		GoBuildFlags: []string{"-tags=prod"},
	}}
	if diff := cmp.Diff(records, want); diff != "" {
		t.Errorf("records (-got +want):\n%s", diff)
	}
	if strings.Contains(raw, "usd") {
		t.Errorf("the cloud assembly's metadata holds a literal's value:\n%s", raw)
	}
	// …and the record, the environment and the grants agree.
	r := want[0]
	env := lambdaEnv(t, tmpl)
	if got, want := env[model.EnvSecrets], model.EncodeSecrets(r.Function.Variables); got != want {
		t.Errorf("%s = %q, want %q from the record", model.EnvSecrets, got, want)
	}
	if got, want := env[model.EnvBranchPrefix], r.Backend.BranchPrefix(); got != want {
		t.Errorf("%s = %q, want %q", model.EnvBranchPrefix, got, want)
	}
	var wantARNs []any
	for _, s := range r.Function.Secrets() {
		wantARNs = append(wantARNs, arn(r.Backend.BranchPath(s)), arn(r.Backend.SharedPath(s)))
	}
	assert(t, "grants from the record", func() {
		tmpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), assertions.Match_ObjectLike(&map[string]any{
			"PolicyDocument": map[string]any{"Statement": []any{map[string]any{
				"Action": "ssm:GetParameters", "Effect": "Allow", "Sid": "FnenvReadSecrets", "Resource": wantARNs,
			}}},
		}))
	})
	// …and `fnenv gen` and `fnenv secret check`, which read the record,
	// generate what the construct generates: typed fields included.
	fromRecord, err := codegen.Generate(records[0].Function)
	if err != nil {
		t.Fatal(err)
	}
	fromConstruct, err := codegen.Generate(fn.Declaration())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(fromRecord), string(fromConstruct)); diff != "" {
		t.Errorf("env package from the record (-got) and from the construct (+want):\n%s", diff)
	}
	if !strings.Contains(string(fromRecord), "Timeout time.Duration") {
		t.Errorf("the env package generated from the record has no typed Timeout field")
	}
}

// readRecords returns the fnenv records of a stack in the cloud assembly at
// dir, and the raw metadata they were read from.
func readRecords(t *testing.T, dir, stack string) ([]model.Record, string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	type entries map[string][]struct {
		Type string `json:"type"`
		Data any    `json:"data"`
	}
	var manifest struct {
		Artifacts map[string]struct {
			Metadata               entries `json:"metadata"`
			AdditionalMetadataFile string  `json:"additionalMetadataFile"`
		} `json:"artifacts"`
	}
	if err := json.Unmarshal(data, &manifest); err != nil {
		t.Fatal(err)
	}
	art, ok := manifest.Artifacts[stack]
	if !ok {
		t.Fatalf("no artifact %s in %s", stack, dir)
	}
	all := []entries{art.Metadata}
	raw := string(data)
	if f := art.AdditionalMetadataFile; f != "" {
		extra, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		raw += string(extra)
		var e entries
		if err := json.Unmarshal(extra, &e); err != nil {
			t.Fatal(err)
		}
		all = append(all, e)
	}
	var records []model.Record
	for _, es := range all {
		for _, list := range es {
			for _, e := range list {
				if e.Type != model.MetadataType {
					continue
				}
				var r model.Record
				if err := json.Unmarshal([]byte(e.Data.(string)), &r); err != nil {
					t.Fatal(err)
				}
				records = append(records, r)
			}
		}
	}
	return records, raw
}

func TestSecretsMaxAgeFromContext(t *testing.T) {
	tests := []struct {
		name    string
		context any // fnenvSecretsMaxAge; nil: unset
		prop    awscdk.Duration
		want    string // FNENV_MAX_AGE
		wantErr string
	}{
		{name: "default", want: "5m0s"},
		{name: "app-wide from context", context: "30s", want: "30s"},
		{name: "zero keeps them for the execution environment's life", context: "0s", want: "0s"},
		{name: "the function's own prop wins", context: "30s", prop: awscdk.Duration_Minutes(jsii.Number(2)), want: "2m0s"},
		{name: "not a duration", context: "soon", wantErr: `context fnenvSecretsMaxAge must be a Go duration of zero or more, like "30s" or "10m" ("0s": for the life of the execution environment), got "soon"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			extra := map[string]any{}
			if tt.context != nil {
				extra[model.ContextSecretsMaxAge] = tt.context
			}
			app := newApp(appOptions{extra: extra})
			stack := newStack(app, "MaxAge")
			function.New(stack, "Fn", &function.Props{
				Name: "max-age", Entry: hello, SecretsMaxAge: tt.prop,
				Environment: map[string]function.Value{"API_KEY": function.Secret("API_KEY")},
			})
			if tt.wantErr != "" {
				if got := synthError(app); !strings.Contains(got, tt.wantErr) {
					t.Fatalf("synth error = %q, want it to contain %q", got, tt.wantErr)
				}
				return
			}
			if got := lambdaEnv(t, template(t, stack))["FNENV_MAX_AGE"]; got != tt.want {
				t.Errorf("FNENV_MAX_AGE = %q, want %q", got, tt.want)
			}
		})
	}
}
