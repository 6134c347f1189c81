package test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/fnenv/fnenv/constructs/function"
	"github.com/fnenv/fnenv/internal/moto"
	"github.com/fnenv/fnenv/internal/ssmproxy"
	"github.com/fnenv/fnenv/model"
)

// checkSecretsApp is an app of two functions in two stacks referencing
// three secrets, with context fnenvCheckSecrets set to check (nil: unset).
func checkSecretsApp(check any) (app awscdk.App, pay, ops awscdk.Stack) {
	a := newApp(appOptions{extra: map[string]any{model.ContextCheckSecrets: check}})
	pay, ops = newStack(a, "Payments"), newStack(a, "Ops")
	function.New(pay, "Charge", &function.Props{Name: "charge", Entry: hello, Environment: map[string]function.Value{
		"STRIPE_KEY": function.Secret("STRIPE_KEY"), "DB_PASSWORD": function.Secret("DB_PASSWORD"), "CURRENCY": function.Literal("eur"),
	}})
	function.New(ops, "Report", &function.Props{Name: "report", Entry: "test/testdata/report", Environment: map[string]function.Value{
		"DB_PASSWORD": function.Secret("DB_PASSWORD"), "SLACK_TOKEN": function.Secret("SLACK_TOKEN"),
	}})
	return a, pay, ops
}

// motoEnv points the process's AWS SDK at a fresh moto for the test.
func motoEnv(t *testing.T) (*moto.Server, *ssm.Client) {
	t.Helper()
	m := moto.StartT(t)
	for _, kv := range m.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return m, ssm.NewFromConfig(cfg)
}

// noCredentials clears every source of AWS credentials but the EC2
// metadata service for the test.
func noCredentials(t *testing.T) {
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_WEB_IDENTITY_TOKEN_FILE"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
}

func putSecret(t *testing.T, c *ssm.Client, path string) {
	t.Helper()
	_, err := c.PutParameter(context.Background(), &ssm.PutParameterInput{
		Name: aws.String(path), Value: aws.String("fake-value-for-tests"), Type: "SecureString", Overwrite: aws.Bool(true),
	})
	if err != nil {
		t.Fatal(err)
	}
}

// allAnnotations are the errors and warnings of the stacks, "error " or
// "warning " first; fnenv's only, and CDK's own deprecation warnings left
// out.
func allAnnotations(t *testing.T, stacks ...awscdk.Stack) []string {
	t.Helper()
	var out []string
	for _, s := range stacks {
		for _, level := range []string{"error", "warning"} {
			for _, a := range annotations(t, s, level) {
				if strings.Contains(a, "fnenv") {
					out = append(out, level+" "+a)
				}
			}
		}
	}
	return out
}

func TestCheckSecretsAtSynth(t *testing.T) {
	m, c := motoEnv(t)
	t.Run("unset, with credentials: each missing secret is an error on each function that references it", func(t *testing.T) {
		// GIVEN STRIPE_KEY set on the branch, the rest nowhere (another
		// branch's value does not count)
		putSecret(t, c, "/amplify/fnenv-test/main/STRIPE_KEY")
		putSecret(t, c, "/amplify/fnenv-test/other/DB_PASSWORD")
		app, pay, ops := checkSecretsApp(nil)

		// WHEN the app synthesizes
		if got := synthError(app); got != "" {
			t.Fatalf("synth failed in the app; missing secrets are annotations:\n%s", got)
		}
		got := allAnnotations(t, pay, ops)

		// THEN each function carries one error per missing secret it
		// references, with where it was looked for and the commands that
		// set it; nothing else
		want := map[string][]string{
			"error /Payments-main/Charge fnenv: function charge references a secret that is not set for branch main: DB_PASSWORD — not at /amplify/fnenv-test/main/DB_PASSWORD nor /amplify/shared/fnenv-test/DB_PASSWORD": {
				"set it: fnenv secret set DB_PASSWORD --branch main --app-id fnenv-test",
				"or for every branch: fnenv secret set DB_PASSWORD --shared --app-id fnenv-test",
				"-c fnenvCheckSecrets=false skips it",
			},
			"error /Ops-main/Report fnenv: function report references a secret that is not set for branch main: DB_PASSWORD — not at": nil,
			"error /Ops-main/Report fnenv: function report references a secret that is not set for branch main: SLACK_TOKEN — not at /amplify/fnenv-test/main/SLACK_TOKEN nor /amplify/shared/fnenv-test/SLACK_TOKEN": {
				"set it: fnenv secret set SLACK_TOKEN --branch main --app-id fnenv-test",
			},
		}
		if len(got) != len(want) {
			t.Errorf("got %d annotations, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
		}
		for head, more := range want {
			found := false
			for _, g := range got {
				if strings.HasPrefix(g, head) {
					found = true
					if missing := contains(g, more...); len(missing) > 0 {
						t.Errorf("annotation lacks %q:\n%s", missing, g)
					}
				}
			}
			if !found {
				t.Errorf("no annotation starts %q; they are:\n%s", head, strings.Join(got, "\n"))
			}
		}
	})
	t.Run("all set, on the branch or shared: no annotation, and SSM was asked names only", func(t *testing.T) {
		putSecret(t, c, "/amplify/shared/fnenv-test/DB_PASSWORD")
		putSecret(t, c, "/amplify/fnenv-test/main/SLACK_TOKEN")
		p := ssmproxy.New(t, m.URL)
		t.Setenv("AWS_ENDPOINT_URL", p.URL)
		for _, v := range []any{nil, true, "true"} { // "true" as -c gives it
			_, pay, ops := checkSecretsApp(v)
			if got := allAnnotations(t, pay, ops); len(got) > 0 {
				t.Errorf("fnenvCheckSecrets=%v: %s", v, strings.Join(got, "\n"))
			}
		}
		reqs := p.Requests()
		if len(reqs) == 0 {
			t.Fatal("synth asked SSM nothing")
		}
		for _, r := range reqs {
			if r.Target != "AmazonSSM.GetParameters" {
				t.Errorf("synth called %s; the check uses GetParameters only", r.Target)
			}
		}
	})
	t.Run("false, and function.TestContext: no SSM call, no annotation", func(t *testing.T) {
		p := ssmproxy.New(t, m.URL)
		t.Setenv("AWS_ENDPOINT_URL", p.URL)
		for _, v := range []any{false, "false"} {
			_, pay, ops := checkSecretsApp(v)
			if got := allAnnotations(t, pay, ops); len(got) > 0 {
				t.Errorf("fnenvCheckSecrets=%v: %s", v, strings.Join(got, "\n"))
			}
		}
		app := awscdk.NewApp(&awscdk.AppProps{Context: function.TestContext(nil)})
		stack := newStack(app, "Unit")
		function.New(stack, "Fn", &function.Props{Name: "fn", Entry: hello, Environment: map[string]function.Value{"KEY": function.Secret("NOT_SET")}})
		if got := allAnnotations(t, stack); len(got) > 0 {
			t.Errorf("TestContext: %s", strings.Join(got, "\n"))
		}
		if n := p.Count(); n != 0 {
			t.Errorf("%d SSM calls with the check off", n)
		}
	})
	t.Run("unset, no answer within 5 s: one warning, synth passes", func(t *testing.T) {
		p := ssmproxy.New(t, m.URL, ssmproxy.WithLatency(3*function.CheckSecretsBudget))
		t.Setenv("AWS_ENDPOINT_URL", p.URL)
		_, pay, ops := checkSecretsApp(nil)
		got := allAnnotations(t, pay, ops)
		if len(got) != 1 || !strings.HasPrefix(got[0], "warning /Ops-main/Report/Resource fnenv: secrets not checked: ssm:GetParameters on") ||
			len(contains(got[0], "timeout of 5s", "[ack: fnenv:secrets-not-checked]")) > 0 {
			t.Errorf("want one warning that SSM did not answer; got:\n%s", strings.Join(got, "\n"))
		}
	})
	t.Run("without credentials", func(t *testing.T) {
		noCredentials(t)
		t.Setenv("AWS_EC2_METADATA_DISABLED", "true") // the CI's machine may have an instance role
		// WHEN unset THEN synth passes with one warning saying why
		start := time.Now()
		_, pay, ops := checkSecretsApp(nil)
		got := allAnnotations(t, pay, ops)
		if len(got) != 1 || len(contains(got[0], "warning /Ops-main/Report/Resource fnenv: secrets not checked: no AWS credentials: set AWS_PROFILE",
			"(functions with secrets: 2)", "answers within 5s (context fnenvCheckSecrets unset); true requires the check, false turns it off")) > 0 {
			t.Errorf("want one warning; got:\n%s", strings.Join(got, "\n"))
		}
		t.Logf("synth and annotations without credentials: %s", time.Since(start))

		// WHEN true THEN an error on a function of each stack
		_, pay, ops = checkSecretsApp(true)
		got = allAnnotations(t, pay, ops)
		for _, want := range []string{"error /Payments-main/Charge fnenv: the secrets check (context fnenvCheckSecrets=true) could not run: no AWS credentials",
			"error /Ops-main/Report fnenv: the secrets check (context fnenvCheckSecrets=true) could not run: no AWS credentials"} {
			if n := len(contains(strings.Join(got, "\n"), want)); n > 0 || len(got) != 2 {
				t.Errorf("want %q among two errors; got:\n%s", want, strings.Join(got, "\n"))
			}
		}
	})
	t.Run("a value that is not a boolean fails synth", func(t *testing.T) {
		app, _, _ := checkSecretsApp("yes")
		if got := synthError(app); !strings.Contains(got, `context fnenvCheckSecrets must be true or false (as JSON, or the string -c gives: -c fnenvCheckSecrets=true), got "yes"`) {
			t.Errorf("synth error:\n%s", got)
		}
	})
}
