package test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fnenv/fnenv/model"
)

// TestSampleTemplates synthesizes the sample app for two branches with the
// pinned CDK CLI, as `make synth` does, with CDK's template validation on;
// then runs cfn-lint on the templates and checks that only parameter
// names reach them.
func TestSampleTemplates(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the CDK CLI and compiles the sample's handlers")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	cdk := os.Getenv("CDK_CLI")
	if cdk == "" {
		cdk = filepath.Join(root, ".tools", "node_modules", ".bin", "cdk")
	}
	if _, err := os.Stat(cdk); err != nil {
		t.Fatalf("CDK CLI not found (%v): run `make deps` or set CDK_CLI", err)
	}
	lint, err := exec.LookPath("cfn-lint")
	if err != nil {
		t.Fatalf("cfn-lint not found: pip install cfn-lint (TOOLCHAIN.md)")
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CDK_VALIDATION=") && !strings.HasPrefix(kv, "AWS_APP_ID=") && !strings.HasPrefix(kv, "AWS_BRANCH=") {
			env = append(env, kv)
		}
	}
	env = append(env, "CDK_DISABLE_VERSION_CHECK=1")

	assetsOf := map[string][]string{}
	// release/1.2: a branch whose name stack names cannot carry as it is
	for _, branch := range []string{"main", "release/1.2"} {
		// GIVEN the sample app, WHEN it synthesizes for the branch
		out := t.TempDir()
		cmd := exec.Command(cdk, "synth", "--quiet", "-c", "branch="+branch, "-o", out)
		cmd.Dir, cmd.Env = root, env
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("cdk synth -c branch=%s: %v\n%s", branch, err, b)
		}
		payments, err := model.StackName("Payments", branch)
		if err != nil {
			t.Fatal(err)
		}
		notifications, _ := model.StackName("Notifications", branch)

		// THEN cfn-lint finds no error in its templates
		templates, _ := filepath.Glob(filepath.Join(out, "*.template.json"))
		if len(templates) != 2 {
			t.Fatalf("branch %s: got templates %v, want Payments and Notifications", branch, templates)
		}
		cmd = exec.Command(lint, append([]string{"--format", "parseable", "--non-zero-exit-code", "error", "--"}, templates...)...)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("cfn-lint on branch %s: %v\n%s", branch, err, b)
		}

		// THEN each function's record, environment and assets agree, and a
		// secret variable reaches the template as a name only
		var records []model.Record
		for _, stack := range []string{payments, notifications} {
			rs, _ := readRecords(t, out, stack)
			records = append(records, rs...)
			data, err := os.ReadFile(filepath.Join(out, stack+".template.json"))
			if err != nil {
				t.Fatal(err)
			}
			checkSampleTemplate(t, stack, data, rs)
		}
		checkSampleNag(t, out, branch)
		var names []string
		for _, r := range records {
			names = append(names, r.Function.Name)
		}
		sort.Strings(names)
		if diff := cmp.Diff(names, []string{"charge", "notify-slack", "refund", "send-receipt"}); diff != "" {
			t.Errorf("branch %s: functions (-got +want):\n%s", branch, diff)
		}
		assets, _ := filepath.Glob(filepath.Join(out, "asset.*"))
		for _, a := range assets {
			assetsOf[branch] = append(assetsOf[branch], filepath.Base(a))
		}
	}
	// THEN both branches have the same code assets
	if diff := cmp.Diff(assetsOf["release/1.2"], assetsOf["main"]); diff != "" || len(assetsOf["main"]) == 0 {
		t.Errorf("assets of release/1.2 (-) and main (+) differ:\n%s", diff)
	}
}

func checkSampleTemplate(t *testing.T, stack string, data []byte, records []model.Record) {
	t.Helper()
	var tmpl struct {
		Resources map[string]struct {
			Type       string
			Properties struct {
				Environment struct{ Variables map[string]any }
			}
		}
	}
	if err := json.Unmarshal(data, &tmpl); err != nil {
		t.Fatal(err)
	}
	var envs []map[string]any
	for _, r := range tmpl.Resources {
		if r.Type == "AWS::Lambda::Function" {
			envs = append(envs, r.Properties.Environment.Variables)
		}
	}
	if len(envs) != len(records) || len(envs) == 0 {
		t.Fatalf("%s: %d Lambda functions, %d records", stack, len(envs), len(records))
	}
	secretsOf := map[string]bool{}
	smOf := map[string]bool{} // each record's Secrets Manager variable → id, as JSON
	for _, r := range records {
		secretsOf[model.EncodeSecrets(r.Function.Variables)] = true
		ids := map[string]string{}
		for _, v := range r.Function.SecretsManagerVariables() {
			ids[v.Name] = v.SecretsManager.ID
		}
		js, _ := json.Marshal(ids)
		smOf[string(js)] = true
		for _, v := range append(r.Function.SecretVariables(), r.Function.SecretsManagerVariables()...) {
			for _, env := range envs {
				if _, ok := env[v.Name]; ok {
					t.Errorf("%s: secret variable %s has an env var of its own", stack, v.Name)
				}
			}
		}
	}
	for _, env := range envs {
		got, _ := env[model.EnvSecrets].(string)
		if !secretsOf[got] {
			t.Errorf("%s: %s = %q matches no record", stack, model.EnvSecrets, got)
		}
		if _, err := model.DecodeSecrets(got); err != nil {
			t.Errorf("%s: %v", stack, err)
		}
		sm, _ := env[model.EnvSecretsManager].(string)
		ids, err := model.DecodeSecretsManager(sm)
		if err != nil {
			t.Errorf("%s: %v", stack, err)
		}
		if js, _ := json.Marshal(ids); !smOf[string(js)] {
			t.Errorf("%s: %s = %q matches no record", stack, model.EnvSecretsManager, sm)
		}
	}
	// No value of a secret can be in the template: none was ever given to
	// synth. What must not appear is anything but names in FNENV_*.
	if bytes.Contains(data, []byte("sk_")) {
		t.Errorf("%s: template holds something like a Stripe key", stack)
	}
}

// checkSampleNag checks the cdk-nag reports of the sample's cloud assembly
// in out: every AwsSolutions rule is compliant on every resource, or
// suppressed with a reason, and exactly these are suppressed — the two
// fnenv writes on each function it creates, and the sample's own for
// X-Ray. A suppression removed makes synth fail; one added fails here.
func checkSampleNag(t *testing.T, out, branch string) {
	t.Helper()
	reports, _ := filepath.Glob(filepath.Join(out, "AwsSolutions-*-NagReport.csv"))
	if len(reports) != 2 {
		t.Fatalf("branch %s: cdk-nag reports %v, want Payments' and Notifications'", branch, reports)
	}
	var suppressed []string
	for _, report := range reports {
		f, err := os.Open(report)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil || len(rows) < 2 {
			t.Fatalf("%s: %d rows, %v", report, len(rows), err)
		}
		for _, r := range rows[1:] { // Rule ID, Resource ID, Compliance, Exception Reason, …
			rule, resource, compliance, reason := r[0], r[1], r[2], r[3]
			_, resource, _ = strings.Cut(resource, "/") // the stack's name carries the branch
			switch compliance {
			case "Compliant":
			case "Suppressed":
				suppressed = append(suppressed, resource+" "+rule)
				if len(reason) < 20 {
					t.Errorf("branch %s: %s on %s suppressed without a reason: %q", branch, rule, resource, reason)
				}
			default:
				t.Errorf("branch %s: %s on %s is %s", branch, rule, resource, compliance)
			}
		}
	}
	sort.Strings(suppressed)
	want := []string{
		"Charge/ServiceRole/DefaultPolicy/Resource AwsSolutions-IAM5", // the sample: X-Ray
		"Charge/ServiceRole/Resource AwsSolutions-IAM4",               // fnenv: basic execution role
		"NotifySlack/ServiceRole/Resource AwsSolutions-IAM4",
		"Refund/ServiceRole/Resource AwsSolutions-IAM4",
		"SendReceipt/ServiceRole/Resource AwsSolutions-IAM4",
	}
	if diff := cmp.Diff(suppressed, want); diff != "" {
		t.Errorf("branch %s: cdk-nag suppressions (-got +want):\n%s", branch, diff)
	}
}
