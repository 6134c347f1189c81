package test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/fnenv/fnenv/internal/moto"
	"github.com/fnenv/fnenv/internal/usermod"
)

// payFiles are a team's app of two stacks: Pay, whose function references
// the secret STRIPE_KEY (and, with -c withLiteral=true, has a literal that
// looks like a Stripe key; -c ackLiteral=true acknowledges it), and Plain,
// whose function references none. cdk.json is `fnenv init`'s in short,
// with the flag that puts annotations in CDK's validation report.
var payFiles = map[string]string{
	"cdk.json": `{"app": "go run .", "context": {"appId": "pay", "@aws-cdk/core:annotationsInValidationReport": true}}` + "\n",
	"pay.go": `package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/fnenv/fnenv/constructs/backend"
	"github.com/fnenv/fnenv/constructs/function"
)

func main() {
	defer jsii.Close()
	defer function.ReportProblems()

	app := awscdk.NewApp(nil)
	pay := backend.NewStack(app, "Pay", nil)
	env := map[string]function.Value{"STRIPE_KEY": function.Secret("STRIPE_KEY")}
	if app.Node().TryGetContext(jsii.String("withLiteral")) == "true" {
		env["STRIPE_FALLBACK"] = function.Literal("sk_" + "live_" + "fakeFAKEfake0123456789ab")
	}
	charge := function.New(pay, "Charge", &function.Props{Name: "charge", Entry: "functions/charge", Environment: env})
	if app.Node().TryGetContext(jsii.String("ackLiteral")) == "true" {
		awscdk.Annotations_Of(charge).AcknowledgeWarning(jsii.String(function.WarningCredentialLiteral+"stripe-access-token"), jsii.String("a test key"))
	}
	plain := backend.NewStack(app, "Plain", nil)
	function.New(plain, "Hello", &function.Props{Name: "hello", Entry: "functions/hello",
		Environment: map[string]function.Value{"GREETING": function.Literal("Hello")}})
	app.Synth(nil)
}
`,
	"functions/charge/main.go": "package main\n\nfunc main() {}\n",
	"functions/hello/main.go":  "package main\n\nfunc main() {}\n",
}

// TestMistakesThroughTheCDKCLI: the secrets check at synth and fnenv's
// warnings, as a team meets them through the CDK CLI, against moto.
func TestMistakesThroughTheCDKCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the CDK CLI in a module of its own, against moto")
	}
	m := usermod.New(t, usermod.Options{Name: "pay", Require: usermod.CDKRequires})
	for name, src := range payFiles {
		m.WriteFile(name, src)
	}
	m.Tidy()
	srv := moto.StartT(t)
	// moto loads its SSM backend on the first SSM request, which can take
	// seconds on a busy machine: not what the check's 5 s are for.
	putSecretTo(t, srv, "/warm-up/"+t.Name())
	var offline []string // no AWS access at all
	for _, kv := range m.Env {
		if !strings.HasPrefix(kv, "AWS_") {
			offline = append(offline, kv)
		}
	}
	offline = append(offline, "AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	withMoto := append(append([]string(nil), offline...), srv.Env()...)
	cdk := func(env []string, args ...string) (string, error) {
		t.Helper()
		m.Env = env
		return m.CDKRun(append(args, "-c", "branch=main", "-o", t.TempDir())...)
	}
	notSet := "fnenv: function charge references a secret that is not set for branch main: STRIPE_KEY — not at /amplify/pay/main/STRIPE_KEY nor /amplify/shared/pay/STRIPE_KEY"

	t.Run("with credentials and the secret missing, synth, diff and deploy of its stack fail naming function and secret", func(t *testing.T) {
		for _, args := range [][]string{{"synth", "--quiet"}, {"diff", "Pay-main"}, {"deploy", "Pay-main", "--require-approval=never", "--method=direct"}} {
			out, err := cdk(withMoto, args...)
			if err == nil {
				t.Errorf("cdk %s passed:\n%s", strings.Join(args, " "), out)
			}
			if missing := contains(out, notSet, "set it: fnenv secret set STRIPE_KEY --branch main --app-id pay"); len(missing) > 0 {
				t.Errorf("cdk %s: output lacks %q:\n%s", strings.Join(args, " "), missing, out)
			}
			if strings.Contains(out, "Pay-main: deploying") || strings.Contains(out, "CREATE_IN_PROGRESS") {
				t.Errorf("cdk %s deployed:\n%s", strings.Join(args, " "), out)
			}
		}
	})
	t.Run("cdk ls, cdk bootstrap and the other stack's synth work", func(t *testing.T) {
		out, err := cdk(withMoto, "ls")
		if err != nil || !strings.Contains(out, "Pay-main") || !strings.Contains(out, "Plain-main") {
			t.Errorf("cdk ls: %v\n%s", err, out)
		}
		if out, err := cdk(withMoto, "synth", "--quiet", "Plain-main"); err != nil {
			t.Errorf("cdk synth Plain-main: %v\n%s", err, out)
		}
		if out, err := cdk(withMoto, "bootstrap", fmt.Sprintf("aws://123456789012/%s", moto.Region)); err != nil {
			t.Errorf("cdk bootstrap: %v\n%s", err, out)
		}
	})
	t.Run("fnenvCheckSecrets=false: no check", func(t *testing.T) {
		if out, err := cdk(withMoto, "synth", "--quiet", "-c", "fnenvCheckSecrets=false"); err != nil || strings.Contains(out, "fnenv:") {
			t.Errorf("cdk synth: %v\n%s", err, out)
		}
	})
	t.Run("without credentials: synth passes with one warning; --strict fails on it; true fails", func(t *testing.T) {
		out, err := cdk(offline, "synth", "--quiet")
		if err != nil || strings.Count(out, "fnenv: secrets not checked: no AWS credentials") != 1 ||
			!strings.Contains(out, "Acknowledge with 'Annotation::fnenv:secrets-not-checked'") {
			t.Errorf("cdk synth: %v; want one warning:\n%s", err, out)
		}
		if out, err := cdk(offline, "synth", "--quiet", "--strict"); err == nil {
			t.Errorf("cdk synth --strict passed:\n%s", out)
		}
		out, err = cdk(offline, "synth", "--quiet", "-c", "fnenvCheckSecrets=true")
		if err == nil || !strings.Contains(out, "fnenv: the secrets check (context fnenvCheckSecrets=true) could not run: no AWS credentials") {
			t.Errorf("cdk synth -c fnenvCheckSecrets=true: %v; want the error:\n%s", err, out)
		}
	})
	t.Run("the secret set: synth passes; a literal credential warns, fails --strict, and is acknowledged", func(t *testing.T) {
		putSecretTo(t, srv, "/amplify/pay/main/STRIPE_KEY")
		if out, err := cdk(withMoto, "synth", "--quiet", "--strict"); err != nil || strings.Contains(out, "fnenv:") {
			t.Errorf("cdk synth --strict: %v\n%s", err, out)
		}
		out, err := cdk(withMoto, "synth", "--quiet", "--strict", "-c", "withLiteral=true")
		if err == nil || !strings.Contains(out, "fnenv: function charge: the literal value of STRIPE_FALLBACK looks like a Stripe secret or restricted key (rule stripe-access-token)") ||
			!strings.Contains(out, "Acknowledge with 'Annotation::fnenv:credential-literal:stripe-access-token'") || strings.Contains(out, "fakeFAKE") {
			t.Errorf("cdk synth --strict with the literal: %v; want it to fail on the warning, without the value:\n%s", err, out)
		}
		if out, err := cdk(withMoto, "synth", "--quiet", "--strict", "-c", "withLiteral=true", "-c", "ackLiteral=true"); err != nil {
			t.Errorf("cdk synth --strict, acknowledged: %v\n%s", err, out)
		}
	})
}

// putSecretTo stores a fake SecureString at path in moto.
func putSecretTo(t *testing.T, srv *moto.Server, path string) {
	t.Helper()
	srv.Setenv(t)
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	putSecret(t, ssm.NewFromConfig(cfg), path)
}
