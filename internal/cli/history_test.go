package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/google/go-cmp/cmp"

	"github.com/fnenv/fnenv/internal/ssmproxy"
	"github.com/fnenv/fnenv/resolver"
)

// TestSecretDiff: two branches with equal and different values, names on
// one branch only (with and without a shared fallback) and a shared-only
// name; no value or digest is printed.
func TestSecretDiff(t *testing.T) {
	e := newEnv(t)
	same := fake("same", 1)
	e.put("/amplify/testapp/main/DB_URL", same)
	e.put("/amplify/testapp/-feature-login-5712f05b4f/DB_URL", same)
	e.put("/amplify/testapp/main/STRIPE_KEY", fake("main", 1))
	e.put("/amplify/testapp/-feature-login-5712f05b4f/STRIPE_KEY", fake("feature/login", 1))
	e.put("/amplify/testapp/main/ONLY_MAIN", fake("main", 2))
	e.put("/amplify/testapp/main/OVERRIDES", fake("shared", 3))
	e.put("/amplify/testapp/-feature-login-5712f05b4f/ONLY_LOGIN", fake("feature/login", 2))
	e.put("/amplify/shared/testapp/OVERRIDES", fake("shared", 3))
	e.put("/amplify/shared/testapp/SENTRY_DSN", fake("shared", 4))
	e.put("/amplify/otherapp/main/STRIPE_KEY", fake("other", 1))

	r := e.mustRun(0, "", "secret", "diff", "main", "feature/login")
	want := `secrets of app testapp: branch main (/amplify/testapp/main/) and branch feature/login (/amplify/testapp/-feature-login-5712f05b4f/)
NAME        STATUS
DB_URL      equal
ONLY_LOGIN  only on feature/login (main has none)
ONLY_MAIN   only on main (feature/login has none)
OVERRIDES   only on main (feature/login reads the shared value, which is equal)
SENTRY_DSN  shared (set on neither branch; both read the shared value)
STRIPE_KEY  different
1 equal, 1 different, 2 only on main, 1 only on feature/login, 1 shared only
`
	if diff := cmp.Diff(r.stdout, want); diff != "" {
		t.Errorf("diff output (-got +want):\n%s", diff)
	}
	e.mustRun(2, "", "secret", "diff", "main", "main")
	e.mustRun(2, "", "secret", "diff", "main")
}

// TestSecretHistoryAndRollback: a secret set three times has three
// versions, shown masked; a rollback to version 1 writes it as version 4,
// replacing 3; the rollback of a value equal to the current writes nothing.
func TestSecretHistoryAndRollback(t *testing.T) {
	e := newEnv(t)
	v := []string{fake("main", 101), fake("main", 102), fake("main", 103)}
	for _, x := range v {
		e.mustRun(0, x, "secret", "set", "STRIPE_KEY", "--branch", "main")
	}
	r := e.mustRun(0, "", "secret", "history", "STRIPE_KEY", "--branch", "main")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 6 {
		t.Fatalf("history: %d lines, want a title, a header, 3 versions and a footer:\n%s", len(lines), r.stdout)
	}
	for i, x := range v {
		l := lines[2+i]
		if f := strings.Fields(l); f[0] != string(rune('1'+i)) || !strings.Contains(l, resolver.NewSecret(x).String()) || !strings.Contains(l, "N/A") {
			t.Errorf("history line %d = %q, want version %d, moto's user N/A and the masked value %s", i, l, i+1, resolver.NewSecret(x).String())
		}
	}
	wantContains(t, "history", r.stdout, "3 (current)", "/amplify/testapp/main/STRIPE_KEY",
		"fnenv secret rollback STRIPE_KEY --branch main --to-version N writes one again") // the branch it was run for, not git's

	r = e.mustRun(0, "", "secret", "rollback", "STRIPE_KEY", "--to-version", "1", "--branch", "main")
	wantContains(t, "rollback", r.stdout, "rolled back STRIPE_KEY on branch main (/amplify/testapp/main/) to version 1: written as version 4, replacing version 3")
	if got := e.params()["/amplify/testapp/main/STRIPE_KEY"]; got != v[0] {
		t.Errorf("after the rollback the value is %s, want version 1's %s", resolver.NewSecret(got).String(), resolver.NewSecret(v[0]).String())
	}
	r = e.mustRun(0, "", "secret", "rollback", "STRIPE_KEY", "--to-version", "1", "--branch", "main")
	wantContains(t, "rollback to the current value", r.stdout, "has the value of the current version 4: nothing written")
	r = e.mustRun(0, "", "secret", "rollback", "STRIPE_KEY", "--to-version", "4", "--branch", "main")
	wantContains(t, "rollback to the current version", r.stdout, "version 4 is the current version")

	r = e.mustRun(1, "", "secret", "rollback", "STRIPE_KEY", "--to-version", "9", "--branch", "main")
	wantContains(t, "rollback to a missing version", r.stderr, "has no version 9: SSM keeps versions 1, 2, 3, 4")
	e.mustRun(2, "", "secret", "rollback", "STRIPE_KEY", "--branch", "main")
	e.mustRun(2, "", "secret", "rollback", "STRIPE_KEY", "--to-version", "0", "--branch", "main")
	r = e.mustRun(1, "", "secret", "history", "NOPE", "--branch", "main")
	wantContains(t, "history of a missing secret", r.stderr, "secret NOPE is not set on branch main")

	// A shared secret's history, and the hint when only the shared one is set.
	e.put("/amplify/shared/testapp/SENTRY_DSN", fake("shared", 1))
	r = e.mustRun(1, "", "secret", "history", "SENTRY_DSN", "--branch", "main")
	wantContains(t, "history hint", r.stderr, "a shared one is set: add --shared")
	r = e.mustRun(0, "", "secret", "history", "SENTRY_DSN", "--shared")
	wantContains(t, "shared history", r.stdout, "1 (current)", resolver.NewSecret(fake("shared", 1)).String(),
		"fnenv secret rollback SENTRY_DSN --shared --to-version N")
	r = e.mustRun(2, "", "secret", "rollback", "SENTRY_DSN", "--shared")
	wantContains(t, "rollback without --to-version", r.stderr, "(fnenv secret history SENTRY_DSN --shared lists them)")
}

// TestRollbackConcurrentChange: a change written between the rollback's
// read and its write is detected (the write is not current+1) and written
// again, so that it stands; the command fails saying so.
func TestRollbackConcurrentChange(t *testing.T) {
	e := newEnv(t)
	v := []string{fake("main", 201), fake("main", 202)}
	for _, x := range v {
		e.mustRun(0, x, "secret", "set", "K", "--branch", "main")
	}
	theirs := fake("main", 203)
	p := ssmproxy.New(t, srv.URL, ssmproxy.Before("AmazonSSM.PutParameter", 1, func() {
		// a teammate's set, straight to SSM, as version 3
		e.put("/amplify/testapp/main/K", theirs)
	}))
	t.Setenv("AWS_ENDPOINT_URL", p.URL)
	r := e.mustRun(1, "", "secret", "rollback", "K", "--to-version", "1", "--branch", "main")
	wantContains(t, "rollback", r.stderr,
		"a concurrent change: version 3 of K on branch main (/amplify/testapp/main/) was written after fnenv read version 2 and before its rollback was written as version 4",
		"wrote version 3's value again as version 5: the rollback is undone")
	if got := e.params()["/amplify/testapp/main/K"]; got != theirs {
		t.Errorf("the value is %s, want the concurrent change's %s", resolver.NewSecret(got).String(), resolver.NewSecret(theirs).String())
	}
	out, err := e.ssm.GetParameter(context.Background(), &ssm.GetParameterInput{Name: aws.String("/amplify/testapp/main/K")})
	if err != nil {
		t.Fatal(err)
	}
	if out.Parameter.Version != 5 {
		t.Errorf("version %d, want 5", out.Parameter.Version)
	}
}
