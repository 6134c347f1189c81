package bench

import (
	"context"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/fnenv/fnenv/internal/moto"
	"github.com/fnenv/fnenv/internal/ssmproxy"
	"github.com/fnenv/fnenv/model"
	"github.com/fnenv/fnenv/resolver"
	"github.com/fnenv/fnenv/resolver/gensupport"
	"github.com/fnenv/fnenv/resolver/smfetch"
)

// BurstConfig configures Burst.
type BurstConfig struct {
	// ColdStarts is the number of concurrent cold starts. Default 300.
	ColdStarts int
	// Secrets is the number of secrets of each function (two names each,
	// branch and shared). Default 10.
	Secrets int
	// Rate is the requests per second the proxy admits (a token bucket
	// holding at most Rate tokens); it answers ThrottlingException beyond.
	// Default 40, SSM's default GetParameters throughput.
	Rate float64
	// Latency is what the proxy adds to every request. Default 20 ms.
	Latency time.Duration
	// Deadline bounds each cold start's Load. Default 60 s.
	Deadline time.Duration
	// Policies are the retry policies measured, one burst each, in order.
	// Default BurstPolicies.
	Policies []BurstPolicy
}

// BurstPolicy is one way the cold starts of a burst retry.
type BurstPolicy struct {
	// Name and How describe it in the report.
	Name, How string
	// Secrets, when not zero, replaces the config's number of secrets.
	Secrets int
	// Retryer, when set, is the SDK retryer each cold start's client uses
	// instead of fnenv's own policy; answered counts the cold start's
	// answered requests. Nil measures fnenv's resolver as it is.
	Retryer func(answered *atomic.Int32) aws.Retryer
	// Fnenv marks fnenv's policy, the one the goals are checked on.
	Fnenv bool
	// SMRate, when not zero, makes each cold start resolve one Secrets
	// Manager reference and no SSM secret, with fnenv's resolver, against
	// a bucket of SMRate requests a second instead of the config's Rate.
	SMRate float64
}

// Secrets Manager's quotas (its user guide, "quotas"), per account and
// region: the bucket of the burst's Secrets Manager rows.
const (
	// BatchGetSecretValueRate is BatchGetSecretValue's: 100 requests/s,
	// not adjustable.
	BatchGetSecretValueRate = 100
	// GetSecretValueRate is GetSecretValue's: 10,000 requests/s.
	GetSecretValueRate = 10000
)

// BurstPolicies are the policies the report compares: fnenv's policy
// before issue 17 and the ideas measured on the way to the one it has now.
func BurstPolicies() []BurstPolicy {
	return []BurstPolicy{
		{Name: "before", How: "every request retried on its own: full jitter, 50 ms doubling to a 1 s cap (fnenv until issue 17)",
			Retryer: func(*atomic.Int32) aws.Retryer { return fullJitter(50*time.Millisecond, time.Second, nil) }},
		{Name: "longer cap", How: "as before with a 10 s cap",
			Retryer: func(*atomic.Int32) aws.Retryer { return fullJitter(50*time.Millisecond, 10*time.Second, nil) }},
		{Name: "partial answer retries sooner", How: "as before, but a cold start holding an answer retries its last chunk with a 250 ms cap",
			Retryer: func(a *atomic.Int32) aws.Retryer { return fullJitter(50*time.Millisecond, time.Second, a) }},
		{Name: "SDK adaptive mode", How: "as before inside the SDK's adaptive retry mode (client-side rate limiting from throttles)",
			Retryer: func(*atomic.Int32) aws.Retryer {
				return retry.NewAdaptiveMode(func(o *retry.AdaptiveModeOptions) {
					o.StandardOptions = append(o.StandardOptions, fullJitterOptions(50*time.Millisecond, time.Second, nil))
				})
			}},
		{Name: "fewer names", How: "as before with 5 secrets: 10 names, one request per cold start", Secrets: 5,
			Retryer: func(*atomic.Int32) aws.Retryer { return fullJitter(50*time.Millisecond, time.Second, nil) }},
		{Name: "after (fnenv)", How: "fnenv's round (resolver/retry.go): one request at a time while none is answered, 2.5 s per request doubling to 16 s; then the rest within 250 ms doubling to 2 s", Fnenv: true},
		{Name: "sm-batch (Secrets Manager at 100/s)", How: "one Secrets Manager reference per cold start, fnenv's round; the bucket at BatchGetSecretValue's quota (100/s per account and region, not adjustable)", SMRate: BatchGetSecretValueRate},
		{Name: "sm-get (Secrets Manager at 10,000/s)", How: "the same burst against GetSecretValue's quota (10,000/s)", SMRate: GetSecretValueRate},
	}
}

// fullJitter is the SDK's standard retryer with a full-jitter backoff of
// base doubling to ceiling, 100 attempts and no retry quota: fnenv's
// policy before issue 17. With answered set, a client holding an answer
// waits at most 250 ms.
func fullJitter(base, ceiling time.Duration, answered *atomic.Int32) aws.Retryer {
	return retry.NewStandard(fullJitterOptions(base, ceiling, answered))
}

func fullJitterOptions(base, ceiling time.Duration, answered *atomic.Int32) func(*retry.StandardOptions) {
	return func(o *retry.StandardOptions) {
		o.MaxAttempts = 100
		o.MaxBackoff = ceiling
		o.RateLimiter = ratelimit.None
		o.Backoff = retry.BackoffDelayerFunc(func(attempt int, _ error) (time.Duration, error) {
			c := ceiling
			if answered != nil && answered.Load() > 0 {
				c = 250 * time.Millisecond
			}
			d := c
			if attempt < 16 {
				d = min(c, base<<attempt)
			}
			return rand.N(d), nil
		})
	}
}

// policyClient sends each call with its own retryer, replacing the one the
// resolver asks for, and counts the answered calls.
type policyClient struct {
	c        *ssm.Client
	retryer  aws.Retryer
	answered *atomic.Int32
}

func (p *policyClient) GetParameters(ctx context.Context, in *ssm.GetParametersInput, optFns ...func(*ssm.Options)) (*ssm.GetParametersOutput, error) {
	out, err := p.c.GetParameters(ctx, in, append(optFns, func(o *ssm.Options) { o.Retryer = p.retryer })...)
	if err == nil {
		p.answered.Add(1)
	}
	return out, err
}

// BurstResult is the outcome of one policy's burst.
type BurstResult struct {
	Config BurstConfig
	Policy BurstPolicy
	// Secrets is the number of secrets of each cold start.
	Secrets int
	// Resolved and Failed count cold starts; Errors holds the first few
	// errors.
	Resolved, Failed int
	Errors           []string
	// Times are the times to resolve of the cold starts that resolved,
	// from the start of the burst, sorted.
	Times []time.Duration
	// Last is when the last cold start resolved; Floor is the time the
	// admitted rate needs for the requests at the least.
	Last, Floor time.Duration
	// Within10s counts cold starts resolved within Lambda's 10 s init;
	// Limit10s is the most that can: the requests the bucket admits in
	// 10 s divided by the requests of one cold start.
	Within10s, Limit10s int
	// Requests, Admitted and Throttled count what the proxy saw.
	Requests, Admitted, Throttled int
	// NeededRequests is the number of requests the burst needs; PerStart
	// those of one cold start.
	NeededRequests, PerStart int
}

// Stats summarizes the times to resolve.
func (b *BurstResult) Stats() Stats { return Summarize(b.Times) }

// PerAdmitted is requests sent per admitted request.
func (b *BurstResult) PerAdmitted() float64 {
	if b.Admitted == 0 {
		return 0
	}
	return float64(b.Requests) / float64(b.Admitted)
}

// Burst runs one burst per policy of cfg, one after another, each against
// a fresh proxy.
func Burst(ctx context.Context, m *moto.Server, cfg BurstConfig) ([]*BurstResult, error) {
	if cfg.ColdStarts == 0 {
		cfg.ColdStarts = 300
	}
	if cfg.Secrets == 0 {
		cfg.Secrets = 10
	}
	if cfg.Rate == 0 {
		cfg.Rate = 40
	}
	if cfg.Latency == 0 {
		cfg.Latency = 20 * time.Millisecond
	}
	if cfg.Deadline == 0 {
		cfg.Deadline = 60 * time.Second
	}
	if cfg.Policies == nil {
		cfg.Policies = BurstPolicies()
	}
	n := cfg.Secrets
	for _, p := range cfg.Policies {
		n = max(n, p.Secrets)
	}
	if err := putSecrets(ctx, m, n); err != nil {
		return nil, err
	}
	if slices.ContainsFunc(cfg.Policies, func(p BurstPolicy) bool { return p.SMRate > 0 }) {
		if err := putMixedSecrets(ctx, m); err != nil {
			return nil, err
		}
	}
	var out []*BurstResult
	for _, p := range cfg.Policies {
		r, err := burst(ctx, m, cfg, p)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// burst starts cfg.ColdStarts cold starts at once — goroutines, each with
// its own Loader and so its own SSM client — against a proxy in front of
// moto that admits cfg.Rate requests a second.
func burst(ctx context.Context, m *moto.Server, cfg BurstConfig, pol BurstPolicy) (*BurstResult, error) {
	secrets := cfg.Secrets
	if pol.Secrets > 0 {
		secrets = pol.Secrets
	}
	rate := cfg.Rate
	if pol.SMRate > 0 {
		rate, secrets = pol.SMRate, 0
	}
	res := &BurstResult{Config: cfg, Policy: pol, Secrets: secrets}
	p, err := ssmproxy.Start(m.URL, ssmproxy.WithLatency(cfg.Latency), ssmproxy.WithRate(rate, int(rate)))
	if err != nil {
		return nil, err
	}
	defer p.Close()
	setLambdaEnv(p.URL, secrets)
	spec, build := benchSpec(secrets)
	res.PerStart = (2*secrets + model.MaxNamesPerRequest - 1) / model.MaxNamesPerRequest
	if pol.SMRate > 0 {
		unset := smBurstSpec(&spec, &build)
		defer unset()
		res.PerStart = 1
	}
	res.NeededRequests = cfg.ColdStarts * res.PerStart
	res.Floor = time.Duration(float64(res.NeededRequests) / rate * float64(time.Second))
	res.Limit10s = min(cfg.ColdStarts, int(rate+10*rate)/res.PerStart)

	var (
		mu sync.Mutex
		wg sync.WaitGroup
	)
	gate := make(chan struct{})
	var start time.Time
	for range cfg.ColdStarts {
		var opts []resolver.Option
		if pol.Retryer != nil {
			c, err := resolver.NewClient()
			if err != nil {
				return nil, err
			}
			answered := new(atomic.Int32)
			opts = append(opts, resolver.WithClient(&policyClient{c: c, retryer: pol.Retryer(answered), answered: answered}))
		}
		wg.Go(func() {
			<-gate
			l := resolver.NewLoader(spec, build, opts...) // its own client
			lctx, cancel := context.WithTimeout(ctx, cfg.Deadline)
			defer cancel()
			e, err := l.Load(lctx)
			d := time.Since(start)
			if err == nil {
				err = checkValues(e.vals)
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				res.Failed++
				if len(res.Errors) < 3 {
					res.Errors = append(res.Errors, err.Error())
				}
				return
			}
			res.Resolved++
			res.Times = append(res.Times, d)
			if d <= 10*time.Second {
				res.Within10s++
			}
		})
	}
	start = time.Now()
	close(gate)
	wg.Wait()
	slices.Sort(res.Times)
	if len(res.Times) > 0 {
		res.Last = res.Times[len(res.Times)-1]
	}
	for _, r := range p.Requests() {
		res.Requests++
		switch r.Status {
		case http.StatusOK:
			res.Admitted++
		case http.StatusBadRequest:
			res.Throttled++
		}
	}
	return res, nil
}

// smBurstSpec makes spec and build those of a function with one Secrets
// Manager reference (field 0 of the mixed function's first secret), set
// in the environment as the construct would; build checks its value.
// unset clears the environment.
func smBurstSpec(spec *gensupport.Declaration, build *func(*gensupport.Values, resolver.Lambda) *benchEnv) (unset func()) {
	secret, field := mixedField(0)
	spec.SecretsManager = smfetch.New
	spec.Vars = append(spec.Vars, gensupport.Var{Name: "SM_00", SecretsManager: secret, JSONField: field})
	*build = func(v *gensupport.Values, _ resolver.Lambda) *benchEnv {
		if v.Get("SM_00") != mixedValue(0) {
			return &benchEnv{vals: []string{"wrong"}} // checkValues fails it
		}
		return &benchEnv{}
	}
	os.Setenv(model.EnvSecretsManager, model.EncodeSecretsManager(map[string]string{"SM_00": secret}))
	return func() { os.Unsetenv(model.EnvSecretsManager) }
}
