package function

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/fnenv/fnenv/constructs/backend"
	"github.com/fnenv/fnenv/internal/secretcheck"
	"github.com/fnenv/fnenv/internal/ssmstore"
	"github.com/fnenv/fnenv/model"
)

// addSecretsCheck makes the stage's synth check, when context
// fnenvCheckSecrets is true, that every secret the registry's functions
// reference is set for the branch (on it or shared) — the check of `fnenv
// secret check`, package secretcheck — failing synth with the same list
// and commands. It reads SSM with the standard AWS credential chain, never
// a value (GetParameters without decryption).
func addSecretsCheck(node constructs.IConstruct, r *registry) {
	node.Node().AddValidation(&secretsCheck{node: node, r: r})
}

// secretsCheck is the validation that runs the check once per synth.
type secretsCheck struct {
	node constructs.IConstruct
	r    *registry
	done bool
	msgs []*string
}

func (c *secretsCheck) Validate() *[]*string {
	if !c.done {
		c.done = true
		// A context fnenv refuses is reported by every function
		// (backend.Resolve).
		if on := backend.Context(c.node).CheckSecrets; on != nil && *on {
			for _, m := range c.run(context.Background()) {
				c.msgs = append(c.msgs, jsii.String(m))
			}
		}
	}
	msgs := c.msgs
	return &msgs
}

// run checks the functions without problems of their own (those fail
// synth anyway), per branch, and returns the messages that fail synth.
func (c *secretsCheck) run(ctx context.Context) []string {
	byBranch := map[string][]model.Record{}
	for _, f := range c.r.fns {
		if len(f.problems) > 0 {
			continue
		}
		b := f.backend.Branch
		byBranch[b] = append(byBranch[b], model.Record{Backend: f.backend, Function: f.decl, Path: *f.Node().Path()})
	}
	branches := make([]string, 0, len(byBranch))
	for b := range byBranch {
		branches = append(branches, b)
	}
	sort.Strings(branches)
	var store *ssmstore.Store
	var msgs []string
	for _, b := range branches {
		uses, fns, err := secretcheck.Collect(byBranch[b], b)
		if err != nil {
			msgs = append(msgs, checkMessage(err.Error()))
			continue
		}
		if len(uses) == 0 {
			continue
		}
		if store == nil {
			s, err := ssmstore.Open(ctx, ssmstore.Options{
				Notify: func(line string) { fmt.Fprintf(os.Stderr, "fnenv: %s\n", line) },
			})
			if err != nil {
				return append(msgs, checkMessage(fmt.Sprintf("cannot read SSM: %v; the check reads it with the standard AWS credential chain — to synth offline, leave %s unset or false", err, model.ContextCheckSecrets)))
			}
			store = s
		}
		res, err := secretcheck.Check(ctx, b, fns, uses, secretcheck.Lookups(store))
		switch {
		case err != nil:
			msgs = append(msgs, checkMessage(err.Error()))
		case !res.OK():
			msgs = append(msgs, checkMessage(res.Report("")+res.Failure()))
		}
	}
	return msgs
}

func checkMessage(s string) string {
	return fmt.Sprintf("secrets check (context %s=true): %s", model.ContextCheckSecrets, strings.TrimSuffix(s, "\n"))
}
