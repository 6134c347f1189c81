package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/fnenv/fnenv/internal/demo"
	"github.com/fnenv/fnenv/model"
)

// CheckConfig configures CheckCost.
type CheckConfig struct {
	// Root is fnenv's module root: the sample app's.
	Root string
	// Iterations is how many synths of each kind are timed. Default: 3.
	Iterations int
}

// CheckResult is the wall time of `cdk synth --all` of the sample app for
// one branch with the secrets check at synth (every secret set in moto, so
// that it passes) and without it.
type CheckResult struct {
	Config         CheckConfig
	Check, NoCheck Stats
	Secrets        int // the SSM secrets the sample references
}

// CheckCost measures what the secrets check at synth (context
// fnenvCheckSecrets) adds to `cdk synth` of the sample app: against moto,
// with every secret the sample references set for branch main, interleaved
// with synths that have the check off. The check runs with
// fnenvCheckSecrets=true, so that a check that could not run fails the
// benchmark rather than passing with a warning; unset, with credentials,
// it does the same work.
func CheckCost(ctx context.Context, cfg CheckConfig) (*CheckResult, error) {
	if cfg.Iterations <= 0 {
		cfg.Iterations = 3
	}
	e, err := demo.Open(ctx, demo.Options{Root: cfg.Root})
	if err != nil {
		return nil, err
	}
	defer e.Close()
	const branch = "main"
	off := model.ContextCheckSecrets + "=false"
	out := filepath.Join(e.Outdir(branch), "..", "bench-check")
	defer os.RemoveAll(out)
	if err := e.Synth(ctx, branch, out, off); err != nil {
		return nil, fmt.Errorf("the first synth, for the sample's secrets: %w", err)
	}
	stacks, err := demo.ReadAssembly(out)
	if err != nil {
		return nil, err
	}
	if err := e.SetAll(ctx); err != nil {
		return nil, err
	}
	if _, err := e.CreateSecretsManagerSecrets(ctx, branch, stacks); err != nil {
		return nil, err
	}
	res := &CheckResult{Config: cfg, Secrets: len(demo.Secrets(stacks))}
	var on, noCheck []time.Duration
	// One synth of each first, not timed: the build cache and Node's.
	for i := -1; i < cfg.Iterations; i++ {
		order := []string{model.ContextCheckSecrets + "=true", off}
		if i%2 != 0 {
			order = []string{off, model.ContextCheckSecrets + "=true"}
		}
		for _, c := range order {
			start := time.Now()
			if err := e.Synth(ctx, branch, out, c); err != nil {
				return nil, fmt.Errorf("cdk synth -c %s: %w", c, err)
			}
			d := time.Since(start)
			switch {
			case i < 0:
			case c == off:
				noCheck = append(noCheck, d)
			default:
				on = append(on, d)
			}
		}
	}
	res.Check, res.NoCheck = Summarize(on), Summarize(noCheck)
	return res, nil
}

// writeCheck writes the section on the cost of the secrets check at synth.
func (r *Report) writeCheck(p func(string, ...any)) {
	c := r.Check
	p("## The secrets check at synth")
	p("")
	p("How to read: the p50s and their difference, which is what the check costs a `cdk synth`.")
	p("")
	p("`cdk synth --all -c branch=main` of the sample app (%d SSM secrets and a Secrets Manager secret referenced), with", c.Secrets)
	p("the check (`-c fnenvCheckSecrets=true`: what an unset `fnenvCheckSecrets` does when AWS credentials are available)")
	p("against moto holding every secret, and with it off (`false`). moto is local: a real account adds one network round")
	p("trip per call (GetParameters, ten names a call, and GetSecretValue per Secrets Manager secret). %d synths each after one untimed, interleaved.", c.Config.Iterations)
	p("")
	p("| cdk synth | p50 | p90 | min | max |")
	p("|---|---|---|---|---|")
	p("| with the check | %s | %s | %s | %s |", secs(c.Check.P50), secs(c.Check.P90), secs(c.Check.Min), secs(c.Check.Max))
	p("| check off | %s | %s | %s | %s |", secs(c.NoCheck.P50), secs(c.NoCheck.P90), secs(c.NoCheck.Min), secs(c.NoCheck.Max))
	p("")
	p("- the check's cost (p50 with − p50 without): **%s** (%s).", secs(c.Check.P50-c.NoCheck.P50), ratio(c.Check.P50, c.NoCheck.P50))
	p("")
}
