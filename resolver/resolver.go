package resolver

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"golang.org/x/sync/singleflight"

	"github.com/fnenv/fnenv/internal/nearname"
	"github.com/fnenv/fnenv/model"
	"github.com/fnenv/fnenv/resolver/envtype"
	"github.com/fnenv/fnenv/resolver/gensupport"
)

// DefaultTimeout bounds a Load whose context has no deadline: Lambda's
// init phase lasts at most 10 seconds.
const DefaultTimeout = 10 * time.Second

// Lambda holds the Lambda runtime's own values, read from the variables
// Lambda sets in every execution environment. Outside Lambda they are
// empty or zero.
type Lambda struct {
	// Region is AWS_REGION, e.g. "eu-west-1".
	Region string
	// FunctionName is AWS_LAMBDA_FUNCTION_NAME, the function's physical
	// name, e.g. "Payments-main-Charge1A2B3C".
	FunctionName string
	// FunctionVersion is AWS_LAMBDA_FUNCTION_VERSION: "$LATEST" or a
	// published version number.
	FunctionVersion string
	// MemorySizeMiB is AWS_LAMBDA_FUNCTION_MEMORY_SIZE, the memory
	// configured for the function in MiB, e.g. 128; 0 when unset or not a
	// number.
	MemorySizeMiB int
	// LogGroupName is AWS_LAMBDA_LOG_GROUP_NAME, e.g.
	// "/aws/lambda/Payments-main-Charge1A2B3C".
	LogGroupName string
	// LogStreamName is AWS_LAMBDA_LOG_STREAM_NAME, the execution
	// environment's log stream.
	LogStreamName string
	// InitializationType is AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
	// "provisioned-concurrency" or "snap-start".
	InitializationType string
	// ExecutionEnv is AWS_EXECUTION_ENV, the runtime identifier when Lambda
	// sets one.
	ExecutionEnv string
	// TaskRoot is LAMBDA_TASK_ROOT, the directory holding the function's
	// code, e.g. "/var/task".
	TaskRoot string
}

// InLambda reports whether the values come from a Lambda execution
// environment (AWS_LAMBDA_FUNCTION_NAME is set).
func (l Lambda) InLambda() bool { return l.FunctionName != "" }

// LambdaFromEnv reads the Lambda runtime's values from the process
// environment.
func LambdaFromEnv() Lambda {
	mem, _ := strconv.Atoi(os.Getenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"))
	return Lambda{
		Region:             os.Getenv("AWS_REGION"),
		FunctionName:       os.Getenv("AWS_LAMBDA_FUNCTION_NAME"),
		FunctionVersion:    os.Getenv("AWS_LAMBDA_FUNCTION_VERSION"),
		MemorySizeMiB:      mem,
		LogGroupName:       os.Getenv("AWS_LAMBDA_LOG_GROUP_NAME"),
		LogStreamName:      os.Getenv("AWS_LAMBDA_LOG_STREAM_NAME"),
		InitializationType: os.Getenv("AWS_LAMBDA_INITIALIZATION_TYPE"),
		ExecutionEnv:       os.Getenv("AWS_EXECUTION_ENV"),
		TaskRoot:           os.Getenv("LAMBDA_TASK_ROOT"),
	}
}

// Option configures a Loader.
type Option func(*options)

type options struct {
	client Client
	cfg    *aws.Config
	now    func() time.Time
}

// WithClient makes the Loader read SSM through c instead of a client built
// from the Lambda environment variables. The Loader still retries each
// call itself (see the package documentation): it turns the client's
// retries off per call.
func WithClient(c Client) Option { return func(o *options) { o.client = c } }

// WithAWSConfig makes the Loader build its SSM and Secrets Manager
// clients from cfg (for example from config.LoadDefaultConfig, for local
// tools) instead of from the Lambda environment variables.
func WithAWSConfig(cfg aws.Config) Option { return func(o *options) { o.cfg = &cfg } }

// WithClock replaces time.Now for the max-age check, for tests.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// Loader resolves and caches one function's environment as a *T, the
// generated package's Env: its New returns one, and its Load, MustLoad,
// Refresh and Override use a default one. It is safe for concurrent use.
type Loader[T any] struct {
	decl     gensupport.Declaration
	build    func(*gensupport.Values, Lambda) *T
	opts     options
	cur      atomic.Pointer[entry[T]]
	override atomic.Pointer[T]
	group    singleflight.Group
	ssm      Client                // built on the first fetch
	regional map[string]Client     // other regions' clients, built on first use
	readSM   gensupport.ReadSecret // built on the first fetch that needs it

	mu   sync.Mutex
	last *refreshRound[T] // the latest Refresh round
}

// refreshRound is one Refresh's fetch, shared by the Refresh calls that follow it
// within MinRefreshInterval.
type refreshRound[T any] struct {
	start time.Time
	done  chan struct{} // closed when v and err are set
	v     *T
	err   error
}

type entry[T any] struct {
	v       *T
	at      time.Time // when resolved, with its monotonic reading
	maxAge  time.Duration
	forever bool
}

// NewLoader returns a Loader for decl, a generated package's declaration
// (package gensupport), that builds its value with build. Generated code
// calls it. It does no work: the environment is read and SSM called on the
// first Load.
func NewLoader[T any](decl gensupport.Declaration, build func(*gensupport.Values, Lambda) *T, opts ...Option) *Loader[T] {
	l := &Loader[T]{decl: decl, build: build}
	l.opts.now = time.Now
	for _, o := range opts {
		o(&l.opts)
	}
	return l
}

// Load returns the function's environment: the cached one while it is
// younger than the max age (FNENV_MAX_AGE), else a freshly resolved one.
// On any problem it returns nil and an error joining every problem found
// (see the package documentation); no error holds a value. A ctx without
// a deadline is given DefaultTimeout.
func (l *Loader[T]) Load(ctx context.Context) (*T, error) {
	if o := l.override.Load(); o != nil {
		return o, nil
	}
	if e := l.cur.Load(); e != nil && (e.forever || l.opts.now().Sub(e.at) < e.maxAge) {
		return e.v, nil
	}
	return l.refresh(ctx, false)
}

// MinRefreshInterval is the least time between two rounds of Refresh:
// calls closer together share the first one's round and result, so that a
// handler refreshing on every failed login during an outage does not
// multiply requests to SSM.
const MinRefreshInterval = time.Second

// Refresh reads every secret now, in one round, whatever the max age, and
// returns the new environment; the cache is replaced only on success, so
// that after a failed Refresh, Load keeps returning the last good Env
// until its max age. Calls within MinRefreshInterval of the start of the
// last round share that round (waiting for it if it is under way, each
// until its own ctx is done) and its result, error included. Call it when
// a downstream service says a credential is no longer valid — it may have
// been rotated — then retry once. It returns the override, reading
// nothing, while Override is in effect.
func (l *Loader[T]) Refresh(ctx context.Context) (*T, error) {
	if o := l.override.Load(); o != nil {
		return o, nil
	}
	if err := l.ended(ctx); err != nil {
		return nil, err
	}
	l.mu.Lock()
	r := l.last
	if r == nil || l.opts.now().Sub(r.start) >= MinRefreshInterval {
		r = &refreshRound[T]{start: l.opts.now(), done: make(chan struct{})}
		l.last = r
		l.mu.Unlock()
		r.v, r.err = l.refresh(ctx, true)
		close(r.done)
		return r.v, r.err
	}
	l.mu.Unlock()
	select {
	case <-r.done:
		return r.v, r.err
	case <-ctx.Done():
		return nil, l.errorf("waiting for secrets being read by a concurrent Refresh: %w", ctx.Err())
	}
}

// Override makes Load and Refresh return v, reading nothing — no SSM, no
// environment, no dotenv file — until restore is called; for unit tests
// of a handler. restore puts back what was in effect before (the Loader's
// own resolution, or an earlier override): call it once, in the reverse
// order of Overrides, for example with t.Cleanup. Override affects every
// goroutine using this Loader, so tests that override one Loader with
// different values must not run in parallel with each other; parallel
// subtests under one Override share it safely. v must not be nil.
func (l *Loader[T]) Override(v *T) (restore func()) {
	if v == nil {
		panic(fmt.Sprintf("fnenv: function %q: Override(nil): give the value Load should return", l.decl.Function))
	}
	prev := l.override.Swap(v)
	var once sync.Once
	return func() { once.Do(func() { l.override.Store(prev) }) }
}

// refresh resolves the environment once for all concurrent callers: the
// first runs the fetch under its own context (bounded by its deadline or
// DefaultTimeout); the others wait for it, each until its own deadline.
// Unless force, a call that finds the cache fresh once its turn comes (a
// concurrent fetch just ended) returns it.
func (l *Loader[T]) refresh(ctx context.Context, force bool) (*T, error) {
	if err := l.ended(ctx); err != nil {
		return nil, err
	}
	var leader atomic.Bool // whether this call's fetch is the one running
	ch := l.group.DoChan("", func() (any, error) {
		leader.Store(true)
		// A Load that waited for another's fetch may find it fresh.
		if e := l.cur.Load(); !force && e != nil && (e.forever || l.opts.now().Sub(e.at) < e.maxAge) {
			return e.v, nil
		}
		return l.fetch(ctx)
	})
	done := ctx.Done()
	for {
		select {
		case r := <-ch:
			if r.Err != nil {
				return nil, r.Err
			}
			return r.Val.(*T), nil
		case <-done:
			if leader.Load() { // our own fetch ends by this deadline, with its detailed error
				done = nil
				continue
			}
			return nil, l.errorf("the context ended while this Load waited for the secrets being resolved by a concurrent Load: %w", ctx.Err())
		}
	}
}

func (l *Loader[T]) fetch(ctx context.Context) (*T, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultTimeout)
		defer cancel()
	}
	maxAge, forever, err := parseMaxAge(os.Getenv(model.EnvMaxAge))
	if err != nil {
		return nil, l.errorf("%w", err)
	}
	lam := LambdaFromEnv()
	var vals map[string]string
	var srcs map[string]gensupport.Source
	if file := os.Getenv(model.EnvDotenv); file != "" && !lam.InLambda() {
		vals, err = l.fromDotenv(file)
	} else {
		srcs = map[string]gensupport.Source{}
		vals, err = l.fromSSM(ctx, srcs)
	}
	if err != nil {
		return nil, err
	}
	var bad []Invalid
	values := gensupport.NewValues(&l.decl, vals, srcs, func(name string, t envtype.Type, err error) {
		in := Invalid{Var: name, Type: t, Source: "literal", Reason: err.Error()}
		for _, x := range l.decl.Vars {
			if x.Name == name {
				in.Source = x.Source()
			}
		}
		bad = append(bad, in)
	})
	v := l.build(values, lam)
	if len(bad) > 0 {
		return nil, &InvalidValuesError{Function: l.decl.Function, Values: bad}
	}
	l.cur.Store(&entry[T]{v: v, at: l.opts.now(), maxAge: maxAge, forever: forever})
	return v, nil
}

// parseMaxAge reads FNENV_MAX_AGE: unset or "0s" means forever.
func parseMaxAge(s string) (time.Duration, bool, error) {
	if s == "" {
		return 0, true, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, false, fmt.Errorf("%s=%q is not a duration of zero or more, like \"5m\" or \"0s\" (forever)", model.EnvMaxAge, s)
	}
	return d, d == 0, nil
}

// ended is the error of a Load or Refresh given a context already done:
// it says so, by ctx.Err(), and that nothing was read.
func (l *Loader[T]) ended(ctx context.Context) error {
	err := ctx.Err()
	if err == nil {
		return nil
	}
	how := "was cancelled"
	if errors.Is(err, context.DeadlineExceeded) {
		how = "had passed its deadline"
	}
	return l.errorf("the context %s before the secrets were read; nothing was read: %w", how, err)
}

func (l *Loader[T]) errorf(format string, args ...any) error {
	return fmt.Errorf("fnenv: function %q: "+format, append([]any{l.decl.Function}, args...)...)
}

// fromSSM reads literals from the environment, and secrets from SSM and
// Secrets Manager in one round; it records where each value came from in
// srcs.
func (l *Loader[T]) fromSSM(ctx context.Context, srcs map[string]gensupport.Source) (map[string]string, error) {
	vals := make(map[string]string, len(l.decl.Vars))
	var errs []error

	var missingLiterals, movedLiterals []string
	literalsEnv, hasMoved := os.LookupEnv(model.EnvLiterals)
	secretVars := map[string][]string{} // secret or existing parameter -> variables holding it
	var secrets, existing []string      // secret names; existing parameters' paths and ARNs
	isParameter := map[string]bool{}    // the variables of function.Parameter
	hasSecret, hasParameter, hasSM := false, false, false
	for _, v := range l.decl.Vars {
		ref := v.Secret
		switch {
		case v.SecretsManager != "":
			hasSM = true
			continue
		case v.Parameter != "":
			ref, hasParameter, isParameter[v.Name] = v.Parameter, true, true
		case v.Secret != "":
			hasSecret = true
		default:
			val, ok := os.LookupEnv(v.Name)
			switch {
			case ok:
				vals[v.Name] = val
				srcs[v.Name] = gensupport.Source{Kind: gensupport.SourceLiteral}
			case hasMoved:
				movedLiterals = append(movedLiterals, v.Name)
			default:
				missingLiterals = append(missingLiterals, v.Name)
			}
			continue
		}
		if _, seen := secretVars[ref]; !seen {
			if model.FormOf(ref) == model.RefName {
				secrets = append(secrets, ref)
			} else {
				existing = append(existing, ref)
			}
		}
		secretVars[ref] = append(secretVars[ref], v.Name)
	}
	stale := &StaleError{Function: l.decl.Function, MissingLiterals: missingLiterals}
	if hasSecret {
		if err := l.matchPairs(stale, model.EnvSecrets, model.DecodeSecrets, "secret", func(v gensupport.Var) string { return v.Secret }); err != nil {
			errs = append(errs, err)
		}
	}
	if _, ok := os.LookupEnv(model.EnvParameters); hasParameter || ok {
		if err := l.matchPairs(stale, model.EnvParameters, model.DecodeParameters, "parameter", func(v gensupport.Var) string { return v.Parameter }); err != nil {
			errs = append(errs, err)
		}
	}
	var sm smPlan
	if configured, ok := os.LookupEnv(model.EnvSecretsManager); hasSM || ok {
		var err error
		if sm, err = l.planSecretsManager(configured, stale); err != nil {
			errs = append(errs, err)
		}
	}
	var plan ssmPlan
	var literalParams []string
	if len(movedLiterals) > 0 {
		var err error
		if literalParams, err = model.DecodeLiterals(literalsEnv); err != nil {
			errs = append(errs, l.errorf("%w", err))
		}
		plan.add("", literalParams...)
	}
	if len(stale.MissingLiterals) > 0 || len(stale.Mismatches) > 0 {
		errs = append(errs, stale)
	}
	if len(errs) > 0 || (len(secrets) == 0 && len(existing) == 0 && len(literalParams) == 0 && len(sm.ids) == 0) {
		return vals, errors.Join(errs...)
	}

	branch, shared := os.Getenv(model.EnvBranchPrefix), os.Getenv(model.EnvSharedPrefix)
	var readSM gensupport.ReadSecret
	if len(secrets) > 0 {
		if branch == "" || shared == "" {
			return nil, l.errorf("%s and %s must name where secrets live (the function construct sets them; outside Lambda, set FNENV_DOTENV to read a dotenv file instead)", model.EnvBranchPrefix, model.EnvSharedPrefix)
		}
		if err := errors.Join(model.CheckPrefixVar(model.EnvBranchPrefix, branch), model.CheckPrefixVar(model.EnvSharedPrefix, shared)); err != nil {
			return nil, l.errorf("%w", err)
		}
		for _, s := range secrets {
			plan.add("", branch+s, shared+s)
		}
	}
	for _, ref := range existing {
		plan.addRef(ref)
	}
	if len(plan.names) > 0 {
		if _, err := l.client(); err != nil {
			return nil, l.errorf("%w", err)
		}
	}
	if len(sm.ids) > 0 {
		var err error
		if readSM, err = l.smReader(); err != nil {
			return nil, l.errorf("%w", err)
		}
	}
	// One round: the SSM chunks of every region and one GetSecretValue per
	// Secrets Manager secret, all at once.
	var (
		wg            sync.WaitGroup
		found         map[string]ssmtypes.Parameter
		smFound       map[string]string
		smFailed      map[string]error
		ssmErr, smErr error
	)
	nChunks := plan.requests()
	r := newRound(nChunks + len(sm.ids))
	if nChunks > 0 {
		wg.Go(func() { found, ssmErr = plan.fetch(ctx, r, 0, l.regionClient, secretOf(branch, shared)) })
	}
	if len(sm.ids) > 0 {
		wg.Go(func() { smFound, smFailed, smErr = getSecrets(ctx, r, nChunks, readSM, sm.ids) })
	}
	wg.Wait()
	if ssmErr != nil {
		errs = append(errs, l.errorf("%w", ssmErr))
	}
	if smErr != nil {
		errs = append(errs, l.errorf("%w", smErr))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	missing := &MissingSecretsError{Function: l.decl.Function, Branch: branchOf(branch, os.Getenv(model.EnvBranch))}
	for _, s := range secrets {
		src := gensupport.Source{Kind: gensupport.SourceBranch, ID: branch + s}
		p, ok := found[src.ID]
		if !ok {
			src = gensupport.Source{Kind: gensupport.SourceShared, ID: shared + s}
			p, ok = found[src.ID]
		}
		if !ok {
			missing.Secrets = append(missing.Secrets, Missing{
				Secret: s, Vars: secretVars[s], BranchPath: branch + s, SharedPath: shared + s,
			})
			continue
		}
		for _, name := range secretVars[s] {
			vals[name] = *p.Value
			srcs[name] = src
		}
	}
	// Did you mean: the function's role may read only the parameters it
	// references (exact ssm:GetParameters grants, no listing), so Load
	// compares a missing name with the other secrets of this function that
	// are set; `fnenv secret check` lists the names set near it.
	for i, m := range missing.Secrets {
		for _, s := range secrets {
			if !nearname.Close(m.Secret, s) {
				continue
			}
			if _, ok := found[branch+s]; ok {
				missing.Secrets[i].Near = append(missing.Secrets[i].Near, s+" (set on branch "+missing.Branch+")")
			} else if _, ok := found[shared+s]; ok {
				missing.Secrets[i].Near = append(missing.Secrets[i].Near, s+" (set shared)")
			}
		}
	}
	missingParams := &MissingParametersError{Function: l.decl.Function}
	for _, ref := range existing {
		p, ok := found[ref]
		if !ok {
			missingParams.Parameters = append(missingParams.Parameters, MissingParameter{Parameter: ref, Vars: secretVars[ref]})
			continue
		}
		for _, name := range secretVars[ref] {
			if isParameter[name] && p.Type == ssmtypes.ParameterTypeSecureString {
				errs = append(errs, &SecureStringParameterError{Function: l.decl.Function, Var: name, Parameter: ref})
				continue
			}
			vals[name] = *p.Value
			srcs[name] = gensupport.Source{Kind: gensupport.SourceParameter, ID: ref}
		}
	}
	if len(missingParams.Parameters) > 0 {
		errs = append(errs, missingParams)
	}
	if err := l.movedLiterals(literalParams, movedLiterals, found, vals, srcs); err != nil {
		errs = append(errs, err)
	}
	if len(missing.Secrets) > 0 {
		errs = append(errs, missing)
	}
	if err := l.resolveSecretsManager(sm, smFound, smFailed, vals); err != nil {
		errs = append(errs, err)
	}
	for id, vars := range sm.varsOf {
		for _, v := range vars {
			srcs[v.Name] = gensupport.Source{Kind: gensupport.SourceSecretsManager, ID: id, Field: v.JSONField}
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return vals, nil
}

// branchOf returns the branch as git names it: named (model.EnvBranch) when
// the construct set it, else the last level of the branch prefix
// "/amplify/<appId>/<branch>/".
func branchOf(prefix, named string) string {
	if named != "" {
		return named
	}
	p := strings.TrimSuffix(prefix, "/")
	return p[strings.LastIndexByte(p, '/')+1:]
}

func secretOf(branch, shared string) func(string) string {
	return func(name string) string {
		if s, ok := strings.CutPrefix(name, branch); ok {
			return s
		}
		return strings.TrimPrefix(name, shared)
	}
}
