package cli

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/fnenv/fnenv/internal/plural"
	"github.com/fnenv/fnenv/internal/srctree"
	"github.com/fnenv/fnenv/internal/ssmstore"
	"github.com/fnenv/fnenv/model"
)

// branchCmd is `fnenv branch`: the backends of the app's branches over
// their life.
func (r *runner) branchCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "branch",
		Short: "List, remove and prune the backends of branches: their stacks and secrets",
		Long: `A branch's backend is its stacks in CloudFormation — found by their stack tags
fnenv:app-id and fnenv:branch, which backend.NewStack and fnenv functions put
on their stacks — and its secrets in SSM under <prefix>/<appId>/<branch>/.
Shared secrets belong to no branch: these commands never remove them.`,
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error { return c.Help() },
	}
	c.AddCommand(r.branchListCmd(), r.branchRemoveCmd(), r.branchPruneCmd())
	return c
}

// branchBackend is what one branch has in this account and region.
type branchBackend struct {
	git   string // the branch as git names it; "" when unknown (a changed name no git branch maps to)
	level string // its level in parameter paths; "" when unknown
	name  string // model.BranchName of it, the suffix of its stack names; "" when unknown
	// secrets are the parameters directly under its level, without values.
	secrets []ssmstore.Parameter
	stacks  []cfnStack
	at      string // where git has it: "local", remote names; "" nowhere
}

// label is how the branch is named to the user: as git names it, else
// its path level, else its stack names' suffix.
func (b *branchBackend) label() string {
	switch {
	case b.git != "":
		return b.git
	case b.level != "":
		return b.level
	}
	return b.name
}

func (b *branchBackend) lastChange() *time.Time {
	var last *time.Time
	later := func(t *time.Time) {
		if t != nil && (last == nil || t.After(*last)) {
			last = t
		}
	}
	for _, p := range b.secrets {
		later(p.LastModified)
	}
	for _, st := range b.stacks {
		later(st.changed)
	}
	return last
}

// matches reports whether arg names the branch: as git names it, its path
// level or its stack names' suffix.
func (b *branchBackend) matches(arg string) bool {
	return arg != "" && (arg == b.git || arg == b.level || arg == b.name)
}

// inventory is every branch backend of an app in one account and region.
type inventory struct {
	id       resolvedBackend
	region   string
	backends []*branchBackend // sorted by label
	shared   []ssmstore.Parameter
	git      srctree.Refs
}

// levelOf is the path level of git branch g in b's layout.
func levelOf(b model.Backend, g string) string {
	b.Branch = g
	return b.BranchLevel()
}

// inventory reads the app's secrets (names only) and tagged stacks, and
// groups them by branch. A path level or a tag that holds a changed name
// ("-feature-login-<hash>") cannot be turned back into the git name: it is
// matched against every branch git knows (local and remote-tracking), the
// branches the stacks' tags name, and extra.
func (r *runner) inventory(ctx context.Context, id resolvedBackend, s *ssmstore.Store, cfn stackAPI, extra ...string) (*inventory, error) {
	inv := &inventory{id: id, region: s.Config().Region, git: srctree.ReadRefs(r.app.Dir)}
	prefix := id.AppPrefix()
	params, err := s.ListTree(ctx, prefix)
	if err != nil {
		return nil, storeError(err, "nothing was changed")
	}
	if inv.shared, err = s.List(ctx, id.SharedPrefix(), false); err != nil {
		return nil, storeError(err, "nothing was changed")
	}
	stacks, err := appStacks(ctx, cfn, id.AppID)
	if err != nil {
		return nil, err
	}

	cands := append(inv.git.Names(), extra...)
	if inv.git.Current != "" {
		cands = append(cands, inv.git.Current)
	}
	for _, st := range stacks {
		if g, _ := model.ParseBranchTag(st.branchTag); g != "" {
			cands = append(cands, g)
		}
	}
	byLevel, byName := map[string]string{}, map[string]string{}
	for _, g := range cands {
		byLevel[levelOf(id.Backend, g)] = g
		byName[model.BranchName(g)] = g
	}
	amplify := id.Paths == model.PathsAmplify
	m := map[string]*branchBackend{}
	get := func(git, level, name string) *branchBackend {
		key := "git:" + git
		switch {
		case git != "":
		case level != "":
			key = "level:" + level
		default:
			key = "name:" + name
		}
		b := m[key]
		if b == nil {
			b = &branchBackend{git: git, level: level, name: name}
			m[key] = b
		}
		return b
	}
	for _, p := range params {
		level, secret, ok := strings.Cut(strings.TrimPrefix(p.Name, prefix), "/")
		if !ok || secret == "" || strings.Contains(secret, "/") {
			continue // deeper than a branch's secrets: not fnenv's
		}
		git := byLevel[level]
		if git == "" && !amplify && !strings.HasPrefix(level, "-") {
			git = level // a kept name is the branch's own
		}
		b := get(git, level, "")
		b.secrets = append(b.secrets, p)
	}
	for _, st := range stacks {
		git, name := model.ParseBranchTag(st.branchTag)
		if git == "" {
			git = byName[name]
		}
		level := ""
		if git == "" && !amplify {
			level = name // fnenv's path level is the stack names' suffix
		}
		b := get(git, level, name)
		b.stacks = append(b.stacks, st)
	}
	for _, b := range m {
		if b.git != "" {
			b.level, b.name = levelOf(id.Backend, b.git), model.BranchName(b.git)
			b.at = inv.git.Where(b.git)
		}
		if b.name == "" && !amplify {
			b.name = b.level
		}
		inv.backends = append(inv.backends, b)
	}
	sort.Slice(inv.backends, func(i, j int) bool { return inv.backends[i].label() < inv.backends[j].label() })
	return inv, nil
}

// open resolves the app and opens SSM and CloudFormation.
func (r *runner) openBranches(ctx context.Context) (resolvedBackend, *ssmstore.Store, stackAPI, error) {
	id, err := r.resolve("", false, true)
	if err != nil {
		return id, nil, nil, err
	}
	s, err := r.store(ctx)
	if err != nil {
		return id, nil, nil, err
	}
	return id, s, r.cloudFormation(s), nil
}

func (r *runner) branchListCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List every branch of the app with secrets or stacks here, and whether git still has it",
		Long: `List every branch of the app that has secrets in SSM or stacks in CloudFormation
in this account and region: the branch as git names it, its level in
parameter paths, its number of secrets and of stacks, its last change, and
where git has it: "local", the remotes whose remote-tracking branches have it
(as of the last git fetch; git fetch --prune drops deleted ones), or "no".
Then every stack with its status. Shared secrets are counted apart.

A branch whose name was changed to fit paths and stack names
("-feature-login-<hash>") shows as git names it when a branch git knows, or a
stack's fnenv:branch tag, maps to it; else by its changed name alone.`,
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error { return r.branchList(c.Context()) },
	}
}

func (r *runner) branchList(ctx context.Context) error {
	id, s, cfn, err := r.openBranches(ctx)
	if err != nil {
		return err
	}
	inv, err := r.inventory(ctx, id, s, cfn)
	if err != nil {
		return err
	}
	w := r.app.Stdout
	if len(inv.backends) == 0 {
		if len(inv.shared) == 0 {
			return failed("no branch of app %q has secrets under %s or stacks tagged %s=%s in %s, and it has no shared secrets: the app id (from %s) may be wrong",
				id.AppID, id.AppPrefix(), model.StackTagAppID, id.AppID, inv.region, id.appIDSource)
		}
		fmt.Fprintf(w, "no branch of app %s has secrets or stacks in %s\n", id.AppID, inv.region)
	} else {
		fmt.Fprintf(w, "branches of app %s in %s\n", id.AppID, inv.region)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "BRANCH\tPATH LEVEL\tSECRETS\tSTACKS\tLAST CHANGE\tIN GIT")
		for _, b := range inv.backends {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%s\n", orUnknown(b.git), orUnknown(b.level), len(b.secrets), len(b.stacks), formatTime(b.lastChange()), inv.gitColumn(b))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		var rows []string
		for _, b := range inv.backends {
			for _, st := range b.stacks {
				rows = append(rows, fmt.Sprintf("%s\t%s\t%s\t%s", st.name, b.label(), st.status, formatTime(st.changed)))
			}
		}
		if len(rows) > 0 {
			fmt.Fprintln(w)
			tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "STACK\tBRANCH\tSTATUS\tLAST CHANGE")
			for _, row := range rows {
				fmt.Fprintln(tw, row)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
		}
	}
	fmt.Fprintf(w, "\n%s under %s: every branch reads %s, none owns %[3]s\n", plural.Count(len(inv.shared), "shared secret"), id.SharedPrefix(), plural.Of(len(inv.shared), "it", "them"))
	if !inv.git.Repo {
		fmt.Fprintf(w, "not in a git work tree: whether each branch still exists in git is unknown (?)\n")
	}
	return nil
}

func orUnknown(s string) string {
	if s == "" {
		return "?"
	}
	return s
}

// gitColumn says where git has b: "local", remotes, "no", or "?" outside
// a repository.
func (inv *inventory) gitColumn(b *branchBackend) string {
	switch {
	case !inv.git.Repo:
		return "?"
	case b.at == "":
		return "no"
	}
	return b.at
}

// removeOptions are the flags `branch remove` and `branch prune` share.
type removeOptions struct {
	dryRun, yes  bool
	assembly     string
	stackTimeout time.Duration
}

func (o *removeOptions) flags(c *cobra.Command) {
	c.Flags().BoolVar(&o.dryRun, "dry-run", false, "show what would be removed and change nothing")
	c.Flags().BoolVarP(&o.yes, "yes", "y", false, "do not ask for confirmation")
	c.Flags().StringVar(&o.assembly, "assembly", "cdk.out", "a cloud assembly whose manifest's stack dependencies order the deletions, when it names the branch's stacks")
	c.Flags().DurationVar(&o.stackTimeout, "stack-timeout", 30*time.Minute, "how long to wait for the deletion of one stack")
}

func (o *removeOptions) check() error {
	if o.stackTimeout <= 0 {
		return usage("--stack-timeout %s: give a positive duration, e.g. 30m", o.stackTimeout)
	}
	return nil
}

const removeHelp = `The plan comes first: the stacks in the order they are deleted, and the
secrets by name. Then it asks for confirmation on a terminal; without a
terminal it needs --yes, else it changes nothing (exit 2). --dry-run shows
the plan and changes nothing.

Stacks are deleted one at a time, each waited for, dependents first: a
stack that imports another's export (Fn::ImportValue in its template, with
ListExports) is deleted before it, and so is one that depends on another in
the cloud assembly's manifest (--assembly, when it names the branch's
stacks: AddDependency leaves no trace in CloudFormation). A stack that fails
to delete stops the command, and that branch's secrets are kept. Then the
secrets: exactly the names listed under the branch's path, ten a
DeleteParameters call; never a shared secret or another branch's.

Ctrl-C stops before the next step and says what was done (exit 130); a stack
whose deletion had begun goes on being deleted by CloudFormation.`

func (r *runner) branchRemoveCmd() *cobra.Command {
	var o removeOptions
	c := &cobra.Command{
		Use:   "remove BRANCH [--dry-run] [--yes] [--assembly DIR] [--stack-timeout D]",
		Short: "Delete a branch's stacks and secrets",
		Long: `Delete the backend of BRANCH: its stacks (tagged fnenv:app-id and
fnenv:branch) and its secrets. BRANCH is the branch as git names it, or its
level in parameter paths as ` + "`fnenv branch list`" + ` shows it (after --, when it
starts with a hyphen: fnenv branch remove -- -feature-login-5712f05b4f).

` + removeHelp,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) != 1 || args[0] == "" {
				return usage("%s takes exactly one BRANCH, got %s", commandPath(c), plural.Count(len(args), "argument"))
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error { return r.branchRemove(c.Context(), args[0], o) },
	}
	o.flags(c)
	return c
}

func (r *runner) branchRemove(ctx context.Context, branch string, o removeOptions) error {
	if err := o.check(); err != nil {
		return err
	}
	id, s, cfn, err := r.openBranches(ctx)
	if err != nil {
		return err
	}
	inv, err := r.inventory(ctx, id, s, cfn, branch)
	if err != nil {
		return err
	}
	for _, b := range inv.backends {
		if b.matches(branch) {
			return r.removeBackends(ctx, inv, s, cfn, []*branchBackend{b}, o)
		}
	}
	if len(inv.backends) == 0 && len(inv.shared) == 0 {
		return failed("nothing is stored for app %q in %s, no branch nor shared secrets: the app id (from %s) may be wrong", id.AppID, inv.region, id.appIDSource)
	}
	fmt.Fprintf(r.app.Stdout, "branch %s of app %s has no secrets under %s and no stacks tagged %s in %s: nothing to remove\n",
		branch, id.AppID, id.AppPrefix()+levelOf(id.Backend, branch)+"/", model.StackTagBranch, inv.region)
	return nil
}

func (r *runner) branchPruneCmd() *cobra.Command {
	var o removeOptions
	var remote string
	var keep []string
	c := &cobra.Command{
		Use:   "prune [--remote NAME] [--keep BRANCH]... [--dry-run] [--yes]",
		Short: "Remove the backend of every branch git no longer has",
		Long: `Remove the backend of every branch whose git branch no longer exists: among
the local branches, or with --remote NAME among that remote's
remote-tracking branches (run git fetch --prune NAME first). Never the
branch checked out, never one named by --keep (repeatable; a git name or a
path level), never another app's stacks or secrets, never shared secrets.

` + removeHelp,
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error { return r.branchPrune(c.Context(), remote, keep, o) },
	}
	c.Flags().StringVar(&remote, "remote", "", "compare with this remote's branches instead of the local ones")
	c.Flags().StringArrayVar(&keep, "keep", nil, "a branch never to prune (repeatable)")
	o.flags(c)
	return c
}

func (r *runner) branchPrune(ctx context.Context, remote string, keep []string, o removeOptions) error {
	if err := o.check(); err != nil {
		return err
	}
	g := srctree.ReadRefs(r.app.Dir)
	if !g.Repo {
		return usage("prune removes the backends of branches git no longer has: %s is not in a git work tree", r.app.Dir)
	}
	exists, against := g.Local, "the local branches"
	if remote != "" {
		bs, ok := g.Remotes[remote]
		if !ok {
			var rs []string
			for r := range g.Remotes {
				rs = append(rs, r)
			}
			sort.Strings(rs)
			return usage("--remote %q: no such remote; git has: %s", remote, none(rs))
		}
		exists, against = bs, fmt.Sprintf("the branches of remote %s (as of the last git fetch)", remote)
	}
	if len(exists) == 0 {
		// With nothing to compare with, every backend would look gone.
		fix := "commit, or check out a branch, first"
		if remote != "" {
			fix = "run git fetch " + remote + " first"
		}
		return failed("git has none of %s: with nothing to compare with, every backend would look gone; nothing was changed (%s)", against, fix)
	}
	id, s, cfn, err := r.openBranches(ctx)
	if err != nil {
		return err
	}
	if !id.OwnsAppPrefix() {
		return usage("prune: with Amplify Gen 2's paths, app id %q keeps only its letters and digits in %s, which other app ids may share, so a level git does not know may be another app's; nothing was changed: remove this app's branches one by one with %s", id.AppID, id.AppPrefix(), r.command("branch", "remove", "BRANCH"))
	}
	inv, err := r.inventory(ctx, id, s, cfn, keep...)
	if err != nil {
		return err
	}
	var gone []*branchBackend
	for _, b := range inv.backends {
		if b.git != "" && exists[b.git] {
			continue
		}
		why := ""
		if b.git != "" && b.git == g.Current {
			why = "it is checked out"
		}
		for _, k := range keep {
			if b.matches(k) {
				why = "--keep " + k
			}
		}
		if why != "" {
			fmt.Fprintf(r.app.Stdout, "keeping branch %s (%s), not among %s\n", b.label(), why, against)
			continue
		}
		gone = append(gone, b)
	}
	if len(gone) == 0 {
		fmt.Fprintf(r.app.Stdout, "every branch of app %s with a backend in %s is among %s: nothing to prune\n", id.AppID, inv.region, against)
		return nil
	}
	fmt.Fprintf(r.app.Stdout, "%d of %s %s not among %s\n", len(gone), plural.Count(len(inv.backends), "branch backend"), plural.Of(len(gone), "is", "are"), against)
	return r.removeBackends(ctx, inv, s, cfn, gone, o)
}

// removal is one branch's part of a plan.
type removal struct {
	b      *branchBackend
	stacks []cfnStack // in deletion order
	prefix string     // the branch's path
	names  []string   // its secrets, under prefix
}

// removeBackends shows the plan for targets, asks, and deletes each
// branch's stacks and then its secrets, saying what it did.
func (r *runner) removeBackends(ctx context.Context, inv *inventory, s *ssmstore.Store, cfn stackAPI, targets []*branchBackend, o removeOptions) error {
	w := r.app.Stdout
	var plan []removal
	nStacks, nSecrets := 0, 0
	for _, b := range targets {
		order, err := deletionOrder(ctx, cfn, b.stacks, r.path(o.assembly))
		if err != nil {
			return err
		}
		rm := removal{b: b, stacks: order}
		if b.level != "" {
			rm.prefix = inv.id.AppPrefix() + b.level + "/"
			rm.names = secretNames(b.secrets, rm.prefix)
		}
		plan = append(plan, rm)
		nStacks, nSecrets = nStacks+len(order), nSecrets+len(rm.names)
	}
	fmt.Fprintf(w, "plan for app %s in %s:\n", inv.id.AppID, inv.region)
	for _, rm := range plan {
		in := ""
		if rm.b.at != "" {
			in = " (git still has it: " + rm.b.at + ")"
		}
		fmt.Fprintf(w, "branch %s%s:\n", rm.b.label(), in)
		for i, st := range rm.stacks {
			fmt.Fprintf(w, "  %d. delete stack %s (%s)\n", i+1, st.name, st.status)
		}
		if len(rm.names) > 0 {
			fmt.Fprintf(w, "  %d. delete %s under %s: %s\n", len(rm.stacks)+1, plural.Count(len(rm.names), "secret"), rm.prefix, strings.Join(rm.names, ", "))
		}
	}
	fmt.Fprintf(w, "kept: the %s under %s and every other branch\n", plural.Count(len(inv.shared), "shared secret"), inv.id.SharedPrefix())
	if o.dryRun {
		fmt.Fprintln(w, "dry run: nothing was changed")
		return nil
	}
	what := plural.Count(nStacks, "stack") + " and " + plural.Count(nSecrets, "secret")
	if !o.yes {
		if !r.app.isTerminal() {
			return usage("refusing to remove %s without confirmation: standard input is not a terminal; pass --yes (nothing was changed)", what)
		}
		branches := make([]string, len(plan))
		for i, rm := range plan {
			branches[i] = rm.b.label()
		}
		if err := r.app.confirm(ctx, fmt.Sprintf("Remove %s of branch %s? [y/N] ", what, strings.Join(branches, ", ")), "nothing was changed"); err != nil {
			return err
		}
	}

	var done []string
	report := func() string {
		if len(done) == 0 {
			return "nothing was changed"
		}
		return "done: " + strings.Join(done, "; ")
	}
	for _, rm := range plan {
		for i, st := range rm.stacks {
			if ctx.Err() != nil {
				return interrupted(report())
			}
			fmt.Fprintf(w, "deleting stack %s (%d of %d of branch %s)\n", st.name, i+1, len(rm.stacks), rm.b.label())
			start := time.Now()
			err := deleteStack(ctx, cfn, st, r.app.stackPoll(), o.stackTimeout, func(line string) { fmt.Fprintln(w, line) }, r.command("branch", "list"))
			if err != nil {
				return withDone(err, report()+fmt.Sprintf("; stopped at stack %s; the secrets of branch %s are kept", st.name, rm.b.label()))
			}
			fmt.Fprintf(w, "deleted stack %s (%s)\n", st.name, time.Since(start).Round(time.Second))
			done = append(done, "deleted stack "+st.name)
		}
		if len(rm.names) == 0 {
			continue
		}
		if ctx.Err() != nil {
			return interrupted(report())
		}
		// The deletions above may have outlasted the store's overall
		// deadline: these calls get one of their own.
		s.Renew()
		paths := make([]string, len(rm.names))
		for i, n := range rm.names {
			paths[i] = rm.prefix + n
		}
		deleted, missing, err := s.Delete(ctx, paths)
		if len(deleted) > 0 {
			fmt.Fprintf(w, "removed %s of branch %s: %s\n", plural.Count(len(deleted), "secret"), rm.b.label(), strings.Join(trimAll(deleted, rm.prefix), ", "))
			done = append(done, fmt.Sprintf("removed %s of branch %s", plural.Count(len(deleted), "secret"), rm.b.label()))
		}
		if len(missing) > 0 {
			fmt.Fprintf(w, "already gone from branch %s: %s\n", rm.b.label(), strings.Join(trimAll(missing, rm.prefix), ", "))
		}
		if err != nil {
			doubt := ""
			if unanswered(err) {
				doubt = " (SSM's answer to the last call was lost: " + r.command("branch", "list") + " shows what is left)"
			}
			return storeError(err, report()+doubt)
		}
	}
	fmt.Fprintf(w, "removed %s\n", what)
	return nil
}

// withDone adds what was done to an exit error's message.
func withDone(err error, done string) error {
	if ee, ok := err.(*ExitError); ok {
		return &ExitError{Code: ee.Code, Err: fmt.Errorf("%w\n%s", ee.Err, done)}
	}
	return &ExitError{Code: ExitFailed, Err: fmt.Errorf("%w\n%s", err, done)}
}
