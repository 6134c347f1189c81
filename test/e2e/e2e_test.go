// Package e2e deploys the sample app for two branches to a local AWS
// (moto) with the pinned CDK CLI, runs each deployed function's bootstrap
// under a local Lambda Runtime API server and checks what it resolved.
package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/google/go-cmp/cmp"

	"github.com/fnenv/fnenv/internal/demo"
	"github.com/fnenv/fnenv/internal/moto"
	"github.com/fnenv/fnenv/model"
	"github.com/fnenv/fnenv/resolver"
)

// maxAge is the sample's secrets max age for this test (CDK context
// fnenvSecretsMaxAge), short so that a changed secret is picked up soon.
const maxAge = 2 * time.Second

// rotated is STRIPE_KEY's value on main after the change made mid-test.
const rotated = "sk_test_fake_main_rotated_0077"

// rotatedDB is the payments DB credential on main after its rotation
// mid-test (a new AWSCURRENT version in Secrets Manager).
const rotatedDB = `{"username":"payments_main_0042","password":"pw_fake_main_rotated_0078","host":"db.main.example.test","port":5432}`

func TestDeployBranchesAndResolve(t *testing.T) {
	if testing.Short() {
		t.Skip("deploys to a local AWS: minutes")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	e, err := demo.Open(ctx, demo.Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	cdkContext := []string{model.ContextSecretsMaxAge + "=" + maxAge.String()}

	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(e.Bootstrap(ctx))
	for _, b := range demo.Branches {
		// No secret is set yet: the check at synth is off for this one;
		// cdk deploy below synthesizes again with it (moto's credentials).
		must(e.Synth(ctx, b, e.Outdir(b), append(cdkContext, model.ContextCheckSecrets+"=false")...))
	}

	// GIVEN no secret set, WHEN checking, THEN the check fails naming each.
	out, err := e.Check(ctx, "main", e.Outdir("main"))
	if err == nil {
		t.Fatalf("fnenv secret check passed before any secret was set:\n%s", out)
	}
	for _, name := range []string{"STRIPE_KEY", "SENTRY_DSN", "SLACK_WEBHOOK_URL", "fnenv secret set STRIPE_KEY --branch main",
		"DbCredential — Secrets Manager secret amplify/fnenv-sample/main/payments-db does not exist"} {
		if !strings.Contains(out, name) {
			t.Errorf("check output does not name %q:\n%s", name, out)
		}
	}

	// WHEN the secrets are set — and the Secrets Manager credential
	// created, which moto's CloudFormation would not do —, THEN the check
	// passes for both branches.
	must(e.SetAll(ctx))
	for _, b := range demo.Branches {
		stacks, err := demo.ReadAssembly(e.Outdir(b))
		must(err)
		ids, err := e.CreateSecretsManagerSecrets(ctx, b, stacks)
		must(err)
		if len(ids) == 0 {
			t.Fatalf("branch %s: the sample references no Secrets Manager secret by name", b)
		}
	}
	for _, b := range demo.Branches {
		if out, err := e.Check(ctx, b, e.Outdir(b)); err != nil {
			t.Fatalf("check --branch %s after setting every secret: %v\n%s", b, err, out)
		}
	}

	// WHEN both branches are deployed side by side and every function runs,
	// THEN each resolves its branch's values and the shared one.
	for _, b := range demo.Branches {
		must(e.Deploy(ctx, b, e.Outdir(b), cdkContext...))
	}
	configs := map[string]demo.Configuration{}
	for _, b := range demo.Branches {
		invs, err := e.InvokeAll(ctx, b, e.Outdir(b))
		must(err)
		if len(invs) < 4 {
			t.Fatalf("branch %s: %d functions ran, want the sample's 4 or more", b, len(invs))
		}
		stacks, err := demo.ReadAssembly(e.Outdir(b))
		must(err)
		for _, inv := range invs {
			configs[b+"/"+inv.Function] = inv.Config
			want := map[string]string{}
			fs := functionSpec(t, stacks, inv.Function)
			for _, v := range fs.SecretVariables() {
				want[v.Name] = resolver.NewSecret(valueOf(v.Secret, b)).String()
			}
			for _, v := range fs.SecretsManagerVariables() {
				want[v.Name] = resolver.NewSecret(fieldOf(t, demo.SecretsManagerValues[v.SecretsManager.Secret][b], v.SecretsManager.Field)).String()
			}
			if diff := cmp.Diff(inv.Resolved, want); diff != "" {
				t.Errorf("branch %s, function %s resolved (-got +want):\n%s", b, inv.Function, diff)
			}
			// refund sets its own max age; the others take the context's.
			if got := inv.Config.Environment[model.EnvMaxAge]; inv.Function != "refund" && got != maxAge.String() {
				t.Errorf("branch %s, function %s: %s = %q, want %q", b, inv.Function, model.EnvMaxAge, got, maxAge)
			}
		}
	}
	if a, b := resolver.NewSecret(demo.Values["STRIPE_KEY"]["main"]).String(), resolver.NewSecret(demo.Values["STRIPE_KEY"]["feature/login"]).String(); a == b {
		t.Fatalf("the branches' fake STRIPE_KEY values mask alike (%s): the test could not tell them apart", a)
	}

	// WHEN fnenv env reads a deployed function, THEN it shows each value
	// masked with its type and where it came from: the branch's parameter,
	// the shared one, a Secrets Manager secret's field, a literal.
	t.Run("fnenv env --deployed", func(t *testing.T) {
		b := "feature/login"
		out, err := e.Run(ctx, "", e.Fnenv, "env", "charge", "--branch", b, "--deployed", "--assembly", e.Outdir(b))
		must(err)
		level := model.BranchName(b)
		for _, w := range []string{
			"STRIPE_KEY ", "branch /amplify/fnenv-sample/" + level + "/STRIPE_KEY", resolver.NewSecret(demo.Values["STRIPE_KEY"][b]).String(),
			"shared /amplify/shared/fnenv-sample/SENTRY_DSN",
			"Secrets Manager amplify/fnenv-sample/" + level + `/payments-db, field "password"`,
			"STRIPE_TIMEOUT ", "time.Duration", "literal", "8s",
			"configuration from the deployed function Payments-" + level + "-",
		} {
			if !strings.Contains(out, w) {
				t.Errorf("fnenv env --deployed does not show %q:\n%s", w, out)
			}
		}
	})

	// GIVEN a running function, WHEN its secret changes, THEN it serves the
	// new value, without redeploy, once the max age has passed.
	t.Run("changed secret picked up after max age", func(t *testing.T) {
		stacks, err := demo.ReadAssembly(e.Outdir("main"))
		must(err)
		var charge demo.DeployedFunction
		var conf demo.Configuration
		for _, st := range stacks {
			for _, fn := range st.Functions {
				if fn.Record.Function.Name == "charge" {
					charge = fn
					confs, err := e.Describe(ctx, st)
					must(err)
					conf = confs["charge"]
				}
			}
		}
		f, err := e.Start(charge, conf)
		must(err)
		defer f.Stop()
		resolved := func() (stripeKey, dbPassword string) {
			resp, err := e.Invoke(ctx, f, map[string]any{"customer": "cus_e2e", "amount": 100})
			must(err)
			m, _ := resp["resolved"].(map[string]any)
			stripeKey, _ = m["STRIPE_KEY"].(string)
			dbPassword, _ = m["DB_PASSWORD"].(string)
			return stripeKey, dbPassword
		}
		dbID := ""
		for _, v := range charge.Record.Function.SecretsManagerVariables() {
			dbID = v.SecretsManager.ID
		}
		before := fieldOf(t, demo.SecretsManagerValues["DbCredential"]["main"], "password")
		after := fieldOf(t, rotatedDB, "password")
		if resolver.NewSecret(before).String() == resolver.NewSecret(after).String() {
			t.Fatalf("the fake DB passwords mask alike: the test could not tell them apart")
		}
		if sk, pw := resolved(); sk != resolver.NewSecret(demo.Values["STRIPE_KEY"]["main"]).String() || pw != resolver.NewSecret(before).String() {
			t.Fatalf("before the change: STRIPE_KEY = %s, DB_PASSWORD = %s; want the first values", sk, pw)
		}
		must(e.SetSecret(ctx, "STRIPE_KEY", "main", rotated))
		must(e.PutSecretsManagerValue(ctx, dbID, rotatedDB)) // a rotation: a new AWSCURRENT
		if sk, pw := resolved(); sk != resolver.NewSecret(demo.Values["STRIPE_KEY"]["main"]).String() || pw != resolver.NewSecret(before).String() {
			t.Errorf("within the max age: STRIPE_KEY = %s, DB_PASSWORD = %s; want the cached first values", sk, pw)
		}
		time.Sleep(maxAge + time.Second)
		if sk, pw := resolved(); sk != resolver.NewSecret(rotated).String() || pw != resolver.NewSecret(after).String() {
			t.Fatalf("after the change and the max age: STRIPE_KEY = %s, DB_PASSWORD = %s; want %s, %s", sk, pw, resolver.NewSecret(rotated).String(), resolver.NewSecret(after).String())
		}
	})

	// THEN no secret value is anywhere: the cloud assemblies, the generated
	// packages, the deployed configurations, any process's output.
	// GIVEN both branches deployed, WHEN feature/login's backend is removed,
	// THEN its stacks (found by their tags) and secrets are gone, and main's
	// and the shared secrets are untouched.
	t.Run("branch list and remove", func(t *testing.T) {
		branchLifecycle(ctx, t, e)
	})

	t.Run("canary scan", func(t *testing.T) {
		canaries := []string{rotated, fieldOf(t, rotatedDB, "password")}
		for _, byBranch := range demo.Values {
			for _, v := range byBranch {
				canaries = append(canaries, v)
			}
		}
		for _, byBranch := range demo.SecretsManagerValues {
			for _, v := range byBranch {
				canaries = append(canaries, fieldOf(t, v, "password"))
			}
		}
		scan := func(where string, data []byte) {
			for _, c := range canaries {
				if strings.Contains(string(data), c) {
					t.Errorf("a secret value (masked %s) appears in %s", resolver.NewSecret(c).String(), where)
				}
			}
		}
		files := 0
		for _, dir := range []string{filepath.Join(root, "cdk.out"), filepath.Join(root, "app")} {
			must(filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				data, err := os.ReadFile(path)
				if err != nil {
					return err
				}
				files++
				scan(path, data)
				return nil
			}))
		}
		if files < 20 {
			t.Errorf("scanned %d files under cdk.out and app/, want the assemblies and generated packages", files)
		}
		data, _ := json.Marshal(configs)
		scan("the deployed function configurations", data)
		if out := e.Output(); len(out) == 0 {
			t.Error("no process output recorded: the scan would prove nothing")
		} else {
			scan("the output of the CDK CLI, the fnenv CLI and the functions", []byte(out))
		}
	})
}

// branchLifecycle lists the deployed branches and removes feature/login.
func branchLifecycle(ctx context.Context, t *testing.T, e *demo.Env) {
	cfg := aws.Config{
		Region: moto.Region, BaseEndpoint: aws.String(e.Moto.URL),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, nil
		}),
	}
	cfn, ssmc := cloudformation.NewFromConfig(cfg), ssm.NewFromConfig(cfg)
	stacksOf := func(branch string) []string {
		t.Helper()
		out, err := cfn.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, st := range out.Stacks {
			tags := map[string]string{}
			for _, tg := range st.Tags {
				tags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
			}
			if st.StackStatus != cfntypes.StackStatusDeleteComplete && tags[model.StackTagAppID] == "fnenv-sample" && tags[model.StackTagBranch] == model.BranchTag(branch) {
				names = append(names, aws.ToString(st.StackName))
			}
		}
		return names
	}
	params := func() map[string]int64 {
		t.Helper()
		out := map[string]int64{}
		pg := ssm.NewGetParametersByPathPaginator(ssmc, &ssm.GetParametersByPathInput{Path: aws.String("/amplify/"), Recursive: aws.Bool(true)})
		for pg.HasMorePages() {
			page, err := pg.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range page.Parameters {
				out[aws.ToString(p.Name)] = p.Version
			}
		}
		return out
	}
	mainStacks, loginStacks := stacksOf("main"), stacksOf("feature/login")
	if len(mainStacks) == 0 || len(loginStacks) != len(mainStacks) {
		t.Fatalf("stacks tagged by branch: main %v, feature/login %v: the CDK CLI did not pass the stack tags on", mainStacks, loginStacks)
	}
	out, err := e.Run(ctx, "", e.Fnenv, "branch", "list")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("fnenv branch list:\n%s", out)
	login := model.BranchName("feature/login")
	for _, want := range append([]string{"feature/login  " + login, "main           main", "1 shared secret"}, append(mainStacks, loginStacks...)...) {
		if !strings.Contains(out, want) {
			t.Errorf("branch list lacks %q:\n%s", want, out)
		}
	}
	before := params()
	out, err = e.Run(ctx, "", e.Fnenv, "branch", "remove", "feature/login", "--yes", "--assembly", e.Outdir("feature/login"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("fnenv branch remove feature/login --yes:\n%s", out)
	if want := fmt.Sprintf("removed %d stacks and 2 secrets", len(loginStacks)); !strings.Contains(out, want) {
		t.Errorf("branch remove does not say %q:\n%s", want, out)
	}
	if got := stacksOf("feature/login"); len(got) != 0 {
		t.Errorf("after branch remove, feature/login still has stacks %v", got)
	}
	if diff := cmp.Diff(stacksOf("main"), mainStacks); diff != "" {
		t.Errorf("main's stacks changed (-got +want):\n%s", diff)
	}
	want := map[string]int64{}
	for k, v := range before {
		if !strings.HasPrefix(k, "/amplify/fnenv-sample/"+login+"/") {
			want[k] = v
		}
	}
	if len(want) != len(before)-2 {
		t.Errorf("feature/login had %d secrets, want the sample's 2", len(before)-len(want))
	}
	if diff := cmp.Diff(params(), want); diff != "" {
		t.Errorf("parameters after branch remove (-got +want):\n%s", diff)
	}
}

func functionSpec(t *testing.T, stacks []demo.Stack, name string) model.Function {
	t.Helper()
	for _, st := range stacks {
		for _, fn := range st.Functions {
			if fn.Record.Function.Name == name {
				return fn.Record.Function
			}
		}
	}
	t.Fatalf("no function %q in the assembly", name)
	return model.Function{}
}

// valueOf is the value a function on branch resolves for secret: the
// branch's own, else the shared one.
func valueOf(secret, branch string) string {
	if v, ok := demo.Values[secret][branch]; ok {
		return v
	}
	return demo.Values[secret][""]
}

// fieldOf is the JSON field of a fake Secrets Manager value; "" is the
// whole value.
func fieldOf(t *testing.T, value, field string) string {
	t.Helper()
	if field == "" {
		return value
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(value), &m); err != nil {
		t.Fatalf("a fake Secrets Manager value is not JSON: %v", err)
	}
	switch v := m[field].(type) {
	case string:
		return v
	case nil:
		t.Fatalf("a fake Secrets Manager value has no field %q", field)
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
	return ""
}
