package cli

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fnenv/fnenv/internal/ssmproxy"
	"github.com/fnenv/fnenv/internal/ssmstore"
	"github.com/fnenv/fnenv/model"
)

// TestAWSErrors: access denied, throttling and missing credentials are
// clear errors with exit 1, and nothing is written.
func TestAWSErrors(t *testing.T) {
	v := fake("main", 7)
	tests := []struct {
		name   string
		opts   []ssmproxy.Option
		stdin  string
		args   []string
		stderr []string
	}{
		{"set denied", []ssmproxy.Option{ssmproxy.DenyAccess()}, v, []string{"secret", "set", "K1", "--branch", "main"},
			[]string{"ssm:PutParameter on /amplify/testapp/main/K1: access denied", "need ssm:PutParameter"}},
		{"list denied", []ssmproxy.Option{ssmproxy.DenyAccess()}, "", []string{"secret", "list", "--branch", "main"},
			[]string{"ssm:GetParametersByPath on /amplify/testapp/main/: access denied"}},
		{"get denied", []ssmproxy.Option{ssmproxy.DenyAccess()}, "", []string{"secret", "get", "KEEP", "--branch", "main"},
			[]string{"ssm:GetParameter on /amplify/testapp/main/KEEP: access denied"}},
		{"remove denied", []ssmproxy.Option{ssmproxy.DenyAccess()}, "", []string{"secret", "remove", "KEEP", "--branch", "main", "--yes"},
			[]string{"ssm:DeleteParameters on /amplify/testapp/main/KEEP: access denied"}},
		{"copy denied", []ssmproxy.Option{ssmproxy.DenyAccess()}, "", []string{"secret", "copy", "--from-branch", "main", "--to-branch", "b"},
			[]string{"access denied"}},
		{"set throttled", []ssmproxy.Option{ssmproxy.ThrottleFirst(1000)}, v, []string{"secret", "set", "K1", "--branch", "main"},
			[]string{"ssm:PutParameter on /amplify/testapp/main/K1: SSM is throttling requests and still was after 10 attempts"}},
		{"list throttled", []ssmproxy.Option{ssmproxy.ThrottleFirst(1000)}, "", []string{"secret", "list", "--branch", "main"},
			[]string{"SSM is throttling requests"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.put("/amplify/testapp/main/KEEP", fake("main", 99))
			p := ssmproxy.New(t, srv.URL, tt.opts...)
			t.Setenv("AWS_ENDPOINT_URL", p.URL)
			r := e.mustRun(1, tt.stdin, tt.args...)
			wantContains(t, "stderr", r.stderr, tt.stderr...)
			if diff := cmp.Diff(e.params(), map[string]string{"/amplify/testapp/main/KEEP": fake("main", 99)}); diff != "" {
				t.Errorf("parameters changed (-got +want):\n%s", diff)
			}
			if strings.Contains(tt.name, "throttled") {
				if got := p.Count(); got != ssmstore.DefaultMaxAttempts {
					t.Errorf("%d attempts, want %d", got, ssmstore.DefaultMaxAttempts)
				}
			}
		})
	}
	t.Run("throttling is retried", func(t *testing.T) {
		e := newEnv(t)
		p := ssmproxy.New(t, srv.URL, ssmproxy.ThrottleFirst(3))
		t.Setenv("AWS_ENDPOINT_URL", p.URL)
		e.mustRun(0, v, "secret", "set", "K1", "--branch", "main")
		if diff := cmp.Diff(e.params(), map[string]string{"/amplify/testapp/main/K1": v}); diff != "" {
			t.Errorf("parameters (-got +want):\n%s", diff)
		}
		if got := p.Count(); got != 4 {
			t.Errorf("%d requests, want 3 throttled and 1 more", got)
		}
	})
	t.Run("no credentials", func(t *testing.T) {
		e := newEnv(t)
		for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
			"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_WEB_IDENTITY_TOKEN_FILE"} {
			t.Setenv(k, "")
		}
		t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
		e.term = &fakeTerm{passwords: []string{v, v}}
		r := e.mustRun(1, "", "secret", "set", "K1", "--branch", "main")
		wantContains(t, "stderr", r.stderr, "no AWS credentials", "AWS_PROFILE", "AWS_ACCESS_KEY_ID")
		if ft := e.term.(*fakeTerm); len(ft.prompts) > 0 {
			t.Errorf("prompted %q before finding there are no credentials", ft.prompts)
		}
		t.Setenv("AWS_ACCESS_KEY_ID", "test")
		t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
		if len(e.params()) != 0 {
			t.Error("something was written")
		}
	})
	t.Run("no region", func(t *testing.T) {
		e := newEnv(t)
		t.Setenv("AWS_REGION", "")
		t.Setenv("AWS_DEFAULT_REGION", "")
		r := e.mustRun(1, v, "secret", "set", "K1", "--branch", "main")
		wantContains(t, "stderr", r.stderr, "no AWS region", "AWS_REGION")
	})
}

// TestCheckOneRound: check asks for every branch and shared name in one
// round of GetParameters calls of at most 10 names; then, as secrets are
// missing, lists the names (never a value) under the app's and the shared
// paths, once each, for near misses.
func TestCheckOneRound(t *testing.T) {
	e := checkEnv(t)
	p := ssmproxy.New(t, srv.URL)
	t.Setenv("AWS_ENDPOINT_URL", p.URL)
	e.mustRun(1, "", "secret", "check", "--branch", "main")
	var names []string
	gets, describes := 0, 0
	for _, r := range p.Requests() {
		switch r.Target {
		case "AmazonSSM.GetParameters":
			gets++
		case "AmazonSSM.DescribeParameters":
			describes++
			continue
		default:
			t.Errorf("unexpected call %s", r.Target)
		}
		if len(r.Names) > model.MaxNamesPerRequest {
			t.Errorf("GetParameters with %d names; SSM allows 10", len(r.Names))
		}
		names = append(names, r.Names...)
	}
	var want []string
	for _, s := range fixtureSecrets() {
		want = append(want, "/amplify/checkapp/main/"+s, "/amplify/shared/checkapp/"+s)
	}
	if diff := cmp.Diff(sorted(names), sorted(want)); diff != "" {
		t.Errorf("names asked for (-got +want):\n%s", diff)
	}
	if gets != 5 {
		t.Errorf("%d GetParameters calls, want 5 (50 names in chunks of 10)", gets)
	}
	if describes != 2 {
		t.Errorf("%d DescribeParameters calls, want 2 (/amplify/checkapp/ and /amplify/shared/checkapp/, nothing stored)", describes)
	}
}
