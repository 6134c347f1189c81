package cli

import (
	"context"
	"fmt"
	"slices"

	"github.com/spf13/cobra"

	"github.com/fnenv/fnenv/internal/plural"
	"github.com/fnenv/fnenv/internal/secretcheck"
	"github.com/fnenv/fnenv/model"
)

func (r *runner) checkCmd() *cobra.Command {
	var branch, assembly string
	c := &cobra.Command{
		Use:   "check [--branch B] [--assembly cdk.out]",
		Short: "Check that every secret the synthesized app references is set for a branch",
		Long: `Read the synthesized cloud assembly and check that every secret its functions
reference is set on the branch or shared, never reading a value; and that
every Secrets Manager secret they reference by name or ARN exists with each
JSON field read (its value is read to see the keys, never printed). Exit 0
with a summary; exit 1 listing each missing secret, the functions that use
it and the command that sets it. (Synth runs the same check with -c
fnenvCheckSecrets=true.)

The app id and prefix are those the functions were synthesized with (their
records in the assembly) unless --app-id or --prefix is given.`,
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error { return r.check(c.Context(), branch, assembly) },
	}
	c.Flags().StringVar(&branch, "branch", "", "branch to check (default: resolved as for the app)")
	c.Flags().StringVar(&assembly, "assembly", "cdk.out", "the synthesized cloud assembly directory")
	return c
}

func (r *runner) check(ctx context.Context, branch, assembly string) error {
	id, err := r.resolve(branch, true, false)
	if err != nil {
		return err
	}
	recs, err := readRecords(r.path(assembly))
	if err != nil {
		return err
	}
	var synthesized []string
	for _, rec := range recs {
		if !slices.Contains(synthesized, rec.Backend.Branch) {
			synthesized = append(synthesized, rec.Backend.Branch)
		}
	}
	if err := assemblyBranch(assembly, synthesized, id.Branch); err != nil {
		return err
	}
	recs = r.checkedRecords(recs, id)
	uses, fns, err := secretcheck.Collect(recs, id.Branch)
	if err != nil {
		return usage("%v", err)
	}
	if len(uses) == 0 {
		fmt.Fprintf(r.app.Stdout, "ok: the %s in %s %s no secret\n", plural.Count(fns, "function"), assembly, plural.Of(fns, "references", "reference"))
		return nil
	}
	s, err := r.store(ctx)
	if err != nil {
		return err
	}
	res, err := secretcheck.Check(ctx, id.Branch, fns, uses, secretcheck.Lookups(s))
	if err != nil {
		return storeError(err, "")
	}
	if res.OK() {
		fmt.Fprintln(r.app.Stdout, res.Summary())
		return nil
	}
	res.Command = r.app.Name
	fmt.Fprint(r.app.Stdout, res.Report(id.AppID))
	return failed("%s", res.Failure())
}

// checkedRecords gives each record the app id, prefix and paths of
// --app-id, --prefix and --paths when given (else the record's own, else
// the resolved ones).
func (r *runner) checkedRecords(recs []model.Record, id resolvedBackend) []model.Record {
	out := make([]model.Record, len(recs))
	for i, rec := range recs {
		if r.appIDFlag != "" || rec.Backend.AppID == "" {
			rec.Backend.AppID = id.AppID
		}
		if r.prefixFlag != "" || rec.Backend.Prefix == "" {
			rec.Backend.Prefix = id.Prefix
		}
		if r.pathsFlag != "" || rec.Backend.Paths == "" {
			rec.Backend.Paths = id.Paths
		}
		out[i] = rec
	}
	return out
}
