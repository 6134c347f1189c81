package cli

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/spf13/cobra"

	"github.com/fnenv/fnenv/internal/plural"
	"github.com/fnenv/fnenv/internal/ssmstore"
	"github.com/fnenv/fnenv/model"
	"github.com/fnenv/fnenv/resolver"
)

func (r *runner) historyCmd() *cobra.Command {
	var branch string
	var shared bool
	c := &cobra.Command{
		Use:   "history NAME [--branch B | --shared]",
		Short: "Show the versions SSM keeps of a secret, values masked",
		Long: `Show the versions SSM keeps of the branch's secret NAME (or with --shared the
shared one): version, date, who changed it (the IAM identity SSM recorded),
labels, and the value masked as a handler's resolver.Secret prints it — nothing
of a value under 16 bytes, at most a quarter of a longer one, enough to tell
most versions apart. SSM keeps the last 100 versions.`,
		Args: oneName,
		RunE: func(c *cobra.Command, args []string) error { return r.history(c.Context(), args[0], branch, shared) },
	}
	c.Flags().StringVar(&branch, "branch", "", "branch of the secret (default: resolved as for the app)")
	c.Flags().BoolVar(&shared, "shared", false, "the shared secret")
	return c
}

// secretVersions reads the history of one secret; a secret that is not
// set is an error saying so, and whether the other source has it.
func (r *runner) secretVersions(ctx context.Context, s *ssmstore.Store, id resolvedBackend, name string, shared, decrypt bool) (string, []ssmstore.Version, error) {
	path := id.BranchPath(name)
	if shared {
		path = id.SharedPath(name)
	}
	vs, err := s.History(ctx, path, decrypt)
	if errors.Is(err, ssmstore.ErrNotFound) {
		hint := ""
		if !shared {
			if found, err := s.Exists(ctx, []string{id.SharedPath(name)}); err == nil && found[id.SharedPath(name)] {
				hint = "; a shared one is set: add --shared"
			}
		}
		return path, nil, failed("secret %s is not set on %s: no parameter %s%s%s", name, where(id.Backend, shared), path, hint, r.unknownAppHint(ctx, s, id))
	}
	if err != nil {
		return path, nil, storeError(err, "")
	}
	return path, vs, nil
}

func (r *runner) history(ctx context.Context, name, branch string, shared bool) error {
	id, s, err := r.secretTarget(ctx, name, branch, shared)
	if err != nil {
		return err
	}
	path, vs, err := r.secretVersions(ctx, s, id, name, shared, true)
	if err != nil {
		return err
	}
	masked := make([]string, len(vs))
	for i := range vs {
		masked[i] = resolver.NewSecret(vs[i].Value).String()
		vs[i].Value = ""
	}
	w := r.app.Stdout
	fmt.Fprintf(w, "versions of secret %s (%s)\n", name, path)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tDATE\tCHANGED BY\tLABELS\tVALUE")
	for i, v := range vs {
		current := ""
		if i == len(vs)-1 {
			current = " (current)"
		}
		fmt.Fprintf(tw, "%d%s\t%s\t%s\t%s\t%s\n", v.Version, current, formatTime(v.LastModified), orDash(v.LastModifiedUser), orDash(strings.Join(v.Labels, ",")), masked[i])
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "%s kept (SSM keeps the last %d); %s --to-version N writes one again\n", plural.Count(len(vs), "version"), ssmstore.MaxVersions, r.again("secret rollback "+name, id.Backend, shared))
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func (r *runner) rollbackCmd() *cobra.Command {
	var branch string
	var shared bool
	var to int64
	c := &cobra.Command{
		Use:   "rollback NAME --to-version N [--branch B | --shared]",
		Short: "Write an earlier version of a secret again, as its newest version",
		Long: `Write version N of the branch's secret NAME (or with --shared the shared one)
again, as a new version, with the secret's current tier and KMS key, and say
which version it replaced. Versions are kept: a rollback can be rolled back.

SSM has no conditional overwrite, so the write is checked instead: fnenv
reads the current version V, writes, and expects its write to be version
V+1. A higher version means someone else wrote in between; fnenv then writes
the newest of those values again, so that their change stands rather than
the rollback, and fails saying so (exit 1). What remains is a race of a few
milliseconds around that second write, which fnenv checks the same way and
reports; fnenv secret history shows every version.`,
		Args: oneName,
		RunE: func(c *cobra.Command, args []string) error {
			if !c.Flags().Changed("to-version") {
				history := r.command("secret", "history", args[0])
				if branch != "" || shared {
					history = r.again("secret history "+args[0], model.Backend{Branch: branch}, shared)
				}
				return usage("rollback needs --to-version N: the version to write again (%s lists them)", history)
			}
			return r.rollback(c.Context(), args[0], branch, shared, to)
		},
	}
	c.Flags().Int64Var(&to, "to-version", 0, "the version to write again")
	c.Flags().StringVar(&branch, "branch", "", "branch of the secret (default: resolved as for the app)")
	c.Flags().BoolVar(&shared, "shared", false, "the shared secret")
	return c
}

func (r *runner) rollback(ctx context.Context, name, branch string, shared bool, to int64) error {
	if to < 1 {
		return usage("--to-version %d: versions count from 1", to)
	}
	id, s, err := r.secretTarget(ctx, name, branch, shared)
	if err != nil {
		return err
	}
	at := where(id.Backend, shared)
	hist := r.again("secret history "+name, id.Backend, shared) // names the same branch or shared
	path, vs, err := r.secretVersions(ctx, s, id, name, shared, false)
	if err != nil {
		return err
	}
	cur := vs[len(vs)-1]
	var target *ssmstore.Version
	kept := make([]string, len(vs))
	for i := range vs {
		kept[i] = fmt.Sprint(vs[i].Version)
		if vs[i].Version == to {
			target = &vs[i]
		}
	}
	if target == nil {
		return failed("secret %s on %s has no version %d: SSM keeps versions %s (the last %d); nothing was written", name, at, to, strings.Join(kept, ", "), ssmstore.MaxVersions)
	}
	if to == cur.Version {
		fmt.Fprintf(r.app.Stdout, "version %d is the current version of %s on %s: nothing written\n", to, name, at)
		return nil
	}
	p := ssmstore.Parameter{Name: path, KeyID: cur.KeyID}
	if p.KeyID == defaultKey {
		p.KeyID = ""
	}
	if cur.Tier == types.ParameterTierAdvanced || target.Tier == types.ParameterTierAdvanced {
		p.Tier = types.ParameterTierAdvanced // SSM cannot make an Advanced parameter Standard
	}
	old, err := s.GetVersion(ctx, path, to, true)
	if err != nil {
		return storeError(err, "nothing was written")
	}
	now, err := s.GetVersion(ctx, path, cur.Version, true)
	if err != nil {
		return storeError(err, "nothing was written")
	}
	same := sha256.Sum256([]byte(old.Value)) == sha256.Sum256([]byte(now.Value))
	now.Value = ""
	if same {
		fmt.Fprintf(r.app.Stdout, "version %d of %s on %s has the value of the current version %d: nothing written\n", to, name, at, cur.Version)
		return nil
	}
	p.Value = old.Value
	old.Value = ""
	version, err := s.Put(ctx, p, true)
	p.Value = ""
	if err != nil {
		if unanswered(err) {
			return storeError(err, fmt.Sprintf("the write of version %d's value may or may not have reached SSM (its answer was lost): %s shows it", to, hist))
		}
		return storeError(err, "nothing was written")
	}
	if version == cur.Version+1 {
		fmt.Fprintf(r.app.Stdout, "rolled back %s on %s to version %d: written as version %d, replacing version %d\n", name, at, to, version, cur.Version)
		return nil
	}
	// Someone wrote versions cur+1 … version-1 between the read and the
	// write, and the rollback replaced the newest of them: write it again.
	theirs := version - 1
	between := fmt.Sprint(cur.Version + 1)
	if theirs > cur.Version+1 {
		between = fmt.Sprintf("%d to %d", cur.Version+1, theirs)
	}
	conflict := fmt.Sprintf("a concurrent change: version %s of %s on %s was written after fnenv read version %d and before its rollback was written as version %d", between, name, at, cur.Version, version)
	restore, err := s.GetVersion(ctx, path, theirs, true)
	if err != nil {
		return storeError(err, conflict+fmt.Sprintf("; restoring version %d failed: version %d (the rollback) is current; %s shows every version", theirs, version, hist))
	}
	p.Value = restore.Value
	restore.Value = ""
	again, err := s.Put(ctx, p, true)
	p.Value = ""
	switch {
	case err != nil:
		return storeError(err, conflict+fmt.Sprintf("; restoring version %d failed: version %d (the rollback) may be current; %s shows every version", theirs, version, hist))
	case again != version+1:
		return failed("%s; fnenv wrote version %d's value again as version %d, but versions after %d were written meanwhile too: fnenv stops; %s shows every version", conflict, theirs, again, version, hist)
	}
	return failed("%s; so that this change stands, fnenv wrote version %d's value again as version %d: the rollback is undone; see %s and roll back again if still wanted", conflict, theirs, again, hist)
}
