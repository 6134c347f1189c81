package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/fnenv/fnenv/internal/moto"
	"github.com/fnenv/fnenv/model"
)

// Branches are the two branches the demo deploys side by side.
var Branches = []string{"main", "feature/login"}

// Values are the sample's fake secret values: per secret, per branch, with
// "" for the shared value. Obvious fakes, never real keys.
var Values = map[string]map[string]string{
	"STRIPE_KEY": {
		"main":          "sk_test_fake_main_0042",
		"feature/login": "sk_test_fake_login_0017",
	},
	"SLACK_WEBHOOK_URL": {
		"main":          "https://hooks.example.com/fake/main-0007",
		"feature/login": "https://hooks.example.com/fake/login-0008",
	},
	"SENTRY_DSN": {"": "https://fake-shared-dsn@sentry.example.com/0099"},
}

// Options configure a demo run.
type Options struct {
	Root    string    // the module root
	Out     io.Writer // the demo's report
	Log     io.Writer // every command's output; nil: kept for scans only
	Context []string  // extra CDK context for synth and deploy (key=value)
}

// Invocation is what one function resolved on one branch.
type Invocation struct {
	Branch, Stack, Function string
	Config                  Configuration
	Response                map[string]any
	Resolved                map[string]string // variable → masked value
}

// Result is what a demo run did.
type Result struct {
	Invocations []Invocation
	Outdirs     map[string]string // branch → cloud assembly
}

// Env opens the local AWS and everything the demo runs with: moto, the
// pinned CDK CLI, a built fnenv CLI. Close stops moto.
type Env struct {
	*Runner
	tmp string
}

// Open starts moto and builds the fnenv CLI.
func Open(ctx context.Context, o Options) (*Env, error) {
	cdk := os.Getenv("CDK_CLI")
	if cdk == "" {
		cdk = filepath.Join(o.Root, ".tools", "node_modules", ".bin", "cdk")
	}
	if _, err := os.Stat(cdk); err != nil {
		return nil, fmt.Errorf("the pinned CDK CLI is not installed at %s: run `cd .tools && npm ci` (make deps does)", cdk)
	}
	srv, err := moto.Start(ctx)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "fnenv-demo-")
	if err != nil {
		srv.Stop()
		return nil, err
	}
	e := &Env{Runner: &Runner{Root: o.Root, CDK: cdk, Moto: srv, Log: o.Log}, tmp: tmp}
	if err := e.BuildCLI(ctx, tmp); err != nil {
		e.Close()
		return nil, err
	}
	return e, nil
}

// Close stops moto and removes the temporary files.
func (e *Env) Close() {
	e.Moto.Stop()
	os.RemoveAll(e.tmp)
}

// Outdir is where a branch's cloud assembly goes: under cdk.out, which git
// ignores.
func (e *Env) Outdir(branch string) string {
	return filepath.Join(e.Root, "cdk.out", "demo", model.BranchName(branch))
}

// SetAll sets every secret of Values with the fnenv CLI.
func (e *Env) SetAll(ctx context.Context) error {
	names := make([]string, 0, len(Values))
	for n := range Values {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		for branch, v := range Values[n] {
			if err := e.SetSecret(ctx, n, branch, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// Run is the demo: secrets set, checked, both branches deployed side by
// side, each function run with its deployed configuration and its resolved
// secrets reported masked.
func Run(ctx context.Context, o Options) (res *Result, err error) {
	out := o.Out
	if out == nil {
		out = io.Discard
	}
	step := func(format string, args ...any) { fmt.Fprintf(out, "\n==> "+format+"\n", args...) }

	step("starting a local AWS (moto) and building the fnenv CLI")
	e, err := Open(ctx, o)
	if err != nil {
		return nil, err
	}
	defer e.Close()
	fmt.Fprintf(out, "    local AWS at %s (account %s, %s)\n", e.Moto.URL, Account, moto.Region)

	step("cdk bootstrap")
	if err := e.Bootstrap(ctx); err != nil {
		return nil, err
	}

	res = &Result{Outdirs: map[string]string{}}
	for _, b := range Branches {
		res.Outdirs[b] = e.Outdir(b)
		step("cdk synth, branch %s (secrets not checked: none is set yet)", b)
		// With credentials (moto's) synth checks the secrets, and none is
		// set yet: this synth is for fnenv secret check to read. cdk deploy
		// below synthesizes again, with the check.
		ctxs := append(slices.Clone(o.Context), model.ContextCheckSecrets+"=false")
		if err := e.Synth(ctx, b, res.Outdirs[b], ctxs...); err != nil {
			return nil, err
		}
	}

	stacks, err := ReadAssembly(res.Outdirs[Branches[0]])
	if err != nil {
		return nil, err
	}
	for _, s := range Secrets(stacks) {
		if Values[s] == nil {
			return nil, fmt.Errorf("the sample app references secret %s, which the demo has no value for: add one to demo.Values", s)
		}
	}

	step("fnenv secret check before any secret is set (expected to fail)")
	if msg, err := e.Check(ctx, Branches[0], res.Outdirs[Branches[0]]); err == nil {
		return nil, errors.New("fnenv secret check passed with no secret set")
	} else {
		fmt.Fprintln(out, indent(msg))
	}

	step("fnenv secret set: STRIPE_KEY and SLACK_WEBHOOK_URL per branch, SENTRY_DSN shared (values from stdin)")
	if err := e.SetAll(ctx); err != nil {
		return nil, err
	}
	for _, b := range Branches {
		step("Secrets Manager: the payments DB credential of branch %s (a JSON secret; moto's CloudFormation does not create AWS::SecretsManager::Secret, so the demo does)", b)
		st, err := ReadAssembly(res.Outdirs[b])
		if err != nil {
			return nil, err
		}
		ids, err := e.CreateSecretsManagerSecrets(ctx, b, st)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(out, "    created %s\n", strings.Join(ids, ", "))
	}
	for _, b := range Branches {
		step("fnenv secret check --branch %s", b)
		msg, err := e.Check(ctx, b, res.Outdirs[b])
		if err != nil {
			return nil, err
		}
		fmt.Fprintln(out, indent(msg))
	}

	for _, b := range Branches {
		step("cdk deploy --all, branch %s", b)
		if err := e.Deploy(ctx, b, res.Outdirs[b], o.Context...); err != nil {
			return nil, err
		}
	}

	for _, b := range Branches {
		step("running the functions of branch %s with fnenv invoke --deployed (built for this machine, run under a local Lambda Runtime API)", b)
		invs, err := e.InvokeAll(ctx, b, res.Outdirs[b])
		if err != nil {
			return nil, err
		}
		if len(invs) > 0 { // what the deployed configuration holds: names, never values
			c := invs[0].Config.Environment
			fmt.Fprintf(out, "    deployed configuration of %s: %s=%s %s=%s %s=%s\n", invs[0].Function,
				model.EnvSecrets, c[model.EnvSecrets], model.EnvBranchPrefix, c[model.EnvBranchPrefix], model.EnvSharedPrefix, c[model.EnvSharedPrefix])
		}
		for _, inv := range invs {
			if c := inv.Config.Environment[model.EnvSecretsManager]; c != "" {
				fmt.Fprintf(out, "    deployed configuration of %s: %s=%s\n", inv.Function, model.EnvSecretsManager, c)
			}
		}
		width := 0
		for _, inv := range invs {
			width = max(width, len(inv.Stack))
		}
		for _, inv := range invs {
			fmt.Fprintf(out, "    %-*s  %-14s %s\n", width, inv.Stack, inv.Function, formatResolved(inv.Resolved))
		}
		res.Invocations = append(res.Invocations, invs...)
	}
	step("done: each branch resolved its own STRIPE_KEY, SLACK_WEBHOOK_URL and DB credential (Secrets Manager), and both the shared SENTRY_DSN")
	return res, nil
}

// InvokeAll runs every deployed function of a branch once with `fnenv
// invoke --deployed` and collects what it resolved.
func (e *Env) InvokeAll(ctx context.Context, branch, outdir string) ([]Invocation, error) {
	stacks, err := ReadAssembly(outdir)
	if err != nil {
		return nil, err
	}
	var invs []Invocation
	for _, st := range stacks {
		confs, err := e.Describe(ctx, st)
		if err != nil {
			return nil, err
		}
		for _, fn := range st.Functions {
			conf := confs[fn.Record.Function.Name]
			resp, err := e.InvokeDeployed(ctx, fn.Record.Function.Name, branch, outdir,
				map[string]any{"customer": "cus_demo", "amount": 4200, "charge": "ch_demo", "message": "demo"})
			if err != nil {
				return nil, fmt.Errorf("branch %s, function %s: %w", branch, fn.Record.Function.Name, err)
			}
			inv := Invocation{Branch: branch, Stack: st.Name, Function: fn.Record.Function.Name, Config: conf, Response: resp, Resolved: map[string]string{}}
			if m, ok := resp["resolved"].(map[string]any); ok {
				for k, v := range m {
					inv.Resolved[k], _ = v.(string)
				}
			}
			invs = append(invs, inv)
		}
	}
	return invs, nil
}

func formatResolved(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + m[k]
	}
	return strings.Join(parts, "  ")
}

func indent(s string) string {
	s = strings.TrimRight(s, "\n")
	return "    " + strings.ReplaceAll(s, "\n", "\n    ")
}
