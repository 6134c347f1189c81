package bench

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"golang.org/x/sync/errgroup"

	"github.com/fnenv/fnenv/internal/moto"
	"github.com/fnenv/fnenv/internal/ssmproxy"
	"github.com/fnenv/fnenv/model"
	"github.com/fnenv/fnenv/resolver"
)

// ResolutionConfig configures Resolution.
type ResolutionConfig struct {
	// Secrets is the number of secrets resolved; about half are set only
	// as shared secrets. Default 25.
	Secrets int
	// Latency is what the proxy adds to every request. Default 20 ms.
	Latency time.Duration
	// Iterations is the number of measured resolutions per approach, after
	// Warmup discarded ones. Default 60 and 3.
	Iterations, Warmup int
	// Concurrent puts an in-memory SSM that serves requests concurrently
	// behind the proxy instead of moto, which serves them one at a time.
	Concurrent bool
}

// Approach is one way of resolving the secrets, measured.
type Approach struct {
	Name, How string
	// Requests is the number of GetParameters requests one resolution sends.
	Requests int
	Stats    Stats
}

// ResolutionResult is the outcome of Resolution.
type ResolutionResult struct {
	Config ResolutionConfig
	// RoundTrip is one bare GetParameters of 10 names with a fresh client:
	// the reference.
	RoundTrip Approach
	// OneRound is fnenv's requests (the branch and shared name of every
	// secret, in chunks of 10) sent bare and in parallel with a fresh
	// client: the floor of any one-round resolution on this backend.
	OneRound Approach
	// Fnenv, TwoRounds and Sequential are the approaches compared.
	Fnenv, TwoRounds, Sequential Approach
}

// Resolution measures a cold resolution of cfg.Secrets secrets through a
// latency proxy in front of moto: fnenv's Load with a fresh Loader (and so
// a fresh SSM client) each time, against the approaches of other tools,
// interleaved so that noise hits them alike.
func Resolution(ctx context.Context, m *moto.Server, cfg ResolutionConfig) (*ResolutionResult, error) {
	cfg.defaults()
	res := &ResolutionResult{Config: cfg}
	err := func() error {
		if err := putSecrets(ctx, m, cfg.Secrets); err != nil {
			return err
		}
		target := m.URL
		if cfg.Concurrent {
			var stop func()
			target, stop = fakeSSM(cfg.Secrets)
			defer stop()
		}
		p, err := ssmproxy.Start(target, ssmproxy.WithLatency(cfg.Latency))
		if err != nil {
			return err
		}
		defer p.Close()
		setLambdaEnv(p.URL, cfg.Secrets)

		n := cfg.Secrets
		spec, build := benchSpec(n)
		type approach struct {
			a  *Approach
			fn func(context.Context) ([]string, error)
		}
		approaches := []approach{
			{&res.RoundTrip, func(ctx context.Context) ([]string, error) {
				c, err := resolver.NewClient()
				if err != nil {
					return nil, err
				}
				names := make([]string, 0, model.MaxNamesPerRequest)
				for i := range model.MaxNamesPerRequest {
					names = append(names, pathOf(i))
				}
				out, err := c.GetParameters(ctx, &ssm.GetParametersInput{Names: names, WithDecryption: aws.Bool(true)})
				if err != nil {
					return nil, err
				}
				if len(out.Parameters) != len(names) {
					return nil, fmt.Errorf("round trip: got %d parameters, want %d", len(out.Parameters), len(names))
				}
				return nil, nil
			}},
			{&res.OneRound, func(ctx context.Context) ([]string, error) {
				c, err := resolver.NewClient()
				if err != nil {
					return nil, err
				}
				found, err := getChunks(ctx, c, bothNames(n), true)
				if err != nil {
					return nil, err
				}
				if len(found) != n {
					return nil, fmt.Errorf("one round: got %d parameters, want %d", len(found), n)
				}
				return nil, nil
			}},
			{&res.Fnenv, func(ctx context.Context) ([]string, error) {
				e, err := resolver.NewLoader(spec, build).Load(ctx)
				if err != nil {
					return nil, err
				}
				return e.vals, nil
			}},
			{&res.TwoRounds, func(ctx context.Context) ([]string, error) { return twoRounds(ctx, n) }},
			{&res.Sequential, func(ctx context.Context) ([]string, error) { return sequentialBatches(ctx, n) }},
		}
		res.RoundTrip.Name, res.RoundTrip.How = "one GetParameters round trip", "reference: 10 names, fresh client"
		res.OneRound.Name, res.OneRound.How = "one round, bare", "reference: fnenv's requests sent bare in parallel, fresh client"
		res.Fnenv.Name, res.Fnenv.How = "fnenv Load", "one round: branch and shared name of every secret, chunks of 10 in parallel"
		res.TwoRounds.Name, res.TwoRounds.How = "(a) two rounds", "branch names, then shared names of the missing ones; chunks of a round in parallel (Amplify Gen 2, SST v2)"
		res.Sequential.Name, res.Sequential.How = "(b) sequential batches", "branch and shared names in batches of 10, one after another (Powertools getParametersByName)"

		var ms []measured
		for _, a := range approaches {
			ms = append(ms, measured{a.a, func(ctx context.Context) error {
				vals, err := a.fn(ctx)
				if err != nil || vals == nil {
					return err
				}
				return checkValues(vals)
			}})
		}
		return interleave(ctx, p, cfg, ms)
	}()
	return res, err
}

// defaults fills in the zero fields of c.
func (c *ResolutionConfig) defaults() {
	if c.Secrets == 0 {
		c.Secrets = 25
	}
	if c.Latency == 0 {
		c.Latency = 20 * time.Millisecond
	}
	if c.Iterations == 0 {
		c.Iterations = 60
	}
	if c.Warmup == 0 {
		c.Warmup = 3
	}
}

// measured is one approach and what one resolution of it does.
type measured struct {
	a  *Approach
	fn func(context.Context) error
}

// interleave runs every approach cfg.Warmup+cfg.Iterations times through
// proxy p, in an order rotating each iteration so that no approach always
// follows another, and sets each one's Stats (of the measured iterations)
// and Requests (sent by one resolution).
func interleave(ctx context.Context, p *ssmproxy.Proxy, cfg ResolutionConfig, approaches []measured) error {
	samples := make([][]time.Duration, len(approaches))
	for it := range cfg.Warmup + cfg.Iterations {
		for k := range approaches {
			j := (k + it) % len(approaches)
			a := approaches[j]
			before := p.Count()
			start := time.Now()
			rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			err := a.fn(rctx)
			d := time.Since(start)
			cancel()
			if err != nil {
				return fmt.Errorf("%s: %w", a.a.Name, err)
			}
			a.a.Requests = p.Count() - before
			if it >= cfg.Warmup {
				samples[j] = append(samples[j], d)
			}
		}
	}
	for j, a := range approaches {
		a.a.Stats = Summarize(samples[j])
	}
	return nil
}

// pathOf is the parameter name that holds secret i.
func pathOf(i int) string {
	if sharedOnly(i) {
		return sharedPrefix + secretName(i)
	}
	return branchPrefix + secretName(i)
}

// getChunks sends names in chunks of 10, in parallel when parallel is set,
// and returns the values found by name.
func getChunks(ctx context.Context, c *ssm.Client, names []string, parallel bool) (map[string]string, error) {
	found := map[string]string{}
	var mu = make(chan struct{}, 1)
	get := func(chunk []string) error {
		out, err := c.GetParameters(ctx, &ssm.GetParametersInput{Names: chunk, WithDecryption: aws.Bool(true)})
		if err != nil {
			return err
		}
		mu <- struct{}{}
		for _, p := range out.Parameters {
			found[*p.Name] = *p.Value
		}
		<-mu
		return nil
	}
	if !parallel {
		for chunk := range slices.Chunk(names, model.MaxNamesPerRequest) {
			if err := get(chunk); err != nil {
				return nil, err
			}
		}
		return found, nil
	}
	var g errgroup.Group
	for chunk := range slices.Chunk(names, model.MaxNamesPerRequest) {
		g.Go(func() error { return get(chunk) })
	}
	return found, g.Wait()
}

// twoRounds resolves like Amplify Gen 2 and SST v2: every branch name
// first, then the shared names of the secrets not found on the branch.
func twoRounds(ctx context.Context, n int) ([]string, error) {
	c, err := resolver.NewClient()
	if err != nil {
		return nil, err
	}
	var names []string
	for i := range n {
		names = append(names, branchPrefix+secretName(i))
	}
	found, err := getChunks(ctx, c, names, true)
	if err != nil {
		return nil, err
	}
	vals := make([]string, n)
	names = names[:0]
	for i := range n {
		if v, ok := found[branchPrefix+secretName(i)]; ok {
			vals[i] = v
		} else {
			names = append(names, sharedPrefix+secretName(i))
		}
	}
	if len(names) > 0 {
		shared, err := getChunks(ctx, c, names, true)
		if err != nil {
			return nil, err
		}
		for i := range n {
			if v, ok := shared[sharedPrefix+secretName(i)]; ok {
				vals[i] = v
			}
		}
	}
	return vals, nil
}

// bothNames is the branch and the shared parameter name of each of n
// secrets: one round's names.
func bothNames(n int) []string {
	names := make([]string, 0, 2*n)
	for i := range n {
		names = append(names, branchPrefix+secretName(i), sharedPrefix+secretName(i))
	}
	return names
}

// sequentialBatches resolves like Powertools' getParametersByName: the
// branch and shared name of every secret, in batches of 10 sent one after
// another; the branch value wins.
func sequentialBatches(ctx context.Context, n int) ([]string, error) {
	c, err := resolver.NewClient()
	if err != nil {
		return nil, err
	}
	found, err := getChunks(ctx, c, bothNames(n), false)
	if err != nil {
		return nil, err
	}
	vals := make([]string, n)
	for i := range n {
		v, ok := found[branchPrefix+secretName(i)]
		if !ok {
			v, ok = found[sharedPrefix+secretName(i)]
		}
		if !ok {
			return nil, errors.New("secret " + secretName(i) + " not found")
		}
		vals[i] = v
	}
	return vals, nil
}
