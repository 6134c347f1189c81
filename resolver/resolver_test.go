package resolver_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/google/go-cmp/cmp"

	"github.com/fnenv/fnenv/internal/moto"
	"github.com/fnenv/fnenv/internal/ssmproxy"
	"github.com/fnenv/fnenv/resolver"
	"github.com/fnenv/fnenv/resolver/gensupport"
)

const (
	branchPrefix = "/amplify/fnenv-test/feature-login/"
	sharedPrefix = "/amplify/shared/fnenv-test/"
)

var server *moto.Server

func TestMain(m *testing.M) {
	code := func() int {
		if !slices.Contains(os.Args, "-test.run=^$") { // benchmarks alone need no moto
			s, err := moto.Start(context.Background())
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
			defer s.Stop()
			server = s
		}
		return m.Run()
	}()
	os.Exit(code)
}

// env is the test's stand-in for a generated Env.
type env struct {
	Vals   map[string]string
	Lambda resolver.Lambda
}

func build(spec gensupport.Declaration) func(*gensupport.Values, resolver.Lambda) *env {
	return func(v *gensupport.Values, lam resolver.Lambda) *env {
		e := &env{Vals: map[string]string{}, Lambda: lam}
		for _, x := range spec.Vars {
			e.Vals[x.Name] = v.Get(x.Name)
		}
		return e
	}
}

func newLoader(spec gensupport.Declaration, opts ...resolver.Option) *resolver.Loader[env] {
	return resolver.NewLoader(spec, build(spec), opts...)
}

// setup resets moto, points the environment at it through a proxy, as a
// Lambda execution environment with the given secret variables, and
// returns an SSM client straight to moto and the proxy.
func setup(t *testing.T, spec gensupport.Declaration, opts ...ssmproxy.Option) (*ssm.Client, *ssmproxy.Proxy) {
	t.Helper()
	if server == nil {
		t.Skip("moto not started")
	}
	if err := server.Reset(); err != nil {
		t.Fatal(err)
	}
	server.Setenv(t)
	c, err := resolver.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	p := ssmproxy.New(t, server.URL, opts...)
	t.Setenv("AWS_ENDPOINT_URL", p.URL)
	t.Setenv("AWS_LAMBDA_FUNCTION_NAME", "fnenv-test-SayHello1A2B")
	t.Setenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
	t.Setenv("FNENV_BRANCH_PREFIX", branchPrefix)
	t.Setenv("FNENV_SHARED_PREFIX", sharedPrefix)
	t.Setenv("FNENV_MAX_AGE", "0s")
	var pairs []string
	for _, v := range spec.Vars {
		if v.Secret != "" {
			pairs = append(pairs, v.Name+"="+v.Secret)
		}
	}
	t.Setenv("FNENV_SECRETS", strings.Join(pairs, ","))
	unsetenv(t, "FNENV_DOTENV")
	return c, p
}

func unsetenv(t *testing.T, key string) {
	t.Setenv(key, "")
	os.Unsetenv(key)
}

func put(t *testing.T, c *ssm.Client, name, value string) {
	t.Helper()
	_, err := c.PutParameter(context.Background(), &ssm.PutParameterInput{
		Name: aws.String(name), Value: aws.String(value), Type: types.ParameterTypeSecureString, Overwrite: aws.Bool(true),
	})
	if err != nil {
		t.Fatalf("put %s: %v", name, err)
	}
}

func load(t *testing.T, l *resolver.Loader[env]) *env {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	e, err := l.Load(ctx)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return e
}

func names(p *ssmproxy.Proxy) []string {
	var out []string
	for _, r := range p.Requests() {
		out = append(out, r.Names...)
	}
	slices.Sort(out)
	return out
}

var sayHello = gensupport.Declaration{Function: "say-hello", Vars: []gensupport.Var{
	{Name: "API_KEY", Secret: "MY_API_KEY"},
	{Name: "GREETING"},
	{Name: "STRIPE_KEY", Secret: "STRIPE_KEY"},
	{Name: "STRIPE_KEY_COPY", Secret: "STRIPE_KEY"},
}}

func TestLoadBranchAndShared(t *testing.T) {
	tests := []struct {
		name           string
		branch, shared map[string]string // secret -> value
		want           map[string]string
	}{
		{
			name:   "only on the branch",
			branch: map[string]string{"MY_API_KEY": "sk_test_fake_branch_0001", "STRIPE_KEY": "sk_test_fake_branch_0002"},
			want:   map[string]string{"API_KEY": "sk_test_fake_branch_0001", "GREETING": "Hello", "STRIPE_KEY": "sk_test_fake_branch_0002", "STRIPE_KEY_COPY": "sk_test_fake_branch_0002"},
		},
		{
			name:   "only shared",
			shared: map[string]string{"MY_API_KEY": "sk_test_fake_shared_0001", "STRIPE_KEY": "sk_test_fake_shared_0002"},
			want:   map[string]string{"API_KEY": "sk_test_fake_shared_0001", "GREETING": "Hello", "STRIPE_KEY": "sk_test_fake_shared_0002", "STRIPE_KEY_COPY": "sk_test_fake_shared_0002"},
		},
		{
			name:   "on both: the branch wins",
			branch: map[string]string{"MY_API_KEY": "sk_test_fake_branch_0001"},
			shared: map[string]string{"MY_API_KEY": "sk_test_fake_shared_0001", "STRIPE_KEY": "sk_test_fake_shared_0002"},
			want:   map[string]string{"API_KEY": "sk_test_fake_branch_0001", "GREETING": "Hello", "STRIPE_KEY": "sk_test_fake_shared_0002", "STRIPE_KEY_COPY": "sk_test_fake_shared_0002"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, p := setup(t, sayHello)
			t.Setenv("GREETING", "Hello")
			for s, v := range tt.branch {
				put(t, c, branchPrefix+s, v)
			}
			for s, v := range tt.shared {
				put(t, c, sharedPrefix+s, v)
			}
			got := load(t, newLoader(sayHello))
			if diff := cmp.Diff(got.Vals, tt.want); diff != "" {
				t.Errorf("values (-got +want):\n%s", diff)
			}
			if got.Lambda.FunctionName != "fnenv-test-SayHello1A2B" || got.Lambda.MemorySizeMiB != 256 || got.Lambda.Region != moto.Region {
				t.Errorf("Lambda = %+v, want the function name, 256 MiB and region %s", got.Lambda, moto.Region)
			}
			// One request; STRIPE_KEY, held by two variables, asked for once.
			wantNames := []string{
				sharedPrefix + "MY_API_KEY", sharedPrefix + "STRIPE_KEY",
				branchPrefix + "MY_API_KEY", branchPrefix + "STRIPE_KEY",
			}
			slices.Sort(wantNames)
			if diff := cmp.Diff(names(p), wantNames); diff != "" {
				t.Errorf("names requested (-got +want):\n%s", diff)
			}
			if n := p.Count(); n != 1 {
				t.Errorf("requests = %d, want 1", n)
			}
		})
	}
}

func TestLoadMissing(t *testing.T) {
	spec := gensupport.Declaration{Function: "say-hello", Vars: []gensupport.Var{
		{Name: "API_KEY", Secret: "MY_API_KEY"},
		{Name: "DB_PASSWORD", Secret: "DB_PASSWORD"},
		{Name: "OTHER_KEY", Secret: "OTHER_KEY"},
		{Name: "WEBHOOK", Secret: "DB_PASSWORD"},
		{Name: "TYPO", Secret: "OTHER_KYE"}, // a typo of OTHER_KEY, which is set
	}}
	c, _ := setup(t, spec)
	put(t, c, sharedPrefix+"OTHER_KEY", "sk_test_fake_shared_0003")

	e, err := newLoader(spec).Load(context.Background())
	if e != nil {
		t.Errorf("Load returned an Env along with the error: %+v", e)
	}
	want := "fnenv: function \"say-hello\": 3 secrets are not set in SSM Parameter Store, neither on branch \"feature-login\" nor shared:\n" +
		"  MY_API_KEY (for API_KEY): tried /amplify/fnenv-test/feature-login/MY_API_KEY and /amplify/shared/fnenv-test/MY_API_KEY; set it with `fnenv secret set MY_API_KEY --branch feature-login` (or --shared for every branch)\n" +
		"  DB_PASSWORD (for DB_PASSWORD, WEBHOOK): tried /amplify/fnenv-test/feature-login/DB_PASSWORD and /amplify/shared/fnenv-test/DB_PASSWORD; set it with `fnenv secret set DB_PASSWORD --branch feature-login` (or --shared for every branch)\n" +
		"  OTHER_KYE (for TYPO): tried /amplify/fnenv-test/feature-login/OTHER_KYE and /amplify/shared/fnenv-test/OTHER_KYE; did you mean OTHER_KEY (set shared)? set it with `fnenv secret set OTHER_KYE --branch feature-login` (or --shared for every branch)\n" +
		"  `fnenv secret check --branch feature-login` (after a synth) lists the names set near these; run fnenv as `go tool fnenv` where it is a tool of the app's module"
	if err == nil {
		t.Fatal("Load: no error")
	}
	if diff := cmp.Diff(err.Error(), want); diff != "" {
		t.Errorf("error (-got +want):\n%s", diff)
	}
	var me *resolver.MissingSecretsError
	if !errors.As(err, &me) || len(me.Secrets) != 3 {
		t.Errorf("errors.As(*MissingSecretsError) = %v, %+v", errors.As(err, &me), me)
	}
	if strings.Contains(err.Error(), "sk_test_fake") {
		t.Errorf("the error holds a value: %v", err)
	}
}

func TestLoadManySecretsOneRound(t *testing.T) {
	spec := gensupport.Declaration{Function: "many"}
	for i := range 25 {
		spec.Vars = append(spec.Vars, gensupport.Var{Name: fmt.Sprintf("VAR_%02d", i), Secret: fmt.Sprintf("SECRET_%02d", i)})
	}
	// 25 secrets → 50 names → 5 requests of 10. HoldUntil(5) answers none
	// until all 5 have arrived: a client waiting for one response before
	// sending the next request never gets there.
	c, p := setup(t, spec, ssmproxy.HoldUntil(5, 10*time.Second))
	want := map[string]string{}
	var wantNames []string
	for i, v := range spec.Vars {
		val := fmt.Sprintf("sk_test_fake_%02d", i)
		if i%2 == 0 {
			put(t, c, branchPrefix+v.Secret, val)
		} else {
			put(t, c, sharedPrefix+v.Secret, val)
		}
		want[v.Name] = val
		wantNames = append(wantNames, branchPrefix+v.Secret, sharedPrefix+v.Secret)
	}
	slices.Sort(wantNames)

	got := load(t, newLoader(spec))
	if diff := cmp.Diff(got.Vals, want); diff != "" {
		t.Errorf("values (-got +want):\n%s", diff)
	}
	if !p.Held() {
		t.Errorf("the 5 requests were not all in flight together: not one round")
	}
	reqs := p.Requests()
	if len(reqs) != 5 {
		t.Errorf("requests = %d, want 5", len(reqs))
	}
	for _, r := range reqs {
		if len(r.Names) > 10 {
			t.Errorf("a request asked for %d names, more than SSM's 10", len(r.Names))
		}
	}
	if diff := cmp.Diff(names(p), wantNames); diff != "" {
		t.Errorf("names requested, each once (-got +want):\n%s", diff)
	}
}

func TestLoadThrottled(t *testing.T) {
	spec := gensupport.Declaration{Function: "many"}
	for i := range 12 {
		spec.Vars = append(spec.Vars, gensupport.Var{Name: fmt.Sprintf("VAR_%02d", i), Secret: fmt.Sprintf("SECRET_%02d", i)})
	}
	resolver.FastRetries(t)
	c, p := setup(t, spec, ssmproxy.ThrottleFirst(5))
	want := map[string]string{}
	for i, v := range spec.Vars {
		val := fmt.Sprintf("sk_test_fake_%02d", i)
		put(t, c, sharedPrefix+v.Secret, val)
		want[v.Name] = val
	}
	got := load(t, newLoader(spec))
	if diff := cmp.Diff(got.Vals, want); diff != "" {
		t.Errorf("values (-got +want):\n%s", diff)
	}
	throttled := 0
	for _, r := range p.Requests() {
		if r.Status == 400 {
			throttled++
		}
	}
	if throttled != 5 || p.Count() != 8 {
		t.Errorf("throttled %d of %d requests, want 5 of 8 (3 chunks, the first retried alone until answered)", throttled, p.Count())
	}
	// While no chunk is answered only the first retries; then the others
	// are sent.
	reqs := p.Requests()
	first := branchPrefix + spec.Vars[0].Secret // in the first chunk
	for i, r := range reqs[3:6] {
		if !slices.Contains(r.Names, first) {
			t.Errorf("retry %d asks for %v, want the chunk holding %s: one request at a time while none is answered", i+1, r.Names, first)
		}
	}
}

func TestLoadThrottledUntilDeadline(t *testing.T) {
	spec := gensupport.Declaration{Function: "say-hello", Vars: []gensupport.Var{{Name: "API_KEY", Secret: "MY_API_KEY"}}}
	resolver.FastRetries(t)
	_, p := setup(t, spec, ssmproxy.ThrottleFirst(1_000_000))
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	e, err := newLoader(spec).Load(ctx)
	if e != nil || err == nil {
		t.Fatalf("Load = %v, %v; want no Env and an error", e, err)
	}
	for _, want := range []string{"MY_API_KEY", branchPrefix + "MY_API_KEY", sharedPrefix + "MY_API_KEY",
		"throttled all", "until the deadline", "aws ssm update-service-setting --setting-id arn:aws:ssm:<region>:<account>:servicesetting/ssm/parameter-store/high-throughput-enabled --setting-value true"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %s", err, want)
		}
	}
	if p.Count() < 2 {
		t.Errorf("requests = %d, want retries", p.Count())
	}
	var re *resolver.RequestError
	if !errors.As(err, &re) || re.ThrottledAttempts != p.Count() {
		t.Errorf("RequestError.ThrottledAttempts = %v, want %d (every request sent)", re, p.Count())
	}
	t.Logf("error: %v (after %d requests)", err, p.Count())
}

// A function in a VPC without a route to SSM sees no answer until its
// deadline: the error says so, with the endpoint to add.
func TestLoadNoAnswerUntilDeadline(t *testing.T) {
	spec := gensupport.Declaration{Function: "say-hello", Vars: []gensupport.Var{{Name: "API_KEY", Secret: "MY_API_KEY"}}}
	setup(t, spec, ssmproxy.WithLatency(5*time.Second))
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := newLoader(spec).Load(ctx)
	if err == nil || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Load error = %v, want the deadline", err)
	}
	for _, want := range []string{"MY_API_KEY", "gave up at the context's deadline",
		"a function in a VPC without a route to SSM waits until then: give its subnets a NAT gateway or the VPC an interface endpoint for com.amazonaws.<region>.ssm"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}

func TestLoadAccessDenied(t *testing.T) {
	spec := gensupport.Declaration{Function: "say-hello", Vars: []gensupport.Var{{Name: "API_KEY", Secret: "MY_API_KEY"}}}
	c, _ := setup(t, spec, ssmproxy.DenyAccess())
	put(t, c, branchPrefix+"MY_API_KEY", "sk_test_fake_branch_0001")

	e, err := newLoader(spec).Load(context.Background())
	if e != nil || err == nil {
		t.Fatalf("Load = %v, %v; want no Env and an error", e, err)
	}
	msg := err.Error()
	t.Logf("error: %v", msg)
	for _, want := range []string{
		`fnenv: function "say-hello": reading secrets MY_API_KEY from SSM (parameters /amplify/fnenv-test/feature-login/MY_API_KEY, /amplify/shared/fnenv-test/MY_API_KEY): `,
		"AccessDeniedException",
		"the function's role must allow ssm:GetParameters on both parameters of each secret",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q\ndoes not contain %q", msg, want)
		}
	}
	if strings.Contains(msg, "sk_test_fake") {
		t.Errorf("the error holds a value: %v", msg)
	}
	var re *resolver.RequestError
	if !errors.As(err, &re) {
		t.Errorf("errors.As(*RequestError) = false for %v", err)
	}
}

func TestLoadStale(t *testing.T) {
	spec := gensupport.Declaration{Function: "say-hello", Vars: []gensupport.Var{
		{Name: "API_KEY", Secret: "MY_API_KEY"},
		{Name: "GREETING"},
		{Name: "TOKEN", Secret: "TOKEN"},
	}}
	_, p := setup(t, spec)
	t.Setenv("FNENV_SECRETS", "API_KEY=OLD_API_KEY,GREETING=GREETING")
	unsetenv(t, "GREETING")

	e, err := newLoader(spec).Load(context.Background())
	if e != nil || err == nil {
		t.Fatalf("Load = %v, %v; want no Env and an error", e, err)
	}
	want := "fnenv: function \"say-hello\": the env package does not match the function's configuration: run `fnenv gen` and redeploy (outside Lambda, set the variables or use FNENV_DOTENV):\n" +
		"  literal GREETING is not set in the environment\n" +
		"  API_KEY holds secret MY_API_KEY here but FNENV_SECRETS maps it to secret OLD_API_KEY\n" +
		"  GREETING is not a secret here but FNENV_SECRETS maps it to secret GREETING\n" +
		"  secret variable TOKEN (secret TOKEN) is not in FNENV_SECRETS"
	if diff := cmp.Diff(err.Error(), want); diff != "" {
		t.Errorf("error (-got +want):\n%s", diff)
	}
	if p.Count() != 0 {
		t.Errorf("requests = %d, want none for a stale env package", p.Count())
	}
}

// TestLoadBadConfiguration: a configuration variable fnenv's construct
// would never write is named with its rule and the fix, a redeploy — not a
// secret to set nor a package to regenerate — and nothing is read.
func TestLoadBadConfiguration(t *testing.T) {
	spec := gensupport.Declaration{Function: "say-hello", Vars: []gensupport.Var{
		{Name: "API_KEY", Secret: "MY_API_KEY"},
		{Name: "TOKEN", Secret: "TOKEN"},
	}}
	tests := []struct {
		name, key, value string
		want             string
	}{
		{"space after a comma", "FNENV_SECRETS", "API_KEY=MY_API_KEY, TOKEN=TOKEN", `FNENV_SECRETS: pair " TOKEN=TOKEN" names variable " TOKEN", which is not a variable key ([a-zA-Z][a-zA-Z0-9_]+)`},
		{"space in a name", "FNENV_SECRETS", "API_KEY=MY API_KEY,TOKEN=TOKEN", `FNENV_SECRETS: pair "API_KEY=MY API_KEY" names no reference: secret name "MY API_KEY" must match [a-zA-Z0-9_.-]+`},
		{"no '='", "FNENV_SECRETS", "API_KEY,TOKEN=TOKEN", `FNENV_SECRETS: pair "API_KEY" is not VAR=REF`},
		{"branch prefix without slashes", "FNENV_BRANCH_PREFIX", "amplify/app/main", `FNENV_BRANCH_PREFIX="amplify/app/main" must be a parameter path that starts and ends with '/'`},
		{"branch prefix with a space", "FNENV_BRANCH_PREFIX", "/amplify/app/ma in/", `FNENV_BRANCH_PREFIX="/amplify/app/ma in/": level "ma in" must match [a-zA-Z0-9_.-]+`},
		{"shared prefix without its last slash", "FNENV_SHARED_PREFIX", "/amplify/shared/app", `FNENV_SHARED_PREFIX="/amplify/shared/app" must be a parameter path that starts and ends with '/'`},
		{"shared prefix with ..", "FNENV_SHARED_PREFIX", "/amplify/../app/", `FNENV_SHARED_PREFIX="/amplify/../app/": level ".." is refused`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, p := setup(t, spec)
			t.Setenv(tt.key, tt.value)
			e, err := newLoader(spec).Load(context.Background())
			if e != nil || err == nil {
				t.Fatalf("Load = %v, %v; want no Env and an error", e, err)
			}
			for _, want := range []string{tt.want, "fnenv's function construct did not write this value", "redeploy the function from its CDK app"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error\n%s\ndoes not contain %q", err, want)
				}
			}
			for _, wrong := range []string{"set it with", "fnenv secret set", "fnenv gen"} {
				if strings.Contains(err.Error(), wrong) {
					t.Errorf("error\n%s\nsuggests %q", err, wrong)
				}
			}
			if p.Count() != 0 {
				t.Errorf("requests = %d, want none", p.Count())
			}
		})
	}
}

// TestLoadEndedContext: Load and Refresh with a context already done say
// so, by ctx.Err(), and read nothing.
func TestLoadEndedContext(t *testing.T) {
	spec := gensupport.Declaration{Function: "say-hello", Vars: []gensupport.Var{{Name: "API_KEY", Secret: "MY_API_KEY"}}}
	_, p := setup(t, spec)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel2()
	for _, tt := range []struct {
		name string
		ctx  context.Context
		want string
		is   error
	}{
		{"cancelled", cancelled, `fnenv: function "say-hello": the context was cancelled before the secrets were read; nothing was read: context canceled`, context.Canceled},
		{"deadline passed", expired, `fnenv: function "say-hello": the context had passed its deadline before the secrets were read; nothing was read: context deadline exceeded`, context.DeadlineExceeded},
	} {
		l := newLoader(spec)
		for call, f := range map[string]func(context.Context) (*env, error){"Load": l.Load, "Refresh": l.Refresh} {
			t.Run(tt.name+"/"+call, func(t *testing.T) {
				e, err := f(tt.ctx)
				if e != nil || err == nil {
					t.Fatalf("%s = %v, %v; want an error", call, e, err)
				}
				if diff := cmp.Diff(err.Error(), tt.want); diff != "" {
					t.Errorf("error (-got +want):\n%s", diff)
				}
				if !errors.Is(err, tt.is) {
					t.Errorf("errors.Is(%v, %v) = false", err, tt.is)
				}
			})
		}
	}
	if p.Count() != 0 {
		t.Errorf("requests = %d, want none", p.Count())
	}
}

func TestLoadCachedThenRefreshed(t *testing.T) {
	spec := gensupport.Declaration{Function: "say-hello", Vars: []gensupport.Var{{Name: "API_KEY", Secret: "MY_API_KEY"}}}
	c, p := setup(t, spec)
	t.Setenv("FNENV_MAX_AGE", "5m")
	put(t, c, branchPrefix+"MY_API_KEY", "sk_test_fake_v1")
	var now atomic.Int64
	now.Store(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).UnixNano())
	l := newLoader(spec, resolver.WithClock(func() time.Time { return time.Unix(0, now.Load()) }))

	first := load(t, l)
	put(t, c, branchPrefix+"MY_API_KEY", "sk_test_fake_v2")
	now.Add(int64(4 * time.Minute))
	second := load(t, l)
	if second != first || p.Count() != 1 {
		t.Errorf("within the max age: same Env = %v, requests = %d; want the cached Env and 1 request", second == first, p.Count())
	}
	now.Add(int64(2 * time.Minute))
	third := load(t, l)
	if got, want := third.Vals["API_KEY"], "sk_test_fake_v2"; got != want || p.Count() != 2 {
		t.Errorf("after the max age: API_KEY = %q, requests = %d; want %q and 2 requests", got, p.Count(), want)
	}
	if first.Vals["API_KEY"] != "sk_test_fake_v1" {
		t.Errorf("a refresh changed the Env handed out before: %q", first.Vals["API_KEY"])
	}
}

func TestLoadMaxAgeZeroIsForever(t *testing.T) {
	spec := gensupport.Declaration{Function: "say-hello", Vars: []gensupport.Var{{Name: "API_KEY", Secret: "MY_API_KEY"}}}
	c, p := setup(t, spec)
	put(t, c, sharedPrefix+"MY_API_KEY", "sk_test_fake_v1")
	var now atomic.Int64
	l := newLoader(spec, resolver.WithClock(func() time.Time { return time.Unix(0, now.Load()) }))
	first := load(t, l)
	now.Add(int64(1000 * time.Hour))
	if second := load(t, l); second != first || p.Count() != 1 {
		t.Errorf("FNENV_MAX_AGE=0s: same Env = %v, requests = %d; want the cached Env and 1 request", second == first, p.Count())
	}
}

func TestLoadConcurrentColdShareOneFetch(t *testing.T) {
	spec := gensupport.Declaration{Function: "say-hello", Vars: []gensupport.Var{{Name: "API_KEY", Secret: "MY_API_KEY"}}}
	c, p := setup(t, spec, ssmproxy.WithLatency(100*time.Millisecond))
	put(t, c, branchPrefix+"MY_API_KEY", "sk_test_fake_v1")
	l := newLoader(spec)
	var wg sync.WaitGroup
	got := make([]*env, 16)
	for i := range got {
		wg.Go(func() { got[i] = load(t, l) })
	}
	wg.Wait()
	for _, e := range got {
		if e != got[0] {
			t.Fatalf("concurrent Loads returned different Envs")
		}
	}
	if p.Count() != 1 {
		t.Errorf("requests = %d, want 1 shared by 16 concurrent Loads", p.Count())
	}
}

func TestLoadWaiterStopsAtItsOwnDeadline(t *testing.T) {
	spec := gensupport.Declaration{Function: "say-hello", Vars: []gensupport.Var{{Name: "API_KEY", Secret: "MY_API_KEY"}}}
	c, _ := setup(t, spec, ssmproxy.WithLatency(time.Second))
	put(t, c, branchPrefix+"MY_API_KEY", "sk_test_fake_v1")
	l := newLoader(spec)
	first := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, err := l.Load(ctx)
		first <- err
	}()
	time.Sleep(100 * time.Millisecond) // the first Load's fetch is under way
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := l.Load(ctx)
	if err == nil || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "concurrent Load") {
		t.Fatalf("waiting Load error = %v, want its own deadline reported", err)
	}
	if err := <-first; err != nil {
		t.Fatalf("the first Load failed: %v", err)
	}
}

func TestLoadDotenv(t *testing.T) {
	spec := gensupport.Declaration{Function: "say-hello", Vars: []gensupport.Var{
		{Name: "API_KEY", Secret: "MY_API_KEY"},
		{Name: "GREETING"},
		{Name: "REGION_NAME"},
	}}
	_, p := setup(t, spec)
	unsetenv(t, "AWS_LAMBDA_FUNCTION_NAME")
	unsetenv(t, "GREETING")
	t.Setenv("REGION_NAME", "from-the-environment")
	file := filepath.Join(t.TempDir(), ".env")
	if err := os.WriteFile(file, []byte("# local values\nAPI_KEY=sk_test_fake_dotenv_0001\nexport GREETING=\"Hello, local\"\nREGION_NAME=from-the-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("FNENV_DOTENV", file)

	got := load(t, newLoader(spec))
	want := map[string]string{"API_KEY": "sk_test_fake_dotenv_0001", "GREETING": "Hello, local", "REGION_NAME": "from-the-environment"}
	if diff := cmp.Diff(got.Vals, want); diff != "" {
		t.Errorf("values (-got +want):\n%s", diff)
	}
	if p.Count() != 0 {
		t.Errorf("requests = %d, want no SSM call with a dotenv file", p.Count())
	}

	// A variable in neither place fails, naming it and the file.
	if err := os.WriteFile(file, []byte("GREETING=hi\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e, err := newLoader(spec).Load(context.Background())
	wantErr := fmt.Sprintf("fnenv: function \"say-hello\": secret variable API_KEY (secret MY_API_KEY) is set neither in the environment nor in the dotenv file %s (FNENV_DOTENV)", file)
	if e != nil || err == nil || err.Error() != wantErr {
		t.Errorf("Load = %v, %v; want no Env and error %q", e, err, wantErr)
	}

	// A function.Parameter variable in neither place is named as one, not
	// as a literal.
	withParam := gensupport.Declaration{Function: "say-hello", Vars: []gensupport.Var{{Name: "API_URL", Parameter: "/legacy/payments/api-url"}}}
	e, err = newLoader(withParam).Load(context.Background())
	wantErr = fmt.Sprintf("fnenv: function \"say-hello\": parameter variable API_URL (parameter /legacy/payments/api-url) is set neither in the environment nor in the dotenv file %s (FNENV_DOTENV)", file)
	if e != nil || err == nil || err.Error() != wantErr {
		t.Errorf("Load = %v, %v; want no Env and error %q", e, err, wantErr)
	}
}

func TestLoadNoSecretsNoSSM(t *testing.T) {
	spec := gensupport.Declaration{Function: "plain", Vars: []gensupport.Var{{Name: "GREETING"}}}
	_, p := setup(t, spec)
	unsetenv(t, "FNENV_SECRETS")
	t.Setenv("GREETING", "")
	got := load(t, newLoader(spec))
	if v, ok := got.Vals["GREETING"]; !ok || v != "" || p.Count() != 0 {
		t.Errorf("GREETING = %q, %v, requests = %d; want an empty literal and no request", v, ok, p.Count())
	}
}

func TestLoadBadMaxAge(t *testing.T) {
	spec := gensupport.Declaration{Function: "plain", Vars: []gensupport.Var{{Name: "GREETING"}}}
	setup(t, spec)
	t.Setenv("GREETING", "hi")
	t.Setenv("FNENV_MAX_AGE", "five minutes")
	_, err := newLoader(spec).Load(context.Background())
	want := `fnenv: function "plain": FNENV_MAX_AGE="five minutes" is not a duration of zero or more, like "5m" or "0s" (forever)`
	if err == nil || err.Error() != want {
		t.Errorf("Load error = %v, want %q", err, want)
	}
}

// TestLoadSources: Values report where each value came from — a literal,
// the branch's parameter (which wins), the shared one — never the value.
func TestLoadSources(t *testing.T) {
	c, _ := setup(t, sayHello)
	t.Setenv("GREETING", "Hello")
	put(t, c, branchPrefix+"MY_API_KEY", "sk_test_fake_branch_0001")
	put(t, c, sharedPrefix+"MY_API_KEY", "sk_test_fake_shared_0001")
	put(t, c, sharedPrefix+"STRIPE_KEY", "sk_test_fake_shared_0002")
	got := map[string]gensupport.Source{}
	l := resolver.NewLoader(sayHello, func(v *gensupport.Values, _ resolver.Lambda) *env {
		for _, x := range sayHello.Vars {
			got[x.Name] = v.Source(x.Name)
		}
		return &env{}
	})
	load(t, l)
	want := map[string]gensupport.Source{
		"API_KEY":         {Kind: gensupport.SourceBranch, ID: branchPrefix + "MY_API_KEY"},
		"GREETING":        {Kind: gensupport.SourceLiteral},
		"STRIPE_KEY":      {Kind: gensupport.SourceShared, ID: sharedPrefix + "STRIPE_KEY"},
		"STRIPE_KEY_COPY": {Kind: gensupport.SourceShared, ID: sharedPrefix + "STRIPE_KEY"},
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("sources (-got +want):\n%s", diff)
	}
}
