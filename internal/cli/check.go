package cli

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/fnenv/fnenv/identity"
)

// checkParallelism bounds the GetParameters calls in flight.
const checkParallelism = 4

func (r *runner) checkCmd() *cobra.Command {
	var branch, assembly string
	c := &cobra.Command{
		Use:   "check [--branch B] [--assembly cdk.out]",
		Short: "Check that every secret the synthesized app references is set for a branch",
		Long: `Read the synthesized cloud assembly and check that every secret its functions
reference is set on the branch or shared. Exit 0 with a summary; exit 1
listing each missing secret, the functions that use it and the command that
sets it.

The app id and prefix are those the functions were synthesized with (their
records in the assembly) unless --app-id or --prefix is given.`,
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error { return r.check(c.Context(), branch, assembly) },
	}
	c.Flags().StringVar(&branch, "branch", "", "branch to check (default: resolved as for the app)")
	c.Flags().StringVar(&assembly, "assembly", "cdk.out", "the synthesized cloud assembly directory")
	return c
}

// use is one secret as a branch would resolve it, with the functions that
// reference it.
type use struct {
	backend identity.Backend
	secret  string
	fns     map[string]bool // "name (construct path)"
}

func (r *runner) check(ctx context.Context, branch, assembly string) error {
	id, err := r.resolve(branch, true, false)
	if err != nil {
		return err
	}
	dir := r.path(assembly)
	recs, err := readRecords(dir)
	if err != nil {
		return err
	}
	uses := map[string]*use{} // by branch path
	fns := map[string]bool{}
	synthBranches := map[string]bool{}
	for _, rec := range recs {
		b := rec.Backend
		synthBranches[b.Branch] = true
		b.Branch = id.Branch
		if r.appIDFlag != "" || b.AppID == "" {
			b.AppID = id.AppID
		}
		if r.prefixFlag != "" || b.Prefix == "" {
			b.Prefix = id.Prefix
		}
		if err := identity.ValidateBackend(b); err != nil {
			return usage("function %s (%s): %v", rec.Function.Name, rec.Path, err)
		}
		fn := fmt.Sprintf("%s (%s)", rec.Function.Name, rec.Path)
		fns[fn] = true
		for _, s := range rec.Function.Secrets() {
			k := b.BranchPath(s)
			u := uses[k]
			if u == nil {
				u = &use{backend: b, secret: s, fns: map[string]bool{}}
				uses[k] = u
			}
			u.fns[fn] = true
		}
	}
	if len(synthBranches) == 1 && !synthBranches[id.Branch] {
		for b := range synthBranches {
			fmt.Fprintf(r.app.Stderr, "note: the assembly was synthesized for branch %q; checking branch %q\n", b, id.Branch)
		}
	}
	if len(uses) == 0 {
		fmt.Fprintf(r.app.Stdout, "ok: the %d functions in %s reference no secret\n", len(fns), assembly)
		return nil
	}
	client, err := r.app.client(ctx)
	if err != nil {
		return err
	}
	var names []string
	seen := map[string]bool{}
	for _, u := range uses {
		for _, p := range []string{u.backend.BranchPath(u.secret), u.backend.SharedPath(u.secret)} {
			if !seen[p] {
				seen[p] = true
				names = append(names, p)
			}
		}
	}
	sort.Strings(names)
	found, err := r.existing(ctx, client, names)
	if err != nil {
		return err
	}
	keys := make([]string, 0, len(uses))
	for k := range uses {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if uses[keys[i]].secret != uses[keys[j]].secret {
			return uses[keys[i]].secret < uses[keys[j]].secret
		}
		return keys[i] < keys[j]
	})
	var missing []*use
	onBranch, shared := 0, 0
	for _, k := range keys {
		u := uses[k]
		switch {
		case found[u.backend.BranchPath(u.secret)]:
			onBranch++
		case found[u.backend.SharedPath(u.secret)]:
			shared++
		default:
			missing = append(missing, u)
		}
	}
	if len(missing) == 0 {
		fmt.Fprintf(r.app.Stdout, "ok: all %d secrets referenced by %d functions are set for branch %s (%d on the branch, %d shared)\n",
			len(uses), len(fns), id.Branch, onBranch, shared)
		return nil
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "%d of %d secrets referenced by %d functions are not set for branch %s:\n", len(missing), len(uses), len(fns), id.Branch)
	for _, u := range missing {
		users := make([]string, 0, len(u.fns))
		for f := range u.fns {
			users = append(users, f)
		}
		sort.Strings(users)
		app := ""
		if u.backend.AppID != id.AppID {
			app = " --app-id " + shellQuote(u.backend.AppID)
		}
		if u.backend.Prefix != identity.DefaultPrefix && u.backend.Prefix != "" {
			app += " --prefix " + shellQuote(u.backend.Prefix)
		}
		fmt.Fprintf(&sb, "\n  %s — not at %s nor %s\n", u.secret, u.backend.BranchPath(u.secret), u.backend.SharedPath(u.secret))
		fmt.Fprintf(&sb, "    used by %s\n", strings.Join(users, ", "))
		fmt.Fprintf(&sb, "    set it: fnenv secret set %s --branch %s%s\n", u.secret, shellQuote(id.Branch), app)
		fmt.Fprintf(&sb, "    or for every branch: fnenv secret set %s --shared%s\n", u.secret, app)
	}
	fmt.Fprint(r.app.Stdout, sb.String())
	return failed("check failed: %d secrets not set for branch %s", len(missing), id.Branch)
}

// existing asks SSM which of the parameter names exist: GetParameters in
// chunks of MaxNamesPerCall, the chunks in parallel, without decryption.
func (r *runner) existing(ctx context.Context, c SSM, names []string) (map[string]bool, error) {
	found := map[string]bool{}
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(checkParallelism)
	for start := 0; start < len(names); start += MaxNamesPerCall {
		chunk := names[start:min(start+MaxNamesPerCall, len(names))]
		g.Go(func() error {
			out, err := c.GetParameters(gctx, &ssm.GetParametersInput{Names: chunk, WithDecryption: aws.Bool(false)})
			if err != nil {
				return r.app.awsError("GetParameters", strings.Join(chunk, ", "), err)
			}
			mu.Lock()
			defer mu.Unlock()
			for _, p := range out.Parameters {
				found[aws.ToString(p.Name)] = true
			}
			return nil
		})
	}
	return found, g.Wait()
}
