package cli

import (
	"context"
	"fmt"
	"sort"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/fnenv/fnenv/internal/ssmstore"
)

func (r *runner) listCmd() *cobra.Command {
	var branch, assembly string
	var shared bool
	c := &cobra.Command{
		Use:   "list [--branch B | --shared] [--assembly cdk.out]",
		Short: "List the branch's and the shared secrets, with their source",
		Long: `List the branch's and the shared secrets in one table: name, source (branch,
shared, and whether the branch overrides a shared one), version and last
change. Values are never printed. With --shared, only the shared secrets.

Then, when the synthesized cloud assembly (--assembly) is there, the AWS
Secrets Manager secrets its functions read on the branch, as a second
source: name, secret id, JSON fields and functions (from the assembly
alone; ` + "`fnenv secret check`" + ` verifies they exist).`,
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error { return r.list(c.Context(), branch, shared, assembly) },
	}
	c.Flags().StringVar(&branch, "branch", "", "branch to list (default: resolved as for the app)")
	c.Flags().BoolVar(&shared, "shared", false, "list only the shared secrets")
	c.Flags().StringVar(&assembly, "assembly", "cdk.out", "the synthesized cloud assembly, for its Secrets Manager references")
	return c
}

func (r *runner) list(ctx context.Context, branch string, sharedOnly bool, assembly string) error {
	if err := exclusive(branch, sharedOnly); err != nil {
		return err
	}
	id, err := r.resolve(branch, !sharedOnly, true)
	if err != nil {
		return err
	}
	s, err := r.store(ctx)
	if err != nil {
		return err
	}
	var onBranch []ssmstore.Parameter
	if !sharedOnly {
		if onBranch, err = s.List(ctx, id.BranchPrefix(), false); err != nil {
			return storeError(err, "")
		}
	}
	shared, err := s.List(ctx, id.SharedPrefix(), false)
	if err != nil {
		return storeError(err, "")
	}
	if len(onBranch)+len(shared) == 0 {
		if hint := r.unknownAppHint(ctx, s, id); hint != "" {
			return failed("no secrets on %s%s", r.listScope(id, sharedOnly), hint)
		}
		fmt.Fprintf(r.app.Stdout, "no secrets on %s\n", r.listScope(id, sharedOnly))
		if !sharedOnly {
			return listSecretsManager(r.app.Stdout, r.path(assembly), assembly, id.Branch)
		}
		return nil
	}
	rows, overrides := listRows(secretNames(onBranch, id.BranchPrefix()), onBranch, secretNames(shared, id.SharedPrefix()), shared)
	fmt.Fprintf(r.app.Stdout, "secrets of app %s on %s\n", id.AppID, r.listScope(id, sharedOnly))
	tw := tabwriter.NewWriter(r.app.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSOURCE\tVERSION\tLAST MODIFIED")
	for _, rw := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", rw.name, rw.source, rw.p.Version, formatTime(rw.p.LastModified))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if sharedOnly {
		fmt.Fprintf(r.app.Stdout, "%d shared\n", len(shared))
		return nil
	}
	fmt.Fprintf(r.app.Stdout, "%d on branch %s, %d shared, %d shared overridden by the branch\n", len(onBranch), id.Branch, len(shared), overrides)
	return listSecretsManager(r.app.Stdout, r.path(assembly), assembly, id.Branch)
}

// listRow is one line of `secret list`.
type listRow struct {
	name, source string
	p            ssmstore.Parameter
	branch       bool
}

// listRows merges the branch's and the shared parameters (with their
// secret names) into rows sorted by name, the branch's first, and counts
// the shared secrets the branch overrides.
func listRows(branchNames []string, onBranch []ssmstore.Parameter, sharedNames []string, shared []ssmstore.Parameter) ([]listRow, int) {
	inBranch, inShared := map[string]bool{}, map[string]bool{}
	for _, n := range branchNames {
		inBranch[n] = true
	}
	for _, n := range sharedNames {
		inShared[n] = true
	}
	var rows []listRow
	overrides := 0
	for i, p := range onBranch {
		src := "branch"
		if inShared[branchNames[i]] {
			src, overrides = "branch (overrides shared)", overrides+1
		}
		rows = append(rows, listRow{branchNames[i], src, p, true})
	}
	for i, p := range shared {
		src := "shared"
		if inBranch[sharedNames[i]] {
			src = "shared (overridden on branch)"
		}
		rows = append(rows, listRow{sharedNames[i], src, p, false})
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].name != rows[j].name {
			return rows[i].name < rows[j].name
		}
		return rows[i].branch && !rows[j].branch
	})
	return rows, overrides
}

func (r *runner) listScope(id resolvedBackend, sharedOnly bool) string {
	if sharedOnly {
		return where(id.Backend, true)
	}
	return where(id.Backend, false) + " or " + where(id.Backend, true)
}
