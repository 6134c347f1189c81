package cli

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/fnenv/fnenv/internal/plural"
	"github.com/fnenv/fnenv/internal/ssmstore"
	"github.com/fnenv/fnenv/model"
)

func (r *runner) diffCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "diff BRANCH_A BRANCH_B",
		Short: "Compare the secrets of two branches without showing a value",
		Long: `Compare the secrets of two branches, name by name: set on A only, on B only,
on neither (shared: both read the shared value), equal or different. Values
are compared by their SHA-256 digests, computed in memory as SSM's pages
arrive; no value or digest is printed. A name set on one branch only says
whether the other branch's fallback, the shared value, equals it.
Exit 0 whatever the differences; 1 when SSM cannot be read.`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) != 2 {
				return usage("%s takes two branches, BRANCH_A and BRANCH_B, got %s", commandPath(c), plural.Count(len(args), "argument"))
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error { return r.diff(c.Context(), args[0], args[1]) },
	}
}

// diffRow is one name of `secret diff`.
type diffRow struct{ name, status string }

func (r *runner) diff(ctx context.Context, a, b string) error {
	ida, err := r.resolve(a, true, true)
	if err != nil {
		return err
	}
	idb := ida
	idb.Branch = b
	if err := model.ValidateBackend(idb.Backend); err != nil {
		return usage("BRANCH_B: %v", err)
	}
	if ida.BranchPrefix() == idb.BranchPrefix() {
		return usage("%q and %q are the same branch path %s: give two branches", a, b, ida.BranchPrefix())
	}
	s, err := r.store(ctx)
	if err != nil {
		return err
	}
	var ds [3]map[string]ssmstore.Digest
	for i, prefix := range []string{ida.BranchPrefix(), idb.BranchPrefix(), ida.SharedPrefix()} {
		digests, err := s.Digests(ctx, prefix)
		if err != nil {
			return storeError(err, "")
		}
		ds[i] = map[string]ssmstore.Digest{}
		for p, d := range digests {
			ds[i][strings.TrimPrefix(p, prefix)] = d
		}
	}
	onA, onB, shared := ds[0], ds[1], ds[2]
	names := map[string]bool{}
	for _, m := range ds {
		for n := range m {
			names[n] = true
		}
	}
	if len(names) == 0 {
		if hint := r.unknownAppHint(ctx, s, ida); hint != "" {
			return failed("no secrets on branch %s, branch %s or shared%s", a, b, hint)
		}
	}
	// fallback says what the branch without name reads instead.
	fallback := func(branch string, d ssmstore.Digest, n string) string {
		sd, ok := shared[n]
		switch {
		case !ok:
			return branch + " has none"
		case sd == d:
			return branch + " reads the shared value, which is equal"
		}
		return branch + " reads the shared value, which is different"
	}
	var rows []diffRow
	count := map[string]int{}
	for n := range names {
		da, inA := onA[n]
		db, inB := onB[n]
		var st, kind string
		switch {
		case inA && inB && da == db:
			st, kind = "equal", "equal"
		case inA && inB:
			st, kind = "different", "different"
		case inA:
			st, kind = "only on "+a+" ("+fallback(b, da, n)+")", "only on "+a
		case inB:
			st, kind = "only on "+b+" ("+fallback(a, db, n)+")", "only on "+b
		default:
			st, kind = "shared (set on neither branch; both read the shared value)", "shared only"
		}
		count[kind]++
		rows = append(rows, diffRow{n, st})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].name < rows[j].name })
	w := r.app.Stdout
	fmt.Fprintf(w, "secrets of app %s: branch %s (%s) and branch %s (%s)\n", ida.AppID, a, ida.BranchPrefix(), b, idb.BranchPrefix())
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSTATUS")
	for _, row := range rows {
		fmt.Fprintf(tw, "%s\t%s\n", row.name, row.status)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var parts []string
	for _, k := range []string{"equal", "different", "only on " + a, "only on " + b, "shared only"} {
		parts = append(parts, fmt.Sprintf("%d %s", count[k], k))
	}
	fmt.Fprintln(w, strings.Join(parts, ", "))
	return nil
}
