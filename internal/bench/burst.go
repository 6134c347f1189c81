package bench

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/fnenv/fnenv/internal/moto"
	"github.com/fnenv/fnenv/internal/ssmproxy"
	"github.com/fnenv/fnenv/resolver"
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
}

// BurstResult is the outcome of Burst.
type BurstResult struct {
	Config BurstConfig
	// Resolved and Failed count cold starts; Errors holds the first few
	// errors.
	Resolved, Failed int
	Errors           []string
	// Times are the times to resolve of the cold starts that resolved,
	// from the start of the burst.
	Times Stats
	// Last is when the last cold start resolved; Floor is the time the
	// admitted rate needs for the requests at the least.
	Last, Floor time.Duration
	// Within10s counts cold starts resolved within Lambda's 10 s init.
	Within10s int
	// Requests, Admitted and Throttled count what the proxy saw.
	Requests, Admitted, Throttled int
	// NeededRequests is the number of requests the burst needs.
	NeededRequests int
}

// Burst starts cfg.ColdStarts cold starts at once — goroutines, each with
// its own Loader and so its own SSM client — against a proxy in front of
// moto that admits cfg.Rate requests a second.
func Burst(ctx context.Context, m *moto.Server, cfg BurstConfig) (*BurstResult, error) {
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
	res := &BurstResult{Config: cfg}
	err := func() error {
		if err := putSecrets(ctx, m, cfg.Secrets); err != nil {
			return err
		}
		p, err := ssmproxy.Start(m.URL, ssmproxy.WithLatency(cfg.Latency), ssmproxy.WithRate(cfg.Rate, int(cfg.Rate)))
		if err != nil {
			return err
		}
		defer p.Close()
		setLambdaEnv(p.URL, cfg.Secrets)
		spec, build := benchSpec(cfg.Secrets)
		perStart := (2*cfg.Secrets + resolver.MaxNamesPerRequest - 1) / resolver.MaxNamesPerRequest
		res.NeededRequests = cfg.ColdStarts * perStart
		res.Floor = time.Duration(float64(res.NeededRequests) / cfg.Rate * float64(time.Second))

		var (
			mu    sync.Mutex
			times []time.Duration
			wg    sync.WaitGroup
		)
		gate := make(chan struct{})
		var start time.Time
		for range cfg.ColdStarts {
			wg.Go(func() {
				<-gate
				l := resolver.NewLoader(spec, build) // its own client, built from the environment
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
				times = append(times, d)
				if d <= 10*time.Second {
					res.Within10s++
				}
			})
		}
		start = time.Now()
		close(gate)
		wg.Wait()
		res.Times = Summarize(times)
		res.Last = res.Times.Max
		for _, r := range p.Requests() {
			res.Requests++
			switch r.Status {
			case http.StatusOK:
				res.Admitted++
			case http.StatusBadRequest:
				res.Throttled++
			}
		}
		return nil
	}()
	return res, err
}
