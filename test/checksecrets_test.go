package test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/fnenv/fnenv/constructs/function"
	"github.com/fnenv/fnenv/internal/moto"
	"github.com/fnenv/fnenv/internal/ssmproxy"
	"github.com/fnenv/fnenv/model"
)

// checkSecretsApp is an app of two functions in two stacks referencing
// three secrets, with context fnenvCheckSecrets set to check.
func checkSecretsApp(check any) (app any, synth func() string) {
	a := newApp(appOptions{extra: map[string]any{model.ContextCheckSecrets: check}})
	pay, ops := newStack(a, "Payments"), newStack(a, "Ops")
	function.New(pay, "Charge", &function.Props{Name: "charge", Entry: hello, Environment: map[string]function.Value{
		"STRIPE_KEY": function.Secret("STRIPE_KEY"), "DB_PASSWORD": function.Secret("DB_PASSWORD"), "CURRENCY": function.Literal("eur"),
	}})
	function.New(ops, "Report", &function.Props{Name: "report", Entry: "test/testdata/report", Environment: map[string]function.Value{
		"DB_PASSWORD": function.Secret("DB_PASSWORD"), "SLACK_TOKEN": function.Secret("SLACK_TOKEN"),
	}})
	return nil, func() string { return synthError(a) }
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

func putSecret(t *testing.T, c *ssm.Client, path string) {
	t.Helper()
	_, err := c.PutParameter(context.Background(), &ssm.PutParameterInput{
		Name: aws.String(path), Value: aws.String("fake-value-for-tests"), Type: "SecureString", Overwrite: aws.Bool(true),
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestCheckSecretsAtSynth(t *testing.T) {
	m, c := motoEnv(t)
	t.Run("missing secrets fail synth, each with the command that sets it", func(t *testing.T) {
		// GIVEN STRIPE_KEY set on the branch, the rest nowhere (another
		// branch's value does not count)
		putSecret(t, c, "/amplify/fnenv-test/main/STRIPE_KEY")
		putSecret(t, c, "/amplify/fnenv-test/other/DB_PASSWORD")
		_, synth := checkSecretsApp(true)

		// WHEN the app synthesizes
		got := synth()

		// THEN synth fails with fnenv secret check's list
		want := []string{
			"secrets check (context fnenvCheckSecrets=true): 2 of 3 secrets referenced by 2 functions are not set for branch main:",
			"DB_PASSWORD — not at /amplify/fnenv-test/main/DB_PASSWORD nor /amplify/shared/fnenv-test/DB_PASSWORD",
			"used by charge (Payments-main/Charge), report (Ops-main/Report)",
			"set it: fnenv secret set DB_PASSWORD --branch main --app-id fnenv-test",
			"or for every branch: fnenv secret set DB_PASSWORD --shared --app-id fnenv-test",
			"SLACK_TOKEN — not at /amplify/fnenv-test/main/SLACK_TOKEN",
			"check failed: 2 secrets not set for branch main",
		}
		if missing := contains(got, want...); len(missing) > 0 {
			t.Errorf("synth error lacks %q; it is:\n%s", missing, got)
		}
		if strings.Contains(got, "STRIPE_KEY —") {
			t.Errorf("STRIPE_KEY, set on the branch, is listed:\n%s", got)
		}
	})
	t.Run("all set, on the branch or shared: synth passes without reading a value", func(t *testing.T) {
		putSecret(t, c, "/amplify/shared/fnenv-test/DB_PASSWORD")
		putSecret(t, c, "/amplify/fnenv-test/main/SLACK_TOKEN")
		p := ssmproxy.New(t, m.URL)
		t.Setenv("AWS_ENDPOINT_URL", p.URL)
		_, synth := checkSecretsApp("true") // as -c fnenvCheckSecrets=true gives it
		if got := synth(); got != "" {
			t.Fatalf("synth failed:\n%s", got)
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
	t.Run("off by default: no SSM call", func(t *testing.T) {
		p := ssmproxy.New(t, m.URL)
		t.Setenv("AWS_ENDPOINT_URL", p.URL)
		for _, v := range []any{nil, false, "false"} {
			_, synth := checkSecretsApp(v)
			if got := synth(); got != "" {
				t.Errorf("fnenvCheckSecrets=%v: synth failed:\n%s", v, got)
			}
		}
		if n := p.Count(); n != 0 {
			t.Errorf("%d SSM calls with the check off", n)
		}
	})
	t.Run("without credentials, synth says so", func(t *testing.T) {
		for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
			"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_WEB_IDENTITY_TOKEN_FILE"} {
			t.Setenv(k, "")
		}
		_, synth := checkSecretsApp(true)
		got := synth()
		want := []string{"secrets check (context fnenvCheckSecrets=true): cannot read SSM: no AWS credentials", "AWS_PROFILE", "leave fnenvCheckSecrets unset or false"}
		if missing := contains(got, want...); len(missing) > 0 {
			t.Errorf("synth error lacks %q; it is:\n%s", missing, got)
		}
	})
	t.Run("a value that is not a boolean", func(t *testing.T) {
		_, synth := checkSecretsApp("yes")
		if got := synth(); !strings.Contains(got, `context fnenvCheckSecrets must be true or false (as JSON, or the string -c gives: -c fnenvCheckSecrets=true), got "yes"`) {
			t.Errorf("synth error:\n%s", got)
		}
	})
}
