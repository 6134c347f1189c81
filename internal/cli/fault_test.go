package cli

// The fault suite of docs/hardening.md: each case drives a command against
// moto behind a fault (internal/ssmproxy, or a socket that never answers)
// and asserts the exit code, the message, and that no value was lost or
// half-written.

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/google/go-cmp/cmp"

	"github.com/fnenv/fnenv/internal/ssmproxy"
)

// runWith runs args with the App adjusted by configure, under ctx, and
// returns the result and how long it took.
func (e *tenv) runWith(ctx context.Context, configure func(*App), stdin string, args ...string) (result, time.Duration) {
	e.t.Helper()
	a, out, errb := e.app(stdin)
	if configure != nil {
		configure(a)
	}
	start := time.Now()
	code := a.Run(ctx, args)
	took := time.Since(start)
	return e.finish(code, out, errb, args), took
}

// silentEndpoint accepts connections on localhost and never answers; it
// closes with the test.
func silentEndpoint(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return "http://" + l.Addr().String()
}

// refusedEndpoint is a localhost port nothing listens on.
func refusedEndpoint(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

// copyFixture seeds branch main with n secrets and returns name → value.
func copyFixture(e *tenv, n int) map[string]string { return e.seed("main", names("S", n)...) }

// checkCopied asserts that every parameter of feature-x holds its
// source's value (none half-written), that the source is intact, and
// returns the names copied.
func (e *tenv) checkCopied(src map[string]string, keep map[string]string) []string {
	e.t.Helper()
	var copied []string
	for p, v := range e.params() {
		switch {
		case strings.HasPrefix(p, "/amplify/testapp/main/"):
			n := strings.TrimPrefix(p, "/amplify/testapp/main/")
			if src[n] != v {
				e.t.Errorf("source %s changed", n)
			}
		case strings.HasPrefix(p, "/amplify/testapp/-feature-x-57c3e5c959/"):
			n := strings.TrimPrefix(p, "/amplify/testapp/-feature-x-57c3e5c959/")
			want, kept := keep[n]
			if !kept {
				want = src[n]
				copied = append(copied, n)
			}
			if v != want {
				e.t.Errorf("feature-x/%s holds %q, want %q", n, v, want)
			}
		}
	}
	if got := len(e.params()) - len(copied) - len(keep); got != len(src) {
		e.t.Errorf("%d source parameters left, want %d", got, len(src))
	}
	return sorted(copied)
}

// TestFaults: the CLI against a silent endpoint, a refused connection, a
// throttling storm, 5xx answers, an overall deadline and Ctrl-C.
func TestFaults(t *testing.T) {
	v := fake("main", 5)
	fast := func(a *App) { a.AttemptTimeout = 300 * time.Millisecond }

	t.Run("silent endpoint", func(t *testing.T) {
		e := newEnv(t)
		url := silentEndpoint(t)
		t.Setenv("AWS_ENDPOINT_URL", url)
		r, took := e.runWith(t.Context(), fast, v, "secret", "set", "K1", "--branch", "main", "--timeout", "3s")
		if r.code != ExitFailed {
			t.Fatalf("exit %d, want 1\n%s", r.code, r.stderr)
		}
		wantContains(t, "stderr", r.stderr,
			"ssm:PutParameter on /amplify/testapp/main/K1: stopped at the overall timeout of 3s (--timeout); the last attempt: "+url+" did not answer within 300ms (the timeout of one attempt)",
			"fnenv: "+url+" did not answer within 300ms (the timeout of one attempt); retrying (attempt",
			// It took the request and never answered: SSM might have.
			"the write of /amplify/testapp/main/K1 may or may not have reached SSM")
		if took > 5*time.Second {
			t.Errorf("took %s with --timeout 3s", took)
		}
	})
	t.Run("silent endpoint, Ctrl-C", func(t *testing.T) {
		e := newEnv(t)
		t.Setenv("AWS_ENDPOINT_URL", silentEndpoint(t))
		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(500*time.Millisecond, cancel)
		r, took := e.runWith(ctx, nil, v, "secret", "set", "K1", "--branch", "main")
		if r.code != ExitInterrupted {
			t.Fatalf("exit %d, want 130\n%s", r.code, r.stderr)
		}
		wantContains(t, "stderr", r.stderr, "interrupted", "may or may not have reached SSM", "fnenv secret get K1")
		if took > 2*time.Second {
			t.Errorf("took %s to stop after Ctrl-C at 0.5s", took)
		}
	})
	t.Run("refused connection", func(t *testing.T) {
		e := newEnv(t)
		url := refusedEndpoint(t)
		t.Setenv("AWS_ENDPOINT_URL", url)
		r, took := e.runWith(t.Context(), fast, "", "secret", "list", "--branch", "main", "--timeout", "5s")
		if r.code != ExitFailed {
			t.Fatalf("exit %d, want 1\n%s", r.code, r.stderr)
		}
		wantContains(t, "stderr", r.stderr, "ssm:GetParametersByPath on /amplify/testapp/main/: "+url+" refused the connection", "(10 attempts)")
		if took > 5*time.Second {
			t.Errorf("took %s", took)
		}
	})
	t.Run("throttling storm, then through", func(t *testing.T) {
		e := newEnv(t)
		src := copyFixture(e, 12)
		p := ssmproxy.New(t, srv.URL, ssmproxy.WithRate(20, 3))
		t.Setenv("AWS_ENDPOINT_URL", p.URL)
		// Backoff as in real use (capped lower to keep the test short).
		r, _ := e.runWith(t.Context(), func(a *App) { a.MaxBackoff = 300 * time.Millisecond }, "", "secret", "copy", "--from-branch", "main", "--to-branch", "feature/x")
		if r.code != 0 {
			t.Fatalf("exit %d\n%s", r.code, r.stderr)
		}
		wantContains(t, "stdout", r.stdout, "copied 12 secrets", "12 new, 0 overwritten, 0 skipped")
		if got := e.checkCopied(src, nil); len(got) != 12 {
			t.Errorf("%d copied, want 12", len(got))
		}
		throttled := 0
		for _, req := range p.Requests() {
			if req.Status == http.StatusBadRequest {
				throttled++
			}
		}
		if throttled == 0 {
			t.Error("the storm throttled nothing: the test proves nothing")
		}
	})
	t.Run("5xx, then through", func(t *testing.T) {
		e := newEnv(t)
		p := ssmproxy.New(t, srv.URL, ssmproxy.FailFirst(3, http.StatusServiceUnavailable))
		t.Setenv("AWS_ENDPOINT_URL", p.URL)
		e.mustRun(0, v, "secret", "set", "K1", "--branch", "main")
		if diff := cmp.Diff(e.params(), map[string]string{"/amplify/testapp/main/K1": v}); diff != "" {
			t.Errorf("parameters (-got +want):\n%s", diff)
		}
	})
	t.Run("5xx throughout", func(t *testing.T) {
		e := newEnv(t)
		e.put("/amplify/testapp/main/K1", fake("main", 6))
		p := ssmproxy.New(t, srv.URL, ssmproxy.FailFirst(1000, http.StatusInternalServerError))
		t.Setenv("AWS_ENDPOINT_URL", p.URL)
		r := e.mustRun(1, v, "secret", "set", "K1", "--branch", "main")
		wantContains(t, "stderr", r.stderr, "ssm:PutParameter on /amplify/testapp/main/K1: "+p.URL+" answered HTTP 500", "(10 attempts)", "nothing was written")
		if got := e.params()["/amplify/testapp/main/K1"]; got != fake("main", 6) {
			t.Errorf("K1 = %q, want the earlier value", got)
		}
	})
	// The second PutParameter reaches moto and its answer is lost until
	// the deadline: the report must count S_00 copied, S_01 in doubt (it
	// is in SSM), and the rest not copied — exactly what moto holds.
	t.Run("deadline mid-copy", func(t *testing.T) {
		e := newEnv(t)
		src := copyFixture(e, 8)
		p := ssmproxy.New(t, srv.URL, ssmproxy.LoseAnswer("AmazonSSM.PutParameter", 2))
		t.Setenv("AWS_ENDPOINT_URL", p.URL)
		r, took := e.runWith(t.Context(), nil, "", "secret", "copy", "--from-branch", "main", "--to-branch", "feature/x", "--timeout", "3s")
		if r.code != ExitFailed {
			t.Fatalf("exit %d, want 1\n%s", r.code, r.stderr)
		}
		if diff := cmp.Diff(e.checkCopied(src, nil), []string{"S_00", "S_01"}); diff != "" {
			t.Errorf("in SSM (-got +want):\n%s", diff)
		}
		wantStdout := "copied 1 secret from branch main to branch feature/x (/amplify/testapp/-feature-x-57c3e5c959/): 1 new, 0 overwritten, 0 skipped\n" +
			"may or may not have been written (SSM's answer was lost; fnenv secret list --branch feature/x shows them): S_01\n"
		if diff := cmp.Diff(r.stdout, wantStdout); diff != "" {
			t.Errorf("stdout (-got +want):\n%s", diff)
		}
		wantContains(t, "stderr", r.stderr, "ssm:PutParameter on /amplify/testapp/-feature-x-57c3e5c959/S_01: no answer from "+p.URL+" within the overall timeout of 3s (--timeout)",
			"the copy stopped at S_01, whose write may or may not have reached SSM; not copied: S_02, S_03, S_04, S_05, S_06, S_07\n")
		if took > 5*time.Second {
			t.Errorf("took %s with --timeout 3s", took)
		}
	})
	// The write reaches moto and its answer is lost until the deadline:
	// none of it, or its headers without its body. Only a whole answer
	// says whether the write took effect.
	for _, fault := range []struct {
		name string
		opt  ssmproxy.Option
	}{
		{"deadline mid-set, the write in SSM", ssmproxy.LoseAnswer("AmazonSSM.PutParameter", 1)},
		{"deadline mid-set, the answer cut after its headers", ssmproxy.LoseBody("AmazonSSM.PutParameter", 1)},
	} {
		t.Run(fault.name, func(t *testing.T) {
			e := newEnv(t)
			p := ssmproxy.New(t, srv.URL, fault.opt)
			t.Setenv("AWS_ENDPOINT_URL", p.URL)
			r, _ := e.runWith(t.Context(), nil, v, "secret", "set", "K1", "--branch", "main", "--app-id", "testapp", "--prefix", "/amplify", "--timeout", "1s")
			if r.code != ExitFailed {
				t.Fatalf("exit %d, want 1\n%s", r.code, r.stderr)
			}
			wantContains(t, "stderr", r.stderr, "the write of /amplify/testapp/main/K1 may or may not have reached SSM: fnenv secret get K1 --branch main --app-id testapp --prefix /amplify shows its version")
			if strings.Contains(r.stderr, "nothing was written") {
				t.Errorf("stderr says nothing was written, and moto holds the value:\n%s", r.stderr)
			}
			if diff := cmp.Diff(e.params(), map[string]string{"/amplify/testapp/main/K1": v}); diff != "" {
				t.Errorf("parameters (-got +want):\n%s", diff)
			}
		})
	}
	t.Run("deadline mid-remove, the delete in SSM", func(t *testing.T) {
		e := newEnv(t)
		e.seed("main", names("S", 12)...)
		p := ssmproxy.New(t, srv.URL, ssmproxy.LoseAnswer("AmazonSSM.DeleteParameters", 2))
		t.Setenv("AWS_ENDPOINT_URL", p.URL)
		r, _ := e.runWith(t.Context(), nil, "", "secret", "remove", "--all", "--branch", "main", "--app-id", "testapp", "--yes", "--timeout", "2s")
		if r.code != ExitFailed {
			t.Fatalf("exit %d, want 1\n%s", r.code, r.stderr)
		}
		// Ten names a call: the second call (S_10, S_11) took effect unseen.
		wantContains(t, "stdout", r.stdout, "removed 10 from branch main (/amplify/testapp/main/): S_00, S_01, S_02, S_03, S_04, S_05, S_06, S_07, S_08, S_09\n")
		wantContains(t, "stderr", r.stderr, "removed 10 of 12 before it (listed above); may or may not have been removed (SSM's answer was lost; fnenv secret list --branch main --app-id testapp shows them): S_10, S_11; not removed: none")
		if diff := cmp.Diff(e.params(), map[string]string{}); diff != "" {
			t.Errorf("parameters (-got +want):\n%s", diff)
		}
	})
	t.Run("deadline mid-check", func(t *testing.T) {
		e := checkEnv(t)
		p := ssmproxy.New(t, srv.URL, ssmproxy.WithLatency(3*time.Second))
		t.Setenv("AWS_ENDPOINT_URL", p.URL)
		r, _ := e.runWith(t.Context(), nil, "", "secret", "check", "--branch", "main", "--timeout", "1s")
		if r.code != ExitFailed {
			t.Fatalf("exit %d, want 1\n%s", r.code, r.stderr)
		}
		wantContains(t, "stderr", r.stderr, "ssm:GetParameters on /amplify/", "no answer from "+p.URL+" within the overall timeout of 1s (--timeout)")
	})
}

// TestCopyFaults: a denied parameter, a teammate writing during the copy,
// and Ctrl-C: copy never overwrites without --overwrite, reports exactly,
// and leaves every parameter whole.
func TestCopyFaults(t *testing.T) {
	t.Run("access denied on one parameter", func(t *testing.T) {
		e := newEnv(t)
		src := copyFixture(e, 5)
		p := ssmproxy.New(t, srv.URL, ssmproxy.DenyAccess("/amplify/testapp/-feature-x-57c3e5c959/S_02"))
		t.Setenv("AWS_ENDPOINT_URL", p.URL)
		r := e.mustRun(1, "", "secret", "copy", "--from-branch", "main", "--to-branch", "feature/x")
		wantContains(t, "stderr", r.stderr, "ssm:PutParameter on /amplify/testapp/-feature-x-57c3e5c959/S_02: access denied", "need ssm:PutParameter",
			"the copy stopped at S_02", "not copied: S_02, S_03, S_04")
		wantContains(t, "stdout", r.stdout, "copied 2 secrets", "2 new, 0 overwritten, 0 skipped")
		if diff := cmp.Diff(e.checkCopied(src, nil), []string{"S_00", "S_01"}); diff != "" {
			t.Errorf("copied (-got +want):\n%s", diff)
		}
	})
	t.Run("a teammate sets secrets during the copy", func(t *testing.T) {
		e := newEnv(t)
		src := copyFixture(e, 10)
		p := ssmproxy.New(t, srv.URL, ssmproxy.WithLatency(150*time.Millisecond))
		t.Setenv("AWS_ENDPOINT_URL", p.URL)
		teammate := map[string]string{}
		done := make(chan result)
		go func() { done <- e.run("", "secret", "copy", "--from-branch", "main", "--to-branch", "feature/x") }()
		// Once the copy has listed the target and started writing, a
		// teammate sets later names on it.
		for lastTarget(p) != "AmazonSSM.PutParameter" {
			time.Sleep(5 * time.Millisecond)
		}
		for i := 6; i < 10; i++ {
			n := fmt.Sprintf("S_%02d", i)
			teammate[n] = fake("teammate", i)
			e.put("/amplify/testapp/-feature-x-57c3e5c959/"+n, teammate[n])
		}
		r := <-done
		if r.code != 0 {
			t.Fatalf("exit %d\n%s", r.code, r.stderr)
		}
		wantContains(t, "stdout", r.stdout, "copied 6 secrets", "6 new, 0 overwritten, 4 skipped", "S_06, S_07, S_08, S_09")
		e.checkCopied(src, teammate)
	})
	// The first attempt of S_01 reaches moto and its answer is lost past
	// the attempt's timeout — none of it, or its headers without its
	// body — and the SDK retries; the retry finds S_01 there. Ours or a
	// teammate's, nobody can say: neither "new" nor "skipped, already set".
	for _, fault := range []struct {
		name string
		opt  ssmproxy.Option
	}{
		{"an answer lost, the retry finds the parameter", ssmproxy.LoseAnswer("AmazonSSM.PutParameter", 2)},
		{"an answer cut after its headers, the retry finds the parameter", ssmproxy.LoseBody("AmazonSSM.PutParameter", 2)},
	} {
		t.Run(fault.name, func(t *testing.T) {
			e := newEnv(t)
			src := copyFixture(e, 3)
			p := ssmproxy.New(t, srv.URL, fault.opt)
			t.Setenv("AWS_ENDPOINT_URL", p.URL)
			r, _ := e.runWith(t.Context(), func(a *App) { a.AttemptTimeout = 500 * time.Millisecond }, "", "secret", "copy", "--from-branch", "main", "--to-branch", "feature/x")
			if r.code != 0 {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			wantStdout := "copied 2 secrets from branch main to branch feature/x (/amplify/testapp/-feature-x-57c3e5c959/): 2 new, 0 overwritten, 0 skipped\n" +
				"may or may not have been written (SSM's answer was lost; fnenv secret list --branch feature/x shows them): S_01\n"
			if diff := cmp.Diff(r.stdout, wantStdout); diff != "" {
				t.Errorf("stdout (-got +want):\n%s", diff)
			}
			if diff := cmp.Diff(e.checkCopied(src, nil), []string{"S_00", "S_01", "S_02"}); diff != "" {
				t.Errorf("in SSM (-got +want):\n%s", diff)
			}
			if n := puts(p); n != 4 {
				t.Errorf("%d PutParameter requests, want 4 (S_01's retried once): the test proves nothing", n)
			}
		})
	}
	t.Run("Ctrl-C mid-copy", func(t *testing.T) {
		e := newEnv(t)
		src := copyFixture(e, 10)
		p := ssmproxy.New(t, srv.URL, ssmproxy.WithLatency(100*time.Millisecond))
		t.Setenv("AWS_ENDPOINT_URL", p.URL)
		ctx, cancel := context.WithCancel(t.Context())
		go func() {
			for puts(p) < 4 {
				time.Sleep(5 * time.Millisecond)
			}
			cancel()
		}()
		r, took := e.runWith(ctx, nil, "", "secret", "copy", "--from-branch", "main", "--to-branch", "feature/x")
		if r.code != ExitInterrupted {
			t.Fatalf("exit %d, want 130\n%s", r.code, r.stderr)
		}
		copied := e.checkCopied(src, nil)
		if len(copied) < 3 || len(copied) > 4 {
			t.Errorf("%d copied, want 3 (and the fourth, in flight, whole or absent)", len(copied))
		}
		wantContains(t, "stderr", r.stderr, "interrupted", "the copy stopped at S_03, whose write may or may not have reached SSM; not copied: S_04, S_05, S_06, S_07, S_08, S_09\n")
		wantContains(t, "stdout", r.stdout, "copied 3 secrets", "3 new", "may or may not have been written (SSM's answer was lost; fnenv secret list --branch feature/x shows them): S_03\n")
		if took > 3*time.Second {
			t.Errorf("took %s", took)
		}
		// Run again: the rest is copied, nothing overwritten.
		r = e.mustRun(0, "", "secret", "copy", "--from-branch", "main", "--to-branch", "feature/x")
		wantContains(t, "stdout", r.stdout, fmt.Sprintf("%d new, 0 overwritten, %d skipped", 10-len(copied), len(copied)))
		if got := e.checkCopied(src, nil); len(got) != 10 {
			t.Errorf("%d copied after the second run, want 10", len(got))
		}
	})
}

func lastTarget(p *ssmproxy.Proxy) string {
	rs := p.Requests()
	if len(rs) == 0 {
		return ""
	}
	return rs[len(rs)-1].Target
}

func puts(p *ssmproxy.Proxy) int {
	n := 0
	for _, r := range p.Requests() {
		if r.Target == "AmazonSSM.PutParameter" {
			n++
		}
	}
	return n
}

// TestConcurrentSetAndCopy: several `set` and a `copy` onto one branch at
// once; the sets always win, the copy fills only what nobody set.
func TestConcurrentSetAndCopy(t *testing.T) {
	e := newEnv(t)
	src := copyFixture(e, 10)
	p := ssmproxy.New(t, srv.URL, ssmproxy.WithLatency(50*time.Millisecond))
	t.Setenv("AWS_ENDPOINT_URL", p.URL)
	var wg sync.WaitGroup
	results := make([]result, 6)
	teammate := map[string]string{}
	for i := range 5 {
		n := fmt.Sprintf("S_%02d", 2*i+1)
		v := fake("teammate", i)
		teammate[n] = v
		wg.Go(func() { results[i] = e.run(v, "secret", "set", n, "--branch", "feature/x") })
	}
	wg.Go(func() { results[5] = e.run("", "secret", "copy", "--from-branch", "main", "--to-branch", "feature/x") })
	wg.Wait()
	for i, r := range results {
		if r.code != 0 {
			t.Errorf("command %d: exit %d\n%s", i, r.code, r.stderr)
		}
	}
	wantContains(t, "copy's stdout", results[5].stdout, "0 overwritten")
	copied := e.checkCopied(src, teammate)
	if len(copied) != 5 {
		t.Errorf("%d copied, want the 5 nobody set", len(copied))
	}
	if !strings.Contains(results[5].stdout, fmt.Sprintf("%d new", len(copied))) {
		t.Errorf("the report does not count %d new:\n%s", len(copied), results[5].stdout)
	}
}

// TestCopyCarriesTierAndKey: an Advanced-tier parameter stays Advanced and
// a customer key stays the key.
func TestCopyCarriesTierAndKey(t *testing.T) {
	e := newEnv(t)
	big := strings.Repeat("b", 5000)
	fakes[big] = true
	put := func(name, value, tier, key string) {
		in := &ssm.PutParameterInput{Name: aws.String(name), Value: aws.String(value), Type: "SecureString", Overwrite: aws.Bool(true)}
		if tier != "" {
			in.Tier = types.ParameterTier(tier)
		}
		if key != "" {
			in.KeyId = aws.String(key)
		}
		if _, err := e.ssm.PutParameter(t.Context(), in); err != nil {
			t.Fatal(err)
		}
	}
	put("/amplify/testapp/main/BIG", big, "Advanced", "")
	put("/amplify/testapp/main/KEYED", fake("main", 1), "", "alias/team-key")
	put("/amplify/testapp/main/PLAIN", fake("main", 2), "", "")
	e.mustRun(0, "", "secret", "copy", "--from-branch", "main", "--to-branch", "feature/x")
	got := map[string]string{}
	out, err := e.ssm.DescribeParameters(t.Context(), &ssm.DescribeParametersInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range out.Parameters {
		if n := aws.ToString(m.Name); strings.HasPrefix(n, "/amplify/testapp/-feature-x-57c3e5c959/") {
			got[strings.TrimPrefix(n, "/amplify/testapp/-feature-x-57c3e5c959/")] = string(m.Tier) + " " + aws.ToString(m.KeyId)
		}
	}
	want := map[string]string{"BIG": "Advanced alias/aws/ssm", "KEYED": "Standard alias/team-key", "PLAIN": "Standard alias/aws/ssm"}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("tier and key of the copies (-got +want):\n%s", diff)
	}
	if e.params()["/amplify/testapp/-feature-x-57c3e5c959/BIG"] != big {
		t.Error("BIG was not copied whole")
	}
}
