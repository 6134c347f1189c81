package test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/google/go-cmp/cmp"

	"github.com/fnenv/fnenv/constructs/backend"
	"github.com/fnenv/fnenv/constructs/function"
	"github.com/fnenv/fnenv/model"
)

func TestBackendIdentityComesFromContextThenEnvironment(t *testing.T) {
	tests := []struct {
		name    string
		context map[string]any
		env     map[string]string
		props   *backend.Props
		want    model.Backend
	}{
		{"context", map[string]any{"appId": "ctx-app", "branch": "feature/login"}, nil, nil,
			model.Backend{Prefix: "/amplify", AppID: "ctx-app", Branch: "feature/login", Paths: model.PathsFnenv}},
		{"environment, as Amplify Hosting sets it", nil, map[string]string{"AWS_APP_ID": "d1a2b3", "AWS_BRANCH": "dev"}, nil,
			model.Backend{Prefix: "/amplify", AppID: "d1a2b3", Branch: "dev", Paths: model.PathsFnenv}},
		{"context wins over the environment", map[string]any{"appId": "ctx-app", "branch": "main"}, map[string]string{"AWS_APP_ID": "d1a2b3", "AWS_BRANCH": "dev"}, nil,
			model.Backend{Prefix: "/amplify", AppID: "ctx-app", Branch: "main", Paths: model.PathsFnenv}},
		{"props are defaults under context", map[string]any{"branch": "main"}, nil, &backend.Props{AppID: "code-app", Branch: "code-branch", Prefix: "/org"},
			model.Backend{Prefix: "/org", AppID: "code-app", Branch: "main", Paths: model.PathsFnenv}},
		{"prefix from context", map[string]any{"appId": "a", "branch": "b", "fnenvPrefix": "/org/fnenv"}, nil, nil,
			model.Backend{Prefix: "/org/fnenv", AppID: "a", Branch: "b", Paths: model.PathsFnenv}},
		{"paths from context", map[string]any{"appId": "a", "branch": "b", "fnenvPaths": "amplify"}, nil, nil,
			model.Backend{Prefix: "/amplify", AppID: "a", Branch: "b", Paths: model.PathsAmplify}},
		{"paths from props", map[string]any{"appId": "a", "branch": "b"}, nil, &backend.Props{Paths: "amplify"},
			model.Backend{Prefix: "/amplify", AppID: "a", Branch: "b", Paths: model.PathsAmplify}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			ctx := tt.context
			app := awscdk.NewApp(&awscdk.AppProps{Context: &ctx})
			if tt.props != nil {
				backend.Configure(app, tt.props)
			}
			got, err := backend.Resolve(awscdk.NewStack(app, ptr("S"), nil))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("(-got +want):\n%s", diff)
			}
		})
	}
}

func TestMissingAppIDSaysHowToPassIt(t *testing.T) {
	// GIVEN an app with a branch but no app id anywhere
	ctx := map[string]any{"branch": "main"}
	app := awscdk.NewApp(&awscdk.AppProps{Context: &ctx})

	// WHEN a stack is named with the branch and the app synthesizes
	backend.NewStack(app, "Payments", nil)
	got := synthError(app)

	// THEN it fails saying how to pass the app id
	want := `fnenv: no app id: pass it as CDK context (cdk synth -c appId=my-app, or "context": {"appId": "my-app"} in cdk.json) or set AWS_APP_ID`
	if !strings.Contains(got, want) {
		t.Errorf("synth error lacks %q; it is:\n%s", want, got)
	}
}

// The construct refuses the context values the CLI refuses, with the same
// message: both parse with model.ParseContext.
func TestContextOfAnotherTypeIsRefusedAsTheCLIRefusesIt(t *testing.T) {
	for _, tt := range []struct {
		key   string
		value any
	}{
		{model.ContextAppID, 123.0}, // "appId": 123 in cdk.json
		{model.ContextCodegen, "yes"},
		{model.ContextPaths, "gen2"},
	} {
		t.Run(tt.key, func(t *testing.T) {
			// GIVEN an app whose context holds a value fnenv refuses
			app := newApp(appOptions{extra: map[string]any{tt.key: tt.value}})

			// WHEN a function is added and the app synthesizes
			stack := newStack(app, "Ctx")
			function.New(stack, "Fn", &function.Props{Name: "ctx", Entry: hello})
			got := synthError(app)

			// THEN synth fails with model.ParseContext's message, naming the key and the rule
			_, want := model.ParseContext(map[string]any{tt.key: tt.value})
			if want == nil || !strings.Contains(got, want.Error()) || !strings.Contains(want.Error(), tt.key) {
				t.Errorf("synth error lacks %v; it is:\n%s", want, got)
			}
		})
	}
}

// long130 is a 130-character branch with slashes.
var long130 = "team/payments/" + strings.Repeat("refactor-", 11) + "checkout-flows-v2"

func TestStackNamesCarryTheBranch(t *testing.T) {
	if len(long130) != 130 {
		t.Fatalf("long130 has %d characters", len(long130))
	}
	for _, tt := range []struct{ branch, paths, want string }{
		{"main", "", "Payments-main"},
		{"feature-login", "", "Payments-feature-login"},
		{"feature/login", "", "Payments--feature-login-5712f05b4f"},
		{"release/1.2", "", "Payments--release-1-2-f35c4c8684"},
		{"feature_x", "", "Payments--feature-x-31835eb5c3"},
		{"dependabot/go_modules/golang.org/x/net-0.31.0", "", "Payments--dependabot-go-modules-golang-org-x-net-0-31-0-95ce50168a"},
		{"fix/ünïcode#1", "", "Payments--fix-n-code-1-f6a70177c2"},
		{long130, "", "Payments--team-payments-refactor-refactor-refactor-refactor-refactor-refactor-refactor-refactor-re-dbcd740707"},
		// Amplify's paths do not change stack names
		{"release/1.2", "amplify", "Payments--release-1-2-f35c4c8684"},
	} {
		app := newApp(appOptions{branch: tt.branch, extra: map[string]any{model.ContextPaths: tt.paths}})
		stack := backend.NewStack(app, "Payments", nil)
		if got := *stack.StackName(); got != tt.want {
			t.Errorf("branch %q: stack name %q, want %q", tt.branch, got, tt.want)
		}
		if got := *stack.Node().Id(); got != tt.want {
			t.Errorf("branch %q: construct id %q, want %q", tt.branch, got, tt.want)
		}
		if got, err := backend.StackName(app, "Other"); err != nil || !strings.HasPrefix(got, "Other-") {
			t.Errorf("StackName = %q, %v", got, err)
		}
	}
}

func TestStackNameFromPropsCarriesTheBranch(t *testing.T) {
	// GIVEN a stack whose props name it apart from its construct id
	app := newApp(appOptions{branch: "release/1.2"})
	stack := backend.NewStack(app, "Pay_v2", &awscdk.StackProps{StackName: ptr("Payments")})
	// THEN both carry the branch
	if got, want := *stack.StackName(), "Payments--release-1-2-f35c4c8684"; got != want {
		t.Errorf("stack name %q, want %q", got, want)
	}
	if got, want := *stack.Node().Id(), "Pay_v2--release-1-2-f35c4c8684"; got != want {
		t.Errorf("construct id %q, want %q", got, want)
	}
}

func TestStackNameCloudFormationRefusesFailsSynthNamingTheBranch(t *testing.T) {
	for _, tt := range []struct{ id, stackName, want string }{
		{"Payments_v2", "", `fnenv: stack name "Payments_v2" for branch "release/1.2": must match [A-Za-z][A-Za-z0-9-]*`},
		{"Payments", "2Payments", `fnenv: stack name "2Payments" for branch "release/1.2": must match`},
		{strings.Repeat("P", 120), "", `for branch "release/1.2": too long to carry the branch: CloudFormation allows 128 characters`},
	} {
		// GIVEN a stack whose id CloudFormation would refuse as a name
		app := newApp(appOptions{branch: "release/1.2"})
		var props *awscdk.StackProps
		if tt.stackName != "" {
			props = &awscdk.StackProps{StackName: ptr(tt.stackName)}
		}
		// WHEN it is added and the app synthesizes
		var got string
		func() {
			defer func() {
				if r := recover(); r != nil {
					got = fmt.Sprintf("backend.NewStack panicked: %v", r)
				}
			}()
			backend.NewStack(app, tt.id, props)
			got = synthError(app)
		}()
		// THEN synth fails with fnenv's message naming the branch
		if !strings.Contains(got, tt.want) {
			t.Errorf("stack %q: error lacks %q; it is:\n%s", tt.id, tt.want, got)
		}
	}
}
