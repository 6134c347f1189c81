package cli

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/fnenv/fnenv/internal/plural"
	"github.com/fnenv/fnenv/internal/ssmstore"
)

func (r *runner) removeCmd() *cobra.Command {
	var branch string
	var shared, all, yes bool
	c := &cobra.Command{
		Use:   "remove (NAME... | --all) [--branch B | --shared] [--yes]",
		Short: "Remove secrets from the branch, or with --shared the shared ones",
		Long: `Remove the named secrets from the branch (or with --shared the shared ones);
--all removes every secret of the branch (or with --shared every shared one),
never both. Asks for confirmation on a terminal; without a terminal it needs
--yes. Reports what it removed and what was not found (exit 1).`,
		Args: func(c *cobra.Command, args []string) error {
			if all && len(args) > 0 {
				return usage("--all takes no NAME: give names or --all, not both")
			}
			if !all && len(args) == 0 {
				return usage("%s needs a secret NAME or --all", commandPath(c))
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			return r.remove(c.Context(), args, branch, shared, all, yes)
		},
	}
	c.Flags().StringVar(&branch, "branch", "", "branch to remove from (default: resolved as for the app)")
	c.Flags().BoolVar(&shared, "shared", false, "remove shared secrets instead of the branch's")
	c.Flags().BoolVar(&all, "all", false, "remove every secret of the branch (or with --shared every shared one)")
	c.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation")
	return c
}

func (r *runner) remove(ctx context.Context, names []string, branch string, shared, all, yes bool) error {
	if err := exclusive(branch, shared); err != nil {
		return err
	}
	id, err := r.resolve(branch, !shared, true)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	var uniq []string
	for _, n := range names {
		if err := checkName(id.Backend, n, shared); err != nil {
			return err
		}
		if !seen[n] {
			seen[n] = true
			uniq = append(uniq, n)
		}
	}
	names = uniq
	if !yes && !r.app.isTerminal() {
		return usage("refusing to remove secrets without confirmation: standard input is not a terminal; pass --yes")
	}
	s, err := r.store(ctx)
	if err != nil {
		return err
	}
	prefix := id.BranchPrefix()
	if shared {
		prefix = id.SharedPrefix()
	}
	at := where(id.Backend, shared)
	if all {
		ps, err := s.List(ctx, prefix, false)
		if err != nil {
			return storeError(err, "nothing was removed")
		}
		names = secretNames(ps, prefix)
		if len(names) == 0 {
			if hint := r.unknownAppHint(ctx, s, id); hint != "" {
				return failed("no secrets on %s%s", at, hint)
			}
			fmt.Fprintf(r.app.Stdout, "no secrets on %s: nothing removed\n", at)
			return nil
		}
	}
	if !yes {
		what := fmt.Sprintf("%d secrets (%s)", len(names), strings.Join(names, ", "))
		if len(names) == 1 {
			what = "secret " + names[0]
		}
		if err := r.app.confirm(ctx, fmt.Sprintf("Remove %s from %s? [y/N] ", what, at), "nothing removed"); err != nil {
			return err
		}
	}
	paths := make([]string, len(names))
	for i, n := range names {
		paths[i] = prefix + n
	}
	deleted, missing, err := s.Delete(ctx, paths)
	removed, notFound := trimAll(deleted, prefix), trimAll(missing, prefix)
	r.reportRemoved(at, removed, notFound)
	if err != nil {
		var inDoubt []string
		var se *ssmstore.Error
		if errors.As(err, &se) && se.Unanswered {
			inDoubt = trimAll(se.Names, prefix)
		}
		doubt := ""
		if len(inDoubt) > 0 {
			doubt = fmt.Sprintf("; may or may not have been removed (SSM's answer was lost; %s shows them): %s", r.again("secret list", id.Backend, shared), strings.Join(inDoubt, ", "))
		}
		return storeError(err, fmt.Sprintf("removed %d of %d before it (listed above)%s; not removed: %s", len(removed), len(names), doubt, none(notDone(names, removed, notFound, inDoubt))))
	}
	if len(notFound) > 0 {
		return failed("%d of %s %s not found on %s: %s", len(notFound), plural.Count(len(names), "secret"), plural.Of(len(notFound), "was", "were"), at, strings.Join(notFound, ", "))
	}
	return nil
}

// confirm asks prompt on the terminal and returns nil on "y" or "yes",
// else an error (exit 1) ending with nothing, what was (not) done.
func (a *App) confirm(ctx context.Context, prompt, nothing string) error {
	answer, err := a.Term.ReadLine(ctx, prompt)
	if ctx.Err() != nil {
		return interrupted(nothing)
	}
	if err != nil {
		return failed("reading the confirmation: %v (%s)", err, nothing)
	}
	if ans := strings.ToLower(strings.TrimSpace(answer)); ans != "y" && ans != "yes" {
		return failed("not confirmed: %s", nothing)
	}
	return nil
}

func (r *runner) reportRemoved(at string, removed, missing []string) {
	if len(removed) > 0 {
		fmt.Fprintf(r.app.Stdout, "removed %d from %s: %s\n", len(removed), at, strings.Join(removed, ", "))
	}
	if len(missing) > 0 {
		fmt.Fprintf(r.app.Stdout, "not found on %s: %s\n", at, strings.Join(missing, ", "))
	}
}

// trimAll returns the names without prefix, sorted.
func trimAll(paths []string, prefix string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = strings.TrimPrefix(p, prefix)
	}
	sort.Strings(out)
	return out
}

// notDone are the names in neither done list, in order.
func notDone(names []string, done ...[]string) []string {
	seen := map[string]bool{}
	for _, d := range done {
		for _, n := range d {
			seen[n] = true
		}
	}
	var out []string
	for _, n := range names {
		if !seen[n] {
			out = append(out, n)
		}
	}
	return out
}
