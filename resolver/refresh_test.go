package resolver_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/fnenv/fnenv/internal/ssmproxy"
	"github.com/fnenv/fnenv/resolver"
	"github.com/fnenv/fnenv/resolver/gensupport"
)

var oneSecret = gensupport.Declaration{Function: "say-hello", Vars: []gensupport.Var{{Name: "API_KEY", Secret: "MY_API_KEY"}, {Name: "GREETING"}}}

// fakeClock is a settable clock for WithClock.
type fakeClock struct{ ns atomic.Int64 }

func (c *fakeClock) now() time.Time      { return time.Unix(0, c.ns.Load()) }
func (c *fakeClock) add(d time.Duration) { c.ns.Add(int64(d)) }
func newClock() *fakeClock {
	c := &fakeClock{}
	c.ns.Store(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).UnixNano())
	return c
}

func TestRefreshReadsNowAndReplacesTheCache(t *testing.T) {
	c, p := setup(t, oneSecret)
	t.Setenv("GREETING", "hi")
	t.Setenv("FNENV_MAX_AGE", "1h")
	put(t, c, branchPrefix+"MY_API_KEY", "sk_test_fake_v1")
	clock := newClock()
	l := newLoader(oneSecret, resolver.WithClock(clock.now))
	first := load(t, l)

	// GIVEN a fresh cache and a rotated secret, WHEN Refresh, THEN it reads
	// the new value in one request, and Load returns it from then on.
	put(t, c, branchPrefix+"MY_API_KEY", "sk_test_fake_v2")
	got, err := l.Refresh(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got.Vals["API_KEY"] != "sk_test_fake_v2" || p.Count() != 2 {
		t.Fatalf("Refresh: API_KEY = %q after %d requests; want v2 after 2", got.Vals["API_KEY"], p.Count())
	}
	if again := load(t, l); again != got || p.Count() != 2 {
		t.Errorf("Load after Refresh: same Env = %v, requests = %d; want the refreshed Env, no request", again == got, p.Count())
	}
	if first.Vals["API_KEY"] != "sk_test_fake_v1" {
		t.Errorf("Refresh changed an Env handed out before")
	}

	// WHEN Refresh is called again within MinRefreshInterval, THEN it shares
	// the last round: no request, same Env.
	clock.add(resolver.MinRefreshInterval - time.Millisecond)
	if again, err := l.Refresh(context.Background()); err != nil || again != got || p.Count() != 2 {
		t.Errorf("Refresh within the interval = %v (same %v), requests = %d; want the same Env and no request", err, again == got, p.Count())
	}
	// After it, a new round.
	clock.add(time.Millisecond)
	if again, err := l.Refresh(context.Background()); err != nil || again == got || p.Count() != 3 {
		t.Errorf("Refresh after the interval = %v (same %v), requests = %d; want a new Env and 3 requests", err, again == got, p.Count())
	}
}

// A failed Refresh keeps the cache: Load still returns the last good Env.
func TestRefreshFailureKeepsTheCache(t *testing.T) {
	c, p := setup(t, oneSecret)
	t.Setenv("GREETING", "hi")
	t.Setenv("FNENV_MAX_AGE", "1h")
	put(t, c, branchPrefix+"MY_API_KEY", "sk_test_fake_v1")
	l := newLoader(oneSecret)
	good := load(t, l)
	if _, err := c.DeleteParameter(context.Background(), &ssm.DeleteParameterInput{Name: aws.String(branchPrefix + "MY_API_KEY")}); err != nil {
		t.Fatal(err)
	}
	got, err := l.Refresh(context.Background())
	var me *resolver.MissingSecretsError
	if got != nil || !errors.As(err, &me) {
		t.Fatalf("Refresh = %v, %v; want no Env and a *MissingSecretsError", got, err)
	}
	if again := load(t, l); again != good || p.Count() != 2 {
		t.Errorf("Load after a failed Refresh: same Env = %v, requests = %d; want the last good Env and no new request", again == good, p.Count())
	}
}

// Concurrent Refresh calls — a handler refreshing on every failed login
// during an outage — share one round.
func TestRefreshConcurrentShareOneRound(t *testing.T) {
	c, p := setup(t, oneSecret, ssmproxy.WithLatency(200*time.Millisecond))
	t.Setenv("GREETING", "hi")
	put(t, c, branchPrefix+"MY_API_KEY", "sk_test_fake_v1")
	l := newLoader(oneSecret)
	load(t, l)
	p.Reset()
	var wg sync.WaitGroup
	got := make([]*env, 32)
	errs := make([]error, len(got))
	for i := range got {
		wg.Go(func() { got[i], errs[i] = l.Refresh(context.Background()) })
	}
	wg.Wait()
	for i := range got {
		if errs[i] != nil || got[i] != got[0] {
			t.Fatalf("Refresh %d = %v (same Env %v); want every call to share one result", i, errs[i], got[i] == got[0])
		}
	}
	if p.Count() != 1 {
		t.Errorf("requests = %d for 32 concurrent Refreshes, want 1", p.Count())
	}
}

// Override makes Load and Refresh return the given value, reading nothing;
// restore puts back what was there, in reverse order, once.
func TestOverride(t *testing.T) {
	_, p := setup(t, oneSecret)
	unsetenv(t, "GREETING")           // Load would fail: a literal is missing
	t.Setenv("FNENV_SECRETS", "junk") // and FNENV_SECRETS is malformed
	l := newLoader(oneSecret)
	a, b := &env{Vals: map[string]string{"API_KEY": "a"}}, &env{Vals: map[string]string{"API_KEY": "b"}}

	restoreA := l.Override(a)
	restoreB := l.Override(b)
	for name, f := range map[string]func(context.Context) (*env, error){"Load": l.Load, "Refresh": l.Refresh} {
		if got, err := f(context.Background()); got != b || err != nil {
			t.Errorf("%s under Override = %v, %v; want the innermost override", name, got, err)
		}
	}
	restoreB()
	restoreB() // once only: does not undo A
	if got, _ := l.Load(context.Background()); got != a {
		t.Errorf("Load after restoring the inner override = %v, want the outer one", got)
	}
	restoreA()
	if got, err := l.Load(context.Background()); got != nil || err == nil {
		t.Errorf("Load after restoring every override = %v, %v; want its own resolution (an error here)", got, err)
	}
	if p.Count() != 0 {
		t.Errorf("requests = %d, want none", p.Count())
	}
}

// Values print with secrets masked in every verb and in slog.
func TestValuesPrintMasked(t *testing.T) {
	c, _ := setup(t, oneSecret)
	t.Setenv("GREETING", "hello")
	put(t, c, branchPrefix+"MY_API_KEY", "sk_test_fake_print_0042_xy")
	var vals *gensupport.Values
	l := resolver.NewLoader(oneSecret, func(v *gensupport.Values, lam resolver.Lambda) *env { vals = v; return &env{} })
	if _, err := l.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("values", "v", vals)
	for _, out := range []string{
		fmt.Sprintf("%v", vals), fmt.Sprintf("%+v", vals), fmt.Sprintf("%#v", vals), fmt.Sprintf("%s", vals),
		fmt.Sprintf("%v", *vals), fmt.Sprintf("%+v", *vals), fmt.Sprint(vals), vals.String(), vals.GoString(), buf.String(),
	} {
		if strings.Contains(out, "sk_test_fake") || !strings.Contains(out, "sk_t…xy") || !strings.Contains(out, "hello") {
			t.Errorf("printed %q; want the secret masked (sk_t…xy) and the literal as it is", out)
		}
	}
}
