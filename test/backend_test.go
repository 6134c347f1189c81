package test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/google/go-cmp/cmp"

	"github.com/fnenv/fnenv/constructs/backend"
	"github.com/fnenv/fnenv/identity"
)

func TestBackendIdentityComesFromContextThenEnvironment(t *testing.T) {
	tests := []struct {
		name    string
		context map[string]any
		env     map[string]string
		props   *backend.Props
		want    identity.Backend
	}{
		{"context", map[string]any{"appId": "ctx-app", "branch": "feature/login"}, nil, nil,
			identity.Backend{Prefix: "/amplify", AppID: "ctx-app", Branch: "feature/login"}},
		{"environment, as Amplify Hosting sets it", nil, map[string]string{"AWS_APP_ID": "d1a2b3", "AWS_BRANCH": "dev"}, nil,
			identity.Backend{Prefix: "/amplify", AppID: "d1a2b3", Branch: "dev"}},
		{"context wins over the environment", map[string]any{"appId": "ctx-app", "branch": "main"}, map[string]string{"AWS_APP_ID": "d1a2b3", "AWS_BRANCH": "dev"}, nil,
			identity.Backend{Prefix: "/amplify", AppID: "ctx-app", Branch: "main"}},
		{"props are defaults under context", map[string]any{"branch": "main"}, nil, &backend.Props{AppID: "code-app", Branch: "code-branch", Prefix: "/org"},
			identity.Backend{Prefix: "/org", AppID: "code-app", Branch: "main"}},
		{"prefix from context", map[string]any{"appId": "a", "branch": "b", "fnenvPrefix": "/org/fnenv"}, nil, nil,
			identity.Backend{Prefix: "/org/fnenv", AppID: "a", Branch: "b"}},
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

	// WHEN a stack is named with the branch
	var got string
	func() {
		defer func() { got = fmt.Sprint(recover()) }()
		backend.NewStack(app, "Payments", nil)
	}()

	// THEN it fails saying how to pass the app id
	want := `fnenv: no app id: pass it as CDK context (cdk synth -c appId=my-app, or "context": {"appId": "my-app"} in cdk.json) or set AWS_APP_ID`
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestStackNamesCarryTheBranch(t *testing.T) {
	for _, tt := range []struct{ branch, want string }{
		{"main", "Payments-main"},
		{"feature/login", "Payments-feature-login"},
		{"fix/ünïcode #1", "Payments-fix--n-code--1"},
	} {
		app := newApp(appOptions{branch: tt.branch})
		stack := backend.NewStack(app, "Payments", nil)
		if got := *stack.StackName(); got != tt.want {
			t.Errorf("branch %q: stack name %q, want %q", tt.branch, got, tt.want)
		}
		if got := *stack.Node().Id(); got != tt.want {
			t.Errorf("branch %q: construct id %q, want %q", tt.branch, got, tt.want)
		}
		if got := backend.StackName(app, "Other"); !strings.HasPrefix(got, "Other-") {
			t.Errorf("StackName = %q", got)
		}
	}
}
