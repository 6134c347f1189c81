// Package test holds the CDK assertion tests of fnenv's constructs. They
// live in one package because jsii runs one Node process per test binary;
// they do not run in parallel (jsii is not goroutine-safe).
package test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/fnenv/fnenv/constructs/backend"
	"github.com/fnenv/fnenv/model"
)

func TestMain(m *testing.M) {
	// Template validation costs 1–2 s a synth; TestSampleTemplates keeps
	// it on through the CDK CLI. Set before jsii starts Node.
	if os.Getenv("CDK_VALIDATION") == "" {
		os.Setenv("CDK_VALIDATION", "false")
	}
	os.Setenv("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
	os.Setenv("JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION", "1")
	// The identity comes from context in these tests, never the CI's env.
	os.Unsetenv("AWS_APP_ID")
	os.Unsetenv("AWS_BRANCH")
	code := m.Run()
	jsii.Close()
	os.Exit(code)
}

// appOptions configure newApp.
type appOptions struct {
	appID, branch string
	bundle        bool           // compile handlers (default: placeholder assets)
	extra         map[string]any // more context
}

// newApp returns an app whose backend is appID/branch ("fnenv-test"/"main"
// by default). Handlers are not compiled, env packages not written and
// secrets not checked (fnenvCheckSecrets=false) unless asked: most tests
// read templates only. An extra entry whose value is nil is removed.
func newApp(o appOptions) awscdk.App {
	if o.appID == "" {
		o.appID = "fnenv-test"
	}
	if o.branch == "" {
		o.branch = "main"
	}
	ctx := map[string]any{
		model.ContextAppID:        o.appID,
		model.ContextBranch:       o.branch,
		model.ContextCodegen:      false,
		model.ContextCheckSecrets: false,
	}
	if o.appID == "-" { // no app id
		delete(ctx, model.ContextAppID)
	}
	if !o.bundle {
		ctx["aws:cdk:bundling-stacks"] = []any{}
	}
	for k, v := range o.extra {
		ctx[k] = v
		if v == nil {
			delete(ctx, k)
		}
	}
	return awscdk.NewApp(&awscdk.AppProps{Context: &ctx})
}

// newStack adds a stack named with the branch.
func newStack(app awscdk.App, id string) awscdk.Stack {
	return backend.NewStack(app, id, nil)
}

// hello is the fixture handler's entry.
const hello = "test/testdata/hello"

// assert runs a CDK assertion and fails the test, instead of panicking the
// test binary, when it does not hold.
func assert(t *testing.T, what string, fn func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%s: %v", what, r)
		}
	}()
	fn()
}

// template synthesizes stack's app and returns its template; a synth error
// fails the test.
func template(t *testing.T, stack awscdk.Stack) assertions.Template {
	t.Helper()
	var tmpl assertions.Template
	func() {
		defer func() {
			if r := recover(); r != nil {
				t.Fatalf("synth %s: %v", *stack.StackName(), r)
			}
		}()
		tmpl = assertions.Template_FromStack(stack, nil)
	}()
	return tmpl
}

// synthError synthesizes app and returns the error message it fails with,
// "" when it succeeds.
func synthError(app awscdk.App) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	app.Synth(nil)
	return ""
}

// resources returns the resources of type typ in tmpl, by logical ID.
func resources(t *testing.T, tmpl assertions.Template, typ string) map[string]map[string]any {
	t.Helper()
	js := *tmpl.ToJSON()
	out := map[string]map[string]any{}
	res, _ := js["Resources"].(map[string]any)
	for id, r := range res {
		r := r.(map[string]any)
		if r["Type"] == typ {
			out[id] = r
		}
	}
	return out
}

// lambdaEnv returns the environment variables of the only Lambda function
// in tmpl.
func lambdaEnv(t *testing.T, tmpl assertions.Template) map[string]string {
	t.Helper()
	fns := resources(t, tmpl, "AWS::Lambda::Function")
	if len(fns) != 1 {
		t.Fatalf("got %d Lambda functions, want 1", len(fns))
	}
	for _, fn := range fns {
		props := fn["Properties"].(map[string]any)
		env, _ := props["Environment"].(map[string]any)
		vars, _ := env["Variables"].(map[string]any)
		out := map[string]string{}
		for k, v := range vars {
			out[k] = fmt.Sprint(v)
		}
		return out
	}
	return nil
}

// annotations returns the error or warning annotations of stack's
// constructs (level "error" or "warning"), each as "<construct path> <message>";
// it synthesizes the app.
func annotations(t *testing.T, stack awscdk.Stack, level string) []string {
	t.Helper()
	var out []string
	assert(t, "annotations of "+*stack.StackName(), func() {
		a := assertions.Annotations_FromStack(stack)
		all := assertions.Match_AnyValue()
		msgs := a.FindWarning(jsii.String("*"), all)
		if level == "error" {
			msgs = a.FindError(jsii.String("*"), all)
		}
		for _, m := range *msgs {
			out = append(out, *m.Id+" "+fmt.Sprint(m.Entry.Data))
		}
	})
	return out
}

func contains(s string, subs ...string) []string {
	var missing []string
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			missing = append(missing, sub)
		}
	}
	return missing
}
