package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/spf13/cobra"

	"github.com/fnenv/fnenv/identity"
)

// MaxValueBytes is SSM's limit on a standard parameter's value: 4 KB.
const MaxValueBytes = 4096

// MaxNamesPerCall is SSM's limit on the names of one GetParameters or
// DeleteParameters call: 10.
const MaxNamesPerCall = 10

func (r *runner) setCmd() *cobra.Command {
	var branch, kmsKey string
	var shared bool
	c := &cobra.Command{
		Use:   "set NAME [--branch B | --shared] [--kms-key K]",
		Short: "Set a secret as a SecureString, from a hidden prompt or standard input",
		Long: `Set a secret on the branch (or, with --shared, for every branch) as an SSM
SecureString parameter, replacing any earlier value.

On a terminal the value is asked twice without echo; otherwise it is read from
standard input, without one trailing newline. The value is never printed.`,
		Example: `  fnenv secret set STRIPE_KEY --branch main
  printf %s "$KEY" | fnenv secret set STRIPE_KEY --shared`,
		Args: oneName,
		RunE: func(c *cobra.Command, args []string) error {
			return r.set(c.Context(), args[0], branch, shared, kmsKey)
		},
	}
	c.Flags().StringVar(&branch, "branch", "", "branch to set it on (default: resolved as for the app)")
	c.Flags().BoolVar(&shared, "shared", false, "set the shared secret every branch falls back to")
	c.Flags().StringVar(&kmsKey, "kms-key", "", "KMS key id, ARN or alias that encrypts the value (default: the account's aws/ssm key)")
	return c
}

func (r *runner) set(ctx context.Context, name, branch string, shared bool, kmsKey string) error {
	// The client first: no one should type a secret to learn afterwards that
	// there are no credentials.
	id, client, err := r.secretTarget(ctx, name, branch, shared)
	if err != nil {
		return err
	}
	path := id.BranchPath(name)
	if shared {
		path = id.SharedPath(name)
	}
	value, err := r.readValue(name, where(id.Backend, shared))
	if err != nil {
		return err
	}
	in := &ssm.PutParameterInput{
		Name:      aws.String(path),
		Value:     aws.String(value),
		Type:      types.ParameterTypeSecureString,
		Overwrite: aws.Bool(true),
	}
	if kmsKey != "" {
		in.KeyId = aws.String(kmsKey)
	}
	out, err := client.PutParameter(ctx, in)
	if err != nil {
		return r.app.awsError("PutParameter", path, err)
	}
	at := "branch " + id.Branch
	if shared {
		at = "shared"
	}
	fmt.Fprintf(r.app.Stdout, "set %s on %s: %s, version %d\n", name, at, path, out.Version)
	return nil
}

// secretTarget checks the flags and the name of one secret and returns the
// backend resolvedBackend and an SSM client for it.
func (r *runner) secretTarget(ctx context.Context, name, branch string, shared bool) (resolvedBackend, SSM, error) {
	if err := exclusive(branch, shared); err != nil {
		return resolvedBackend{}, nil, err
	}
	id, err := r.resolve(branch, !shared, true)
	if err != nil {
		return resolvedBackend{}, nil, err
	}
	if err := checkName(id.Backend, name, shared); err != nil {
		return resolvedBackend{}, nil, err
	}
	client, err := r.app.client(ctx)
	if err != nil {
		return resolvedBackend{}, nil, err
	}
	return id, client, nil
}

// readValue reads a secret's value: twice without echo on a terminal, else
// all of standard input without one trailing "\n" or "\r\n".
func (r *runner) readValue(name, at string) (string, error) {
	var v string
	if r.app.isTerminal() {
		first, err := r.app.Term.ReadPassword(fmt.Sprintf("Value of %s on %s: ", name, at))
		if err != nil {
			return "", failed("reading the value from the terminal: %v", err)
		}
		if first == "" {
			return "", usage("the value of %s is empty: a secret needs a value; nothing was written", name)
		}
		again, err := r.app.Term.ReadPassword("Again, to confirm: ")
		if err != nil {
			return "", failed("reading the value from the terminal: %v", err)
		}
		if again != first {
			return "", usage("the two values typed for %s differ; nothing was written", name)
		}
		v = first
	} else {
		b, err := io.ReadAll(io.LimitReader(r.app.Stdin, 1<<20))
		if err != nil {
			return "", failed("reading the value from standard input: %v", err)
		}
		v = string(b)
		if s, ok := strings.CutSuffix(v, "\r\n"); ok {
			v = s
		} else {
			v = strings.TrimSuffix(v, "\n")
		}
		if v == "" {
			return "", usage("the value of %s read from standard input is empty: pipe the value in (printf %%s \"$VALUE\" | fnenv secret set %s …) or run on a terminal; nothing was written", name, name)
		}
	}
	if len(v) > MaxValueBytes {
		return "", usage("the value of %s is %d bytes; an SSM standard parameter holds %d (4 KB); nothing was written", name, len(v), MaxValueBytes)
	}
	return v, nil
}

func (r *runner) getCmd() *cobra.Command {
	var branch string
	var shared, reveal bool
	c := &cobra.Command{
		Use:   "get NAME [--branch B | --shared] [--reveal]",
		Short: "Show a secret: its path, version and last change; the value only with --reveal",
		Long: `Show a secret: the branch's if it is set there, else the shared one (or only
the shared one with --shared), saying which. The value is printed only with
--reveal.`,
		Args: oneName,
		RunE: func(c *cobra.Command, args []string) error {
			return r.get(c.Context(), args[0], branch, shared, reveal)
		},
	}
	c.Flags().StringVar(&branch, "branch", "", "branch to read (default: resolved as for the app)")
	c.Flags().BoolVar(&shared, "shared", false, "read the shared secret only")
	c.Flags().BoolVar(&reveal, "reveal", false, "print the decrypted value")
	return c
}

func (r *runner) get(ctx context.Context, name, branch string, shared, reveal bool) error {
	id, client, err := r.secretTarget(ctx, name, branch, shared)
	if err != nil {
		return err
	}
	type try struct {
		path, source string
	}
	tries := []try{{id.SharedPath(name), "shared"}}
	if !shared {
		tries = append([]try{{id.BranchPath(name), "branch " + id.Branch}}, tries...)
	}
	for i, t := range tries {
		out, err := client.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(t.path), WithDecryption: aws.Bool(reveal)})
		var nf *types.ParameterNotFound
		if errors.As(err, &nf) {
			continue
		}
		if err != nil {
			return r.app.awsError("GetParameter", t.path, err)
		}
		p := out.Parameter
		source := t.source
		if i > 0 {
			source += " (not set on branch " + id.Branch + ")"
		}
		tw := tabwriter.NewWriter(r.app.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintf(tw, "name:\t%s\n", name)
		fmt.Fprintf(tw, "path:\t%s\n", aws.ToString(p.Name))
		fmt.Fprintf(tw, "source:\t%s\n", source)
		fmt.Fprintf(tw, "type:\t%s\n", p.Type)
		fmt.Fprintf(tw, "version:\t%d\n", p.Version)
		fmt.Fprintf(tw, "last modified:\t%s\n", formatTime(p.LastModifiedDate))
		if reveal {
			fmt.Fprintf(tw, "value:\t%s\n", aws.ToString(p.Value))
		} else {
			fmt.Fprintf(tw, "value:\t(hidden; --reveal prints it)\n")
		}
		return tw.Flush()
	}
	paths := make([]string, len(tries))
	for i, t := range tries {
		paths[i] = t.path
	}
	fix := fmt.Sprintf("fnenv secret set %s --branch %s", name, shellQuote(id.Branch))
	if shared {
		fix = fmt.Sprintf("fnenv secret set %s --shared", name)
	}
	return failed("secret %s is not set: no parameter %s; set it with %s%s", name, strings.Join(paths, " nor "), fix, r.unknownAppHint(ctx, client, id))
}

func formatTime(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// unknownAppHint returns, when nothing at all is stored for the app id, a
// sentence saying the app id may be wrong; "" otherwise or when it cannot
// tell.
func (r *runner) unknownAppHint(ctx context.Context, c SSM, id resolvedBackend) string {
	for _, p := range []struct {
		path      string
		recursive bool
	}{{appPrefix(id.Backend), true}, {id.SharedPrefix(), false}} {
		pg := ssm.NewGetParametersByPathPaginator(c, &ssm.GetParametersByPathInput{
			Path: aws.String(p.path), Recursive: aws.Bool(p.recursive), MaxResults: aws.Int32(1),
		})
		// SSM may return empty pages with a next token; a few pages suffice.
		for i := 0; i < 5 && pg.HasMorePages(); i++ {
			out, err := pg.NextPage(ctx)
			if err != nil || len(out.Parameters) > 0 {
				return ""
			}
		}
	}
	return fmt.Sprintf(".\nNothing at all is stored under %s or %s: the app id %q (from %s) may be wrong", appPrefix(id.Backend), id.SharedPrefix(), id.AppID, id.appIDSource)
}

// listPath returns every parameter directly under path (not recursive),
// every page, sorted by name.
func (r *runner) listPath(ctx context.Context, c SSM, path string, decrypt bool) ([]types.Parameter, error) {
	pg := ssm.NewGetParametersByPathPaginator(c, &ssm.GetParametersByPathInput{
		Path: aws.String(path), Recursive: aws.Bool(false), WithDecryption: aws.Bool(decrypt),
		MaxResults: aws.Int32(10), // SSM's maximum for GetParametersByPath
	})
	var out []types.Parameter
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err != nil {
			return nil, r.app.awsError("GetParametersByPath", path, err)
		}
		out = append(out, page.Parameters...)
	}
	sort.Slice(out, func(i, j int) bool { return aws.ToString(out[i].Name) < aws.ToString(out[j].Name) })
	return out, nil
}

func (r *runner) listCmd() *cobra.Command {
	var branch string
	var shared bool
	c := &cobra.Command{
		Use:   "list [--branch B | --shared]",
		Short: "List the branch's and the shared secrets, with their source",
		Long: `List the branch's and the shared secrets in one table: name, source (branch,
shared, and whether the branch overrides a shared one), version and last
change. Values are never printed. With --shared, only the shared secrets.`,
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error { return r.list(c.Context(), branch, shared) },
	}
	c.Flags().StringVar(&branch, "branch", "", "branch to list (default: resolved as for the app)")
	c.Flags().BoolVar(&shared, "shared", false, "list only the shared secrets")
	return c
}

func (r *runner) list(ctx context.Context, branch string, sharedOnly bool) error {
	if err := exclusive(branch, sharedOnly); err != nil {
		return err
	}
	id, err := r.resolve(branch, !sharedOnly, true)
	if err != nil {
		return err
	}
	client, err := r.app.client(ctx)
	if err != nil {
		return err
	}
	var onBranch []types.Parameter
	if !sharedOnly {
		if onBranch, err = r.listPath(ctx, client, id.BranchPrefix(), false); err != nil {
			return err
		}
	}
	shared, err := r.listPath(ctx, client, id.SharedPrefix(), false)
	if err != nil {
		return err
	}
	if len(onBranch)+len(shared) == 0 {
		if hint := r.unknownAppHint(ctx, client, id); hint != "" {
			return failed("no secrets on %s%s", r.listScope(id, sharedOnly), hint)
		}
		fmt.Fprintf(r.app.Stdout, "no secrets on %s\n", r.listScope(id, sharedOnly))
		return nil
	}
	type row struct {
		name, source string
		p            types.Parameter
		branch       bool
	}
	inBranch, inShared := map[string]bool{}, map[string]bool{}
	for _, p := range onBranch {
		inBranch[strings.TrimPrefix(aws.ToString(p.Name), id.BranchPrefix())] = true
	}
	for _, p := range shared {
		inShared[strings.TrimPrefix(aws.ToString(p.Name), id.SharedPrefix())] = true
	}
	var rows []row
	overrides := 0
	for _, p := range onBranch {
		n := strings.TrimPrefix(aws.ToString(p.Name), id.BranchPrefix())
		src := "branch"
		if inShared[n] {
			src, overrides = "branch (overrides shared)", overrides+1
		}
		rows = append(rows, row{n, src, p, true})
	}
	for _, p := range shared {
		n := strings.TrimPrefix(aws.ToString(p.Name), id.SharedPrefix())
		src := "shared"
		if inBranch[n] {
			src = "shared (overridden on branch)"
		}
		rows = append(rows, row{n, src, p, false})
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].name != rows[j].name {
			return rows[i].name < rows[j].name
		}
		return rows[i].branch && !rows[j].branch
	})
	fmt.Fprintf(r.app.Stdout, "secrets of app %s on %s\n", id.AppID, r.listScope(id, sharedOnly))
	tw := tabwriter.NewWriter(r.app.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSOURCE\tVERSION\tLAST MODIFIED")
	for _, rw := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", rw.name, rw.source, rw.p.Version, formatTime(rw.p.LastModifiedDate))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if sharedOnly {
		fmt.Fprintf(r.app.Stdout, "%d shared\n", len(shared))
	} else {
		fmt.Fprintf(r.app.Stdout, "%d on branch %s, %d shared, %d shared overridden by the branch\n", len(onBranch), id.Branch, len(shared), overrides)
	}
	return nil
}

func (r *runner) listScope(id resolvedBackend, sharedOnly bool) string {
	if sharedOnly {
		return where(id.Backend, true)
	}
	return where(id.Backend, false) + " or " + where(id.Backend, true)
}

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
				return usage("%s needs a secret NAME or --all", c.CommandPath())
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
	client, err := r.app.client(ctx)
	if err != nil {
		return err
	}
	prefix := id.BranchPrefix()
	if shared {
		prefix = id.SharedPrefix()
	}
	at := where(id.Backend, shared)
	if all {
		ps, err := r.listPath(ctx, client, prefix, false)
		if err != nil {
			return err
		}
		for _, p := range ps {
			names = append(names, strings.TrimPrefix(aws.ToString(p.Name), prefix))
		}
		if len(names) == 0 {
			if hint := r.unknownAppHint(ctx, client, id); hint != "" {
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
		answer, err := r.app.Term.ReadLine(fmt.Sprintf("Remove %s from %s? [y/N] ", what, at))
		if err != nil {
			return failed("reading the confirmation: %v", err)
		}
		if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
			return failed("not confirmed: nothing removed")
		}
	}
	var removed, missing []string
	for start := 0; start < len(names); start += MaxNamesPerCall {
		chunk := names[start:min(start+MaxNamesPerCall, len(names))]
		paths := make([]string, len(chunk))
		for i, n := range chunk {
			paths[i] = prefix + n
		}
		out, err := client.DeleteParameters(ctx, &ssm.DeleteParametersInput{Names: paths})
		if err != nil {
			r.reportRemoved(at, removed, missing)
			return r.app.awsError("DeleteParameters", strings.Join(paths, ", "), err)
		}
		for _, p := range out.DeletedParameters {
			removed = append(removed, strings.TrimPrefix(p, prefix))
		}
		for _, p := range out.InvalidParameters {
			missing = append(missing, strings.TrimPrefix(p, prefix))
		}
	}
	r.reportRemoved(at, removed, missing)
	if len(missing) > 0 {
		return failed("%d of %d secrets were not found on %s: %s", len(missing), len(names), at, strings.Join(missing, ", "))
	}
	return nil
}

func (r *runner) reportRemoved(at string, removed, missing []string) {
	sort.Strings(removed)
	sort.Strings(missing)
	if len(removed) > 0 {
		fmt.Fprintf(r.app.Stdout, "removed %d from %s: %s\n", len(removed), at, strings.Join(removed, ", "))
	}
	if len(missing) > 0 {
		fmt.Fprintf(r.app.Stdout, "not found on %s: %s\n", at, strings.Join(missing, ", "))
	}
}

func (r *runner) copyCmd() *cobra.Command {
	var from, to, kmsKey string
	var overwrite bool
	c := &cobra.Command{
		Use:   "copy --from-branch A --to-branch B [--overwrite] [--kms-key K]",
		Short: "Copy every secret of one branch to another",
		Long: `Copy every secret of branch A to branch B as SecureStrings, skipping the
names already set on B unless --overwrite. Shared secrets need no copy.
Values are never printed.`,
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error { return r.copy(c.Context(), from, to, overwrite, kmsKey) },
	}
	c.Flags().StringVar(&from, "from-branch", "", "branch to copy from (required)")
	c.Flags().StringVar(&to, "to-branch", "", "branch to copy to (required)")
	c.Flags().BoolVar(&overwrite, "overwrite", false, "replace the secrets already set on the target branch")
	c.Flags().StringVar(&kmsKey, "kms-key", "", "KMS key that encrypts the copies (default: the account's aws/ssm key)")
	return c
}

func (r *runner) copy(ctx context.Context, from, to string, overwrite bool, kmsKey string) error {
	if from == "" || to == "" {
		return usage("copy needs both --from-branch and --to-branch")
	}
	src, err := r.resolve(from, true, true)
	if err != nil {
		return err
	}
	dst := src
	dst.Branch = to
	if err := identity.ValidateBackend(dst.Backend); err != nil {
		return usage("--to-branch: %v", err)
	}
	if src.BranchPrefix() == dst.BranchPrefix() {
		return usage("--from-branch %q and --to-branch %q are the same path %s", from, to, src.BranchPrefix())
	}
	client, err := r.app.client(ctx)
	if err != nil {
		return err
	}
	values, err := r.listPath(ctx, client, src.BranchPrefix(), true)
	if err != nil {
		return err
	}
	if len(values) == 0 {
		return failed("branch %s has no secrets under %s: nothing to copy%s", from, src.BranchPrefix(), r.unknownAppHint(ctx, client, src))
	}
	existing, err := r.listPath(ctx, client, dst.BranchPrefix(), false)
	if err != nil {
		return err
	}
	onDst := map[string]bool{}
	for _, p := range existing {
		onDst[strings.TrimPrefix(aws.ToString(p.Name), dst.BranchPrefix())] = true
	}
	var copied, overwritten, skipped []string
	report := func() {
		fmt.Fprintf(r.app.Stdout, "copied %d secrets from branch %s to branch %s (%s): %d new, %d overwritten, %d skipped\n",
			len(copied)+len(overwritten), from, to, dst.BranchPrefix(), len(copied), len(overwritten), len(skipped))
		if len(skipped) > 0 {
			fmt.Fprintf(r.app.Stdout, "skipped, already set on branch %s (--overwrite replaces them): %s\n", to, strings.Join(skipped, ", "))
		}
	}
	for _, p := range values {
		n := strings.TrimPrefix(aws.ToString(p.Name), src.BranchPrefix())
		if onDst[n] && !overwrite {
			skipped = append(skipped, n)
			continue
		}
		in := &ssm.PutParameterInput{
			Name:      aws.String(dst.BranchPath(n)),
			Value:     p.Value,
			Type:      types.ParameterTypeSecureString,
			Overwrite: aws.Bool(true),
		}
		if kmsKey != "" {
			in.KeyId = aws.String(kmsKey)
		}
		if _, err := client.PutParameter(ctx, in); err != nil {
			report()
			return r.app.awsError("PutParameter", dst.BranchPath(n), err)
		}
		if onDst[n] {
			overwritten = append(overwritten, n)
		} else {
			copied = append(copied, n)
		}
	}
	report()
	return nil
}
