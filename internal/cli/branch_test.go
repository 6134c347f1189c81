package cli

import (
	"context"
	"encoding/json"
	"io"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/google/go-cmp/cmp"

	"github.com/fnenv/fnenv/model"
)

// login is feature/login's level in paths and stack names.
var login = model.BranchName("feature/login")

// createStack creates a stack of one SQS queue in moto, tagged as fnenv
// tags a backend's stacks (no tags when appID is ""), exporting export
// and importing imports.
func (e *tenv) createStack(name, appID, branch, export string, imports ...string) {
	e.t.Helper()
	tmpl := map[string]any{"Resources": map[string]any{"Q": map[string]any{"Type": "AWS::SQS::Queue"}}}
	outputs := map[string]any{}
	if export != "" {
		outputs["Out"] = map[string]any{"Value": map[string]any{"Fn::GetAtt": []any{"Q", "Arn"}}, "Export": map[string]any{"Name": export}}
	}
	for i, imp := range imports {
		outputs["In"+string(rune('A'+i))] = map[string]any{"Value": map[string]any{"Fn::ImportValue": imp}}
	}
	if len(outputs) > 0 {
		tmpl["Outputs"] = outputs
	}
	body, _ := json.Marshal(tmpl)
	in := &cloudformation.CreateStackInput{StackName: aws.String(name), TemplateBody: aws.String(string(body))}
	if appID != "" {
		in.Tags = []cfntypes.Tag{
			{Key: aws.String(model.StackTagAppID), Value: aws.String(appID)},
			{Key: aws.String(model.StackTagBranch), Value: aws.String(model.BranchTag(branch))},
		}
	}
	// CreateStack is not idempotent, and moto ignores ClientRequestToken.
	cfn := e.cfn()
	e.once("creating stack "+name, func() error {
		_, err := cfn.CreateStack(context.Background(), in, func(o *cloudformation.Options) { o.RetryMaxAttempts = 1 })
		return err
	}, func() bool {
		out, err := cfn.DescribeStacks(context.Background(), &cloudformation.DescribeStacksInput{StackName: aws.String(name)})
		return err == nil && len(out.Stacks) == 1
	})
}

func (e *tenv) cfn() *cloudformation.Client {
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return cloudformation.NewFromConfig(cfg)
}

// stacks returns the names of the stacks moto holds (not deleted).
func (e *tenv) stacks() []string {
	e.t.Helper()
	out, err := e.cfn().DescribeStacks(context.Background(), &cloudformation.DescribeStacksInput{})
	if err != nil {
		e.t.Fatal(err)
	}
	var names []string
	for _, st := range out.Stacks {
		if st.StackStatus != cfntypes.StackStatusDeleteComplete {
			names = append(names, aws.ToString(st.StackName))
		}
	}
	sort.Strings(names)
	return names
}

func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=fnenv test", "-c", "user.email=test@example.com"}, args...)...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

// branchEnv is an app with two deployed branches (main, feature/login,
// whose stacks depend on each other through an export), a branch with
// secrets only (old), shared secrets, another app's backend of
// feature/login and an untagged stack; in a git repository with main
// checked out and feature/login as a local branch.
func branchEnv(t *testing.T) *tenv {
	e := newEnv(t)
	gitInit(t, e.dir, "main")
	git(t, e.dir, "commit", "-q", "--allow-empty", "-m", "start")
	git(t, e.dir, "branch", "feature/login")
	e.vars = map[string]string{}
	for _, b := range []struct{ level, branch string }{{"main", "main"}, {login, "feature/login"}} {
		e.put("/amplify/testapp/"+b.level+"/STRIPE_KEY", fake(b.branch, 1))
		e.put("/amplify/testapp/"+b.level+"/DB_URL", fake(b.branch, 2))
	}
	for i := range 12 { // more than one DeleteParameters chunk
		e.put("/amplify/testapp/"+login+"/K"+string(rune('A'+i)), fake("feature/login", 10+i))
	}
	e.put("/amplify/testapp/old/K", fake("old", 1))
	e.put("/amplify/shared/testapp/SENTRY_DSN", fake("shared", 1))
	e.put("/amplify/otherapp/"+login+"/STRIPE_KEY", fake("other", 1))
	e.put("/amplify/shared/otherapp/SENTRY_DSN", fake("other", 2))
	e.createStack("Data-main", appID, "main", "")
	e.createStack("Data-"+login, appID, "feature/login", "Data-"+login+":Queue")
	e.createStack("Api-"+login, appID, "feature/login", "", "Data-"+login+":Queue")
	e.createStack("Other-"+login, "otherapp", "feature/login", "")
	e.createStack("Untagged", "", "", "")
	return e
}

func TestBranchList(t *testing.T) {
	e := branchEnv(t)
	r := e.mustRun(0, "", "branch", "list")
	// The last-change columns hold the time of the run.
	got := regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ`).ReplaceAllString(r.stdout, "<time>              ")
	want := `branches of app testapp in us-east-1
BRANCH         PATH LEVEL                 SECRETS  STACKS  LAST CHANGE           IN GIT
feature/login  -feature-login-5712f05b4f  14       2       <time>                local
main           main                       2        1       <time>                local
old            old                        1        0       <time>                no

STACK                           BRANCH         STATUS           LAST CHANGE
Api--feature-login-5712f05b4f   feature/login  CREATE_COMPLETE  <time>              
Data--feature-login-5712f05b4f  feature/login  CREATE_COMPLETE  <time>              
Data-main                       main           CREATE_COMPLETE  <time>              

1 shared secret under /amplify/shared/testapp/: every branch reads it, none owns it
`
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("branch list (-got +want):\n%s", diff)
	}

	// A changed name git does not know shows as its level.
	e.put("/amplify/testapp/-gone-branch-0123456789/K", fake("gone", 1))
	r = e.mustRun(0, "", "branch", "list")
	wantContains(t, "branch list", r.stdout, "?              -gone-branch-0123456789    1        0")
}

func TestBranchRemove(t *testing.T) {
	e := branchEnv(t)
	before := e.params()
	stacksBefore := e.stacks()

	// Without a terminal and --yes, and with --dry-run, nothing changes.
	r := e.mustRun(2, "", "branch", "remove", "feature/login")
	wantContains(t, "stderr", r.stderr, "refusing to remove 2 stacks and 14 secrets without confirmation", "pass --yes")
	r = e.mustRun(0, "", "branch", "remove", "feature/login", "--dry-run")
	wantContains(t, "dry run", r.stdout,
		"branch feature/login (git still has it: local):",
		"1. delete stack Api-"+login+" (CREATE_COMPLETE)",
		"2. delete stack Data-"+login+" (CREATE_COMPLETE)",
		"3. delete 14 secrets under /amplify/testapp/"+login+"/: DB_URL, KA,",
		"kept: the 1 shared secret under /amplify/shared/testapp/",
		"dry run: nothing was changed")
	e.term = &fakeTerm{lines: []string{"n"}}
	r = e.mustRun(1, "", "branch", "remove", "feature/login")
	wantContains(t, "stderr", r.stderr, "not confirmed: nothing was changed")
	if diff := cmp.Diff(e.params(), before); diff != "" {
		t.Errorf("parameters changed (-got +want):\n%s", diff)
	}
	if diff := cmp.Diff(e.stacks(), stacksBefore); diff != "" {
		t.Errorf("stacks changed (-got +want):\n%s", diff)
	}

	// Confirmed: the importing stack goes first, then the exporting one,
	// then exactly the branch's secrets.
	e.term = &fakeTerm{lines: []string{"y"}}
	r = e.mustRun(0, "", "branch", "remove", "feature/login")
	if a, d := strings.Index(r.stdout, "deleting stack Api-"), strings.Index(r.stdout, "deleting stack Data-"+login); a < 0 || d < a {
		t.Errorf("Api-%s (which imports) must be deleted before Data-%s:\n%s", login, login, r.stdout)
	}
	wantContains(t, "stdout", r.stdout, "deleted stack Api-"+login, "removed 14 secrets of branch feature/login", "removed 2 stacks and 14 secrets")
	if got := e.term.(*fakeTerm).prompts; len(got) != 1 || got[0] != "Remove 2 stacks and 14 secrets of branch feature/login? [y/N] " {
		t.Errorf("prompts %q", got)
	}
	want := map[string]string{}
	for k, v := range before {
		if !strings.HasPrefix(k, "/amplify/testapp/"+login+"/") {
			want[k] = v
		}
	}
	if diff := cmp.Diff(e.params(), want); diff != "" {
		t.Errorf("parameters after remove (-got +want):\n%s", diff)
	}
	if diff := cmp.Diff(e.stacks(), []string{"Data-main", "Other-" + login, "Untagged"}); diff != "" {
		t.Errorf("stacks after remove (-got +want):\n%s", diff)
	}

	e.mustRun(2, "", "branch", "remove", "main", "--yes", "--stack-timeout", "0s")
	e.mustRun(2, "", "branch", "remove", "main", "old", "--yes")

	// Again: nothing to remove. By its level: the same branch.
	r = e.mustRun(0, "", "branch", "remove", "--yes", "--", login)
	wantContains(t, "stdout", r.stdout, "has no secrets under /amplify/testapp/", "nothing to remove")
	r = e.mustRun(0, "", "branch", "remove", "old", "--yes")
	wantContains(t, "stdout", r.stdout, "removed 0 stacks and 1 secret")
}

func TestBranchPrune(t *testing.T) {
	e := branchEnv(t)
	e.put("/amplify/testapp/keepme/K", fake("keepme", 1))
	e.createStack("Data-work", appID, "work", "")
	// feature/login is deleted in git; work is checked out, on no remote.
	git(t, e.dir, "branch", "-D", "feature/login")
	git(t, e.dir, "checkout", "-q", "-b", "work")
	before := e.params()

	r := e.mustRun(0, "", "branch", "prune", "--keep", "keepme", "--dry-run")
	wantContains(t, "dry run", r.stdout, "keeping branch keepme (--keep keepme), not among the local branches",
		"2 of 5 branch backends are not among the local branches", "branch feature/login:", "branch old:", "dry run: nothing was changed")
	if strings.Contains(r.stdout, "branch main") || strings.Contains(r.stdout, "branch work") {
		t.Errorf("prune plans to remove an existing branch:\n%s", r.stdout)
	}

	// With --remote origin, whose only branch is main: work is kept
	// because it is checked out.
	git(t, e.dir, "remote", "add", "origin", "https://git.example.test/app.git")
	git(t, e.dir, "update-ref", "refs/remotes/origin/main", "HEAD")
	r = e.mustRun(0, "", "branch", "prune", "--remote", "origin", "--keep", "keepme", "--dry-run")
	wantContains(t, "dry run", r.stdout, "keeping branch work (it is checked out)")
	r = e.mustRun(2, "", "branch", "prune", "--remote", "upstream")
	wantContains(t, "stderr", r.stderr, `--remote "upstream": no such remote; git has: origin`)

	// With Amplify Gen 2's paths, "my-app" shares /amplify/myapp/ with
	// "myapp": prune cannot tell the levels apart and changes nothing.
	r = e.mustRun(2, "", "branch", "prune", "--paths", "amplify", "--app-id", "my-app", "--yes")
	wantContains(t, "stderr", r.stderr, `app id "my-app" keeps only its letters and digits in /amplify/myapp/`, "nothing was changed")
	if diff := cmp.Diff(e.params(), before); diff != "" {
		t.Errorf("parameters changed (-got +want):\n%s", diff)
	}

	r = e.mustRun(0, "", "branch", "prune", "--keep", "keepme", "--yes")
	wantContains(t, "stdout", r.stdout, "removed 2 stacks and 15 secrets")
	want := map[string]string{}
	for k, v := range before {
		if !strings.HasPrefix(k, "/amplify/testapp/"+login+"/") && !strings.HasPrefix(k, "/amplify/testapp/old/") {
			want[k] = v
		}
	}
	if diff := cmp.Diff(e.params(), want); diff != "" {
		t.Errorf("parameters after prune (-got +want):\n%s", diff)
	}
	if diff := cmp.Diff(e.stacks(), []string{"Data-main", "Data-work", "Other-" + login, "Untagged"}); diff != "" {
		t.Errorf("stacks after prune (-got +want):\n%s", diff)
	}
	r = e.mustRun(0, "", "branch", "prune", "--keep", "keepme", "--yes")
	wantContains(t, "stdout", r.stdout, "nothing to prune")

	// In a repository without a commit, git has no branch: prune refuses.
	e.dir = t.TempDir()
	writeFile(t, e.dir+"/cdk.json", `{"app": "false", "context": {"appId": "`+appID+`"}}`)
	gitInit(t, e.dir, "main")
	r = e.mustRun(1, "", "branch", "prune", "--dry-run")
	wantContains(t, "stderr", r.stderr, "git has none of the local branches", "nothing was changed (commit, or check out a branch, first)")

	// Outside a git work tree prune refuses.
	e.dir = t.TempDir()
	writeFile(t, e.dir+"/cdk.json", `{"app": "false", "context": {"appId": "`+appID+`"}}`)
	r = e.mustRun(2, "", "branch", "prune", "--yes")
	wantContains(t, "stderr", r.stderr, "is not in a git work tree")
}

// cancelOn is a writer that calls cancel once what was written holds s.
type cancelOn struct {
	w      io.Writer
	s      string
	seen   strings.Builder
	cancel func()
}

func (c *cancelOn) Write(p []byte) (int, error) {
	c.seen.Write(p)
	if strings.Contains(c.seen.String(), c.s) {
		c.cancel()
	}
	return c.w.Write(p)
}

// TestBranchRemoveInterrupted: Ctrl-C after the first stack is deleted
// stops before the next step, exits 130 and says what was done; the
// secrets are kept.
func TestBranchRemoveInterrupted(t *testing.T) {
	e := branchEnv(t)
	before := e.params()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	r, _ := e.runWith(ctx, func(a *App) {
		a.Stdout = &cancelOn{w: a.Stdout, s: "deleted stack Api-", cancel: cancel}
	}, "", "branch", "remove", "feature/login", "--yes")
	if r.code != ExitInterrupted {
		t.Fatalf("exit %d, want 130\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	wantContains(t, "stderr", r.stderr, "interrupted: done: deleted stack Api-"+login)
	if diff := cmp.Diff(e.stacks(), []string{"Data-" + login, "Data-main", "Other-" + login, "Untagged"}); diff != "" {
		t.Errorf("stacks (-got +want):\n%s", diff)
	}
	if diff := cmp.Diff(e.params(), before); diff != "" {
		t.Errorf("parameters changed (-got +want):\n%s", diff)
	}
}

// TestBranchListAmplifyPaths: with Amplify Gen 2's paths a branch's level
// ("<letters and digits>-branch-<hash>") is matched to the git branch that
// maps to it; one no git branch maps to shows as its level.
func TestBranchListAmplifyPaths(t *testing.T) {
	e := branchEnv(t)
	b := model.Backend{Prefix: "/amplify", AppID: appID, Paths: model.PathsAmplify, Branch: "feature/login"}
	e.put(b.BranchPath("STRIPE_KEY"), fake("feature/login", 7))
	b.Branch = "gone/branch"
	e.put(b.BranchPath("STRIPE_KEY"), fake("gone", 7))
	r := e.mustRun(0, "", "branch", "list", "--paths", "amplify")
	b.Branch = "feature/login"
	wantContains(t, "branch list", r.stdout, "feature/login  "+b.BranchLevel()+"  ", "?              "+levelOf(b, "gone/branch"))
	r = e.mustRun(0, "", "branch", "remove", "feature/login", "--paths", "amplify", "--dry-run")
	wantContains(t, "plan", r.stdout, "delete 1 secret under "+b.BranchPrefix()+": STRIPE_KEY")
}
