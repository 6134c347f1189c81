package function

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/fnenv/fnenv/constructs/backend"
	"github.com/fnenv/fnenv/internal/secretcheck"
	"github.com/fnenv/fnenv/internal/ssmstore"
	"github.com/fnenv/fnenv/model"
)

// WarningSecretsNotChecked is the id of the synth warning that the secrets
// were not checked (context fnenvCheckSecrets unset, and no AWS
// credentials, no region or no answer within CheckSecretsBudget). It sits
// on the function resource of the first function that references a
// secret; acknowledge it on that function or its stack:
//
//	awscdk.Annotations_Of(stack).AcknowledgeWarning(jsii.String(function.WarningSecretsNotChecked), jsii.String("CI synthesizes offline"))
const WarningSecretsNotChecked = "fnenv:secrets-not-checked"

// CheckSecretsBudget bounds the synth-time secrets check when context
// fnenvCheckSecrets is unset: resolving AWS credentials, then SSM's (and
// Secrets Manager's) answers, each within it. Past it synth passes with
// the WarningSecretsNotChecked warning. With fnenvCheckSecrets=true the
// check has the CLI's deadline (ssmstore.DefaultTimeout, 30 s) and its
// failure to run is an error.
const CheckSecretsBudget = 5 * time.Second

// checkMode is what context fnenvCheckSecrets asks.
type checkMode int

const (
	checkAuto     checkMode = iota // unset: check when AWS credentials are available
	checkRequired                  // true: check, or fail
	checkOff                       // false: no AWS call
)

// secretsCheck is the stage's synth-time check that every secret its
// functions reference is set for the branch (on it or shared) — the check
// of `fnenv secret check`, package secretcheck, reading names only. Each
// missing secret is an error annotation on each function that references
// it, which fails `cdk synth`, `cdk diff` and `cdk deploy` of its stack
// (the CDK CLI refuses a stack with an error) while `cdk ls` and other
// stacks go on.
//
// The AWS configuration is resolved in the background from the first
// function on (probe), so that finding no credentials — the SDK's chain
// ends with the EC2 metadata service — costs synth no time.
type secretsCheck struct {
	r       *registry
	mode    checkMode
	probe   chan struct{} // closed when store or openErr is set
	store   *ssmstore.Store
	openErr error
	done    bool
}

func newSecretsCheck(stage constructs.IConstruct, r *registry) *secretsCheck {
	// A context fnenv refuses is reported by every function
	// (backend.Resolve); the check then has none to check.
	c := &secretsCheck{r: r, mode: checkAuto}
	if on := backend.Context(stage).CheckSecrets; on != nil {
		c.mode = checkOff
		if *on {
			c.mode = checkRequired
		}
	}
	if c.mode == checkOff {
		return c
	}
	opts := ssmstore.Options{Notify: func(line string) { fmt.Fprintf(os.Stderr, "fnenv: %s\n", line) }}
	if c.mode == checkAuto {
		// Quiet, and within the budget: an attempt may take all of it (a
		// first answer can be slow), and a second one follows only a fast
		// failure. Two attempts also bound the SDK's probe of the EC2
		// metadata service, which takes the configured retryer; the CDK CLI
		// turns that probe off (AWS_EC2_METADATA_DISABLED) off EC2.
		opts = ssmstore.Options{Timeout: CheckSecretsBudget, AttemptTimeout: CheckSecretsBudget, MaxAttempts: 2}
	}
	// The region the CDK CLI deploys env-agnostic stacks to, when the
	// SDK's configuration names none.
	opts.DefaultRegion = os.Getenv("CDK_DEFAULT_REGION")
	c.probe = make(chan struct{})
	go func() {
		defer close(c.probe)
		c.store, c.openErr = ssmstore.Open(context.Background(), opts)
	}()
	return c
}

// Validate runs the check once per synth. Its outcome is annotations, not
// validation errors.
func (c *secretsCheck) Validate() *[]*string {
	if !c.done {
		c.done = true
		if c.mode != checkOff {
			c.run(context.Background())
		}
	}
	return &[]*string{}
}

// branchUses are the secrets one branch's functions reference.
type branchUses struct {
	branch string
	fns    int
	uses   []secretcheck.Use
}

// run checks the functions without problems of their own (those fail
// synth anyway), per branch, and annotates them.
func (c *secretsCheck) run(ctx context.Context) {
	byBranch := map[string][]model.Record{}
	byLabel := map[string]*function{}
	var withSecrets []*function
	for _, f := range c.r.fns {
		if len(f.problems) > 0 {
			continue
		}
		rec := model.Record{Backend: f.backend, Function: f.decl, Path: *f.Node().Path()}
		byBranch[f.backend.Branch] = append(byBranch[f.backend.Branch], rec)
		byLabel[secretcheck.Label(f.decl.Name, rec.Path)] = f
		if len(f.decl.Secrets()) > 0 || len(f.decl.ExistingParameters()) > 0 || len(f.decl.SecretsManagerVariables()) > 0 {
			withSecrets = append(withSecrets, f)
		}
	}
	if len(withSecrets) == 0 {
		return
	}
	sort.Slice(withSecrets, func(i, j int) bool { return *withSecrets[i].Node().Path() < *withSecrets[j].Node().Path() })
	branches := make([]string, 0, len(byBranch))
	for b := range byBranch {
		branches = append(branches, b)
	}
	sort.Strings(branches)
	var todo []branchUses
	for _, b := range branches {
		uses, fns, err := secretcheck.Collect(byBranch[b], b)
		if err != nil {
			c.cannotRun(withSecrets, err.Error())
			return
		}
		if len(uses) > 0 {
			todo = append(todo, branchUses{b, fns, uses})
		}
	}

	<-c.probe
	if c.openErr != nil {
		c.cannotRun(withSecrets, c.openErr.Error())
		return
	}
	results := make([]secretcheck.Result, 0, len(todo))
	for _, t := range todo {
		res, err := secretcheck.Check(ctx, t.branch, t.fns, t.uses, secretcheck.Lookups(c.store))
		if err != nil {
			c.cannotRun(withSecrets, err.Error())
			return
		}
		results = append(results, res)
	}
	for _, res := range results {
		for _, u := range res.Missing {
			for _, label := range u.Functions {
				f := byLabel[label]
				if f == nil {
					continue // a label from a record: always one of ours
				}
				awscdk.Annotations_Of(f).AddError(jsii.String(fmt.Sprintf(
					"fnenv: function %s references a secret that is not set for branch %s: %s\n  (fnenv's secrets check at synth; -c %s=false skips it)",
					f.decl.Name, res.Branch, res.Explain(u, ""), model.ContextCheckSecrets)))
			}
		}
	}
}

// cannotRun reports that the check did not run: one warning when it was
// not asked for, else an error on the first function with secrets of each
// stack (so that no stack referencing a secret deploys unchecked).
func (c *secretsCheck) cannotRun(withSecrets []*function, why string) {
	why = strings.TrimSuffix(why, "\n")
	if c.mode == checkAuto {
		f := withSecrets[0]
		// On the function's resource, a child: CDK matches an
		// acknowledgement made before synth on the function or its stack
		// against the ancestors of the construct a warning is added to.
		awscdk.Annotations_Of(f.Node().DefaultChild()).AddWarningV2(jsii.String(WarningSecretsNotChecked), jsii.String(fmt.Sprintf(
			"fnenv: secrets not checked: %s. Synth checks that every secret the app references (functions with secrets: %d) is set when AWS credentials are available and AWS answers within %s (context %s unset); true requires the check, false turns it off",
			why, len(withSecrets), CheckSecretsBudget, model.ContextCheckSecrets)))
		return
	}
	seen := map[string]bool{}
	for _, f := range withSecrets {
		stack := *awscdk.Stack_Of(f).Node().Path()
		if seen[stack] {
			continue
		}
		seen[stack] = true
		awscdk.Annotations_Of(f).AddError(jsii.String(fmt.Sprintf(
			"fnenv: the secrets check (context %s=true) could not run: %s; to synth without it, leave %s unset or set it false",
			model.ContextCheckSecrets, why, model.ContextCheckSecrets)))
	}
}
