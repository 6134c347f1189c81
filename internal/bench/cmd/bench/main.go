// Command bench runs fnenv's benchmarks side by side with the approaches
// users would otherwise pick and writes the report (docs/benchmarks.md):
//
//	go run ./internal/bench/cmd/bench -out docs/benchmarks.md
//
// It needs moto_server on PATH and the pinned CDK CLI in .tools. Run from
// the module root. -quick runs fewer iterations, for trying it out.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fnenv/fnenv/internal/bench"
	"github.com/fnenv/fnenv/internal/moto"
)

func main() {
	out := flag.String("out", "", "write the Markdown report to this file (default: stdout)")
	quick := flag.Bool("quick", false, "fewer iterations and smaller apps, for trying it out")
	skip := flag.String("skip", "", "comma-separated parts to skip: resolution,warm,size,synth,burst,init,unittest,invoke,check")
	policies := flag.String("burst", "", "comma-separated burst policies to run (default: all), e.g. before,after")
	sizes := flag.String("synth-sizes", "", "comma-separated numbers of functions of the synth part (default: 10,50)")
	flag.Parse()
	if err := run(*out, *quick, *skip, *policies, *sizes); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(out string, quick bool, skipList, policies, sizes string) error {
	ctx := context.Background()
	start := time.Now()
	skip := map[string]bool{}
	for s := range strings.SplitSeq(skipList, ",") {
		skip[s] = true
	}
	root, err := os.Getwd()
	if err != nil {
		return err
	}
	if _, err := os.Stat("go.mod"); err != nil {
		return fmt.Errorf("run from the module root (no go.mod in %s)", root)
	}
	rep := &bench.Report{Machine: bench.ThisMachine(), Command: "make bench"}
	logf := func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "[%s] "+format+"\n", append([]any{time.Since(start).Round(time.Second)}, args...)...)
	}

	iters := 60
	if quick {
		iters = 10
	}
	if !skip["resolution"] || !skip["burst"] || !skip["init"] || !skip["invoke"] {
		m, err := moto.Start(ctx)
		if err != nil {
			return err
		}
		defer m.Stop()
		if !skip["resolution"] {
			logf("resolution latency: moto")
			if rep.Resolution, err = bench.Resolution(ctx, m, bench.ResolutionConfig{Iterations: iters}); err != nil {
				return err
			}
			logf("resolution latency: concurrent in-memory SSM")
			if rep.Concurrent, err = bench.Resolution(ctx, m, bench.ResolutionConfig{Iterations: iters, Concurrent: true}); err != nil {
				return err
			}
			logf("resolution latency: SSM and Secrets Manager")
			if rep.Mixed, err = bench.MixedResolution(ctx, m, bench.ResolutionConfig{Iterations: iters}); err != nil {
				return err
			}
		}
		if !skip["init"] {
			logf("init duration")
			cfg := bench.InitConfig{Root: root}
			if quick {
				cfg.Iterations = 5
			}
			if rep.Init, err = bench.InitDurations(ctx, m, cfg); err != nil {
				return err
			}
		}
		if !skip["invoke"] {
			logf("fnenv invoke of an unchanged handler")
			cfg := bench.InvokeConfig{Root: root}
			if quick {
				cfg.Iterations = 3
			}
			if rep.Invoke, err = bench.Invoke(ctx, m, cfg); err != nil {
				return err
			}
		}
		if !skip["burst"] {
			logf("burst")
			cfg := bench.BurstConfig{}
			if policies != "" {
				cfg.Policies = []bench.BurstPolicy{}
				for _, p := range bench.BurstPolicies() {
					if slices.Contains(strings.Split(policies, ","), strings.Fields(p.Name)[0]) {
						cfg.Policies = append(cfg.Policies, p)
					}
				}
			}
			if quick {
				cfg.ColdStarts = 60
			}
			if rep.Burst, err = bench.Burst(ctx, m, cfg); err != nil {
				return err
			}
		}
	}
	if !skip["warm"] {
		logf("resolver Go benchmarks: %s", bench.ResolverBenchCommand)
		if rep.GoBenches, rep.GoBenchOutput, err = bench.ResolverBenchmarks(ctx, root); err != nil {
			return err
		}
	}
	if !skip["size"] {
		logf("binary sizes")
		if rep.Binaries, err = bench.BinarySizes(ctx, root); err != nil {
			return err
		}
	}
	if !skip["unittest"] {
		logf("unit test of a user's stack")
		cfg := bench.UnitTestConfig{Root: root}
		if quick {
			cfg.Iterations = 2
		}
		if rep.UnitTest, err = bench.UnitTests(ctx, cfg); err != nil {
			return err
		}
	}
	if !skip["check"] {
		logf("the secrets check at synth")
		cfg := bench.CheckConfig{Root: root}
		if quick {
			cfg.Iterations = 1
		}
		if rep.Check, err = bench.CheckCost(ctx, cfg); err != nil {
			return err
		}
	}
	if out != "" {
		if err := save(rep, out, start); err != nil {
			return err
		}
	}
	if !skip["synth"] {
		logf("synth scaling")
		cfg := bench.SynthConfig{Root: root, Log: os.Stderr}
		if out != "" {
			cfg.Progress = func(s *bench.SynthResult) {
				rep.Synth = s
				if err := save(rep, out, start); err != nil {
					logf("saving the report: %v", err)
				}
			}
		}
		for f := range strings.SplitSeq(sizes, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if f == "" {
				continue
			}
			if err != nil || n < 1 {
				return fmt.Errorf("-synth-sizes: %q is not a number of functions", f)
			}
			cfg.Sizes = append(cfg.Sizes, n)
		}
		if quick {
			cfg.Sizes, cfg.WarmReps, cfg.ColdReps = []int{3}, func(int) int { return 1 }, func(int) int { return 1 }
		}
		if rep.Synth, err = bench.Synth(ctx, cfg); err != nil {
			return err
		}
	}
	logf("done")
	return save(rep, out, start)
}

// save writes the report (to stdout without out) and, beside it, the burst
// plot. With out, it runs after every part too, so that a run stopped in
// the synth part keeps what it measured before.
func save(rep *bench.Report, out string, start time.Time) error {
	rep.Total = time.Since(start)
	var buf bytes.Buffer
	rep.Write(&buf)
	if out == "" {
		_, err := os.Stdout.Write(buf.Bytes())
		return err
	}
	if len(rep.Burst) > 0 {
		var svg bytes.Buffer
		bench.WriteBurstSVG(&svg, rep.Burst)
		if err := os.WriteFile(filepath.Join(filepath.Dir(out), bench.BurstSVG), svg.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return os.WriteFile(out, buf.Bytes(), 0o644)
}
