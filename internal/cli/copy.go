package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/spf13/cobra"

	"github.com/fnenv/fnenv/internal/plural"
	"github.com/fnenv/fnenv/internal/ssmstore"
	"github.com/fnenv/fnenv/model"
)

// defaultKey is the KMS key SSM uses for a SecureString given none.
const defaultKey = "alias/aws/ssm"

func (r *runner) copyCmd() *cobra.Command {
	var from, fromPath, to, kmsKey string
	var overwrite bool
	c := &cobra.Command{
		Use:   "copy --from-branch A | --from-path P --to-branch B [--overwrite] [--kms-key K]",
		Short: "Copy every secret of one branch to another",
		Long: `Copy every secret of branch A to branch B as SecureStrings, each with its tier
(Standard or Advanced) and KMS key. A name already set on B is skipped — also
one a teammate sets during the copy: the writes are conditional — unless
--overwrite. Shared secrets need no copy. Values are never printed.

--from-path copies every parameter directly under a path instead, e.g. where
an older fnenv kept a branch's secrets (/amplify/<appId>/feature-login/), or
the same branch in the other layout of paths (--paths).`,
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return r.copy(c.Context(), from, fromPath, to, overwrite, kmsKey)
		},
	}
	c.Flags().StringVar(&from, "from-branch", "", "branch to copy from")
	c.Flags().StringVar(&fromPath, "from-path", "", "parameter path to copy from instead of a branch, e.g. /amplify/my-app/feature-login/")
	c.Flags().StringVar(&to, "to-branch", "", "branch to copy to (required)")
	c.Flags().BoolVar(&overwrite, "overwrite", false, "replace the secrets already set on the target branch")
	c.Flags().StringVar(&kmsKey, "kms-key", "", "KMS key that encrypts the copies (default: each source secret's key)")
	return c
}

// copyReport is what a copy did, name by name.
type copyReport struct {
	from, to, path              string
	list                        string // the command that lists the target branch
	added, overwritten, skipped []string
	// unknown: written, but the answer was lost, so whether SSM took the
	// write is unknown.
	unknown []string
}

func (c *copyReport) String() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "copied %s from %s to branch %s (%s): %d new, %d overwritten, %d skipped\n",
		plural.Count(len(c.added)+len(c.overwritten), "secret"), c.from, c.to, c.path, len(c.added), len(c.overwritten), len(c.skipped))
	if len(c.skipped) > 0 {
		fmt.Fprintf(&sb, "skipped, already set on branch %s (--overwrite replaces them): %s\n", c.to, strings.Join(c.skipped, ", "))
	}
	if len(c.unknown) > 0 {
		fmt.Fprintf(&sb, "may or may not have been written (SSM's answer was lost; %s shows them): %s\n", c.list, strings.Join(c.unknown, ", "))
	}
	return sb.String()
}

func (r *runner) copy(ctx context.Context, from, fromPath, to string, overwrite bool, kmsKey string) error {
	if (from == "") == (fromPath == "") || to == "" {
		return usage("copy needs --to-branch and one of --from-branch or --from-path")
	}
	var src resolvedBackend
	var err error
	var srcPrefix, srcLabel string
	if fromPath != "" {
		if srcPrefix, err = sourcePath(fromPath); err != nil {
			return err
		}
		srcLabel = "path " + srcPrefix
		src, err = r.resolve(to, true, true)
	} else {
		src, err = r.resolve(from, true, true)
		srcPrefix, srcLabel = src.BranchPrefix(), "branch "+from
	}
	if err != nil {
		return err
	}
	dst := src
	dst.Branch = to
	if err := model.ValidateBackend(dst.Backend); err != nil {
		return usage("--to-branch: %v", err)
	}
	if srcPrefix == dst.BranchPrefix() {
		return usage("the source (%s) and --to-branch %q are the same path %s", srcLabel, to, srcPrefix)
	}
	if err := model.ValidateParameterName(dst.BranchPath("NAME")); err != nil {
		return usage("--to-branch: %v", err)
	}
	s, err := r.store(ctx)
	if err != nil {
		return err
	}
	values, err := s.List(ctx, srcPrefix, true)
	if err != nil {
		return storeError(err, "nothing was copied")
	}
	if len(values) == 0 {
		hint := ""
		if fromPath == "" {
			hint = r.unknownAppHint(ctx, s, src)
		}
		return failed("%s has no secrets under %s: nothing to copy%s", srcLabel, srcPrefix, hint)
	}
	meta, err := s.Describe(ctx, srcPrefix)
	if err != nil {
		return storeError(err, "nothing was copied")
	}
	tier, key := map[string]types.ParameterTier{}, map[string]string{}
	for _, m := range meta {
		tier[m.Name], key[m.Name] = m.Tier, m.KeyID
	}
	existing, err := s.List(ctx, dst.BranchPrefix(), false)
	if err != nil {
		return storeError(err, "nothing was copied")
	}
	onDst := map[string]bool{}
	for _, n := range secretNames(existing, dst.BranchPrefix()) {
		onDst[n] = true
	}
	rep := &copyReport{from: srcLabel, to: to, path: dst.BranchPrefix(), list: r.again("secret list", dst.Backend, false)}
	names := secretNames(values, srcPrefix)
	for i, p := range values {
		n := names[i]
		if onDst[n] && !overwrite {
			rep.skipped = append(rep.skipped, n)
			continue
		}
		cp := ssmstore.Parameter{Name: dst.BranchPath(n), Value: p.Value, KeyID: kmsKey}
		if tier[p.Name] == types.ParameterTierAdvanced {
			cp.Tier = types.ParameterTierAdvanced
		}
		if k := key[p.Name]; cp.KeyID == "" && k != defaultKey {
			cp.KeyID = k
		}
		// Without --overwrite the write is conditional: a name set on the
		// target since it was listed is kept, and counted as skipped.
		version, err := s.Put(ctx, cp, overwrite)
		switch {
		case errors.Is(err, ssmstore.ErrExists) && unanswered(err):
			// Our own earlier attempt may be what exists.
			rep.unknown = append(rep.unknown, n)
		case errors.Is(err, ssmstore.ErrExists):
			rep.skipped = append(rep.skipped, n)
		case err != nil:
			stopped := fmt.Sprintf("the copy stopped at %s", n)
			if unanswered(err) {
				rep.unknown = append(rep.unknown, n)
				stopped = fmt.Sprintf("the copy stopped at %s, whose write may or may not have reached SSM", n)
			}
			fmt.Fprint(r.app.Stdout, rep)
			return storeError(err, fmt.Sprintf("%s; not copied: %s",
				stopped, none(notDone(names, rep.added, rep.overwritten, rep.skipped, rep.unknown))))
		case version > 1:
			rep.overwritten = append(rep.overwritten, n)
		default:
			rep.added = append(rep.added, n)
		}
	}
	fmt.Fprint(r.app.Stdout, rep)
	return nil
}

// sourcePath checks a --from-path: a parameter path whose levels SSM
// accepts, with a trailing slash added.
func sourcePath(p string) (string, error) {
	if !strings.HasPrefix(p, "/") {
		return "", usage("--from-path %q must be a parameter path, starting with '/'", p)
	}
	p = strings.TrimSuffix(p, "/") + "/"
	for _, l := range strings.Split(strings.Trim(p, "/"), "/") {
		if err := model.ValidateLevel("level", l); err != nil {
			return "", usage("--from-path %q: %v", p, err)
		}
	}
	if err := model.ValidateParameterName(p + "NAME"); err != nil {
		return "", usage("--from-path: %v", err)
	}
	return p, nil
}
