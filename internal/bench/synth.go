package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fnenv/fnenv/codegen"
	"github.com/fnenv/fnenv/internal/bench/synthdef"
	"github.com/fnenv/fnenv/model"
)

// SynthConfig configures Synth.
type SynthConfig struct {
	// Root is the fnenv module's root (the directory holding go.mod).
	Root string
	// Sizes are the numbers of functions of the generated apps. Default
	// 10 and 50.
	Sizes []int
	// WarmReps is the number of warm synths per app of n functions and
	// mode. Default: 2 up to 10 functions, else 1 (GoFunction relinks
	// every handler on every synth: minutes on a loaded machine).
	WarmReps func(n int) int
	// ColdReps is the number of cold fnenv and GoFunction synths for an
	// app of n functions. Default 1.
	ColdReps func(n int) int
	// Log, when set, receives one line per synth.
	Log io.Writer
	// Progress, when set, is called with the result so far after every
	// synth, so that a stopped run keeps what it measured.
	Progress func(*SynthResult)
}

// SynthRun is one timed `cdk synth`.
type SynthRun struct {
	Functions int
	// Mode is "fnenv", "gofunction" or "plain"; Cache is "cold", "warm"
	// or, for fnenv, NoBuildCache.
	Mode, Cache string
	Wall        time.Duration
	// Keys are the S3Keys of the functions' code, by construct id.
	Keys map[string]string
}

// SynthResult is the outcome of Synth.
type SynthResult struct {
	Config SynthConfig
	// Command is the synth command line, with placeholders.
	Command string
	// AppBuild is how long building the CDK app's binary took (not
	// measured in the runs).
	AppBuild time.Duration
	Runs     []SynthRun
	// SameKeys reports, per app size and mode, whether every synth gave
	// the same S3Keys; SameAsPlain whether fnenv's keys equal the plain
	// app's over the same binaries.
	SameKeys    map[string]bool
	SameAsPlain map[int]bool
}

// Modes and caches of the synth runs.
const (
	ModeFnenv, ModeGoFunction, ModePlain = "fnenv", "gofunction", "plain"
	// NoBuildCache is fnenv with a warm GOCACHE but its own build cache
	// (.fnenv/build of the module) removed.
	NoBuildCache = "warm GOCACHE, no .fnenv/build"
)

// Walls returns the wall times of the runs of n functions in mode and cache.
func (r *SynthResult) Walls(n int, mode, cache string) []time.Duration {
	var out []time.Duration
	for _, run := range r.Runs {
		if run.Functions == n && run.Mode == mode && run.Cache == cache {
			out = append(out, run.Wall)
		}
	}
	return out
}

// Synth generates a Go module of max(cfg.Sizes) handlers (each importing
// its own generated env package), prebuilds the CDK app synthapp, and
// times `cdk synth --app <binary>` of an app of n of those functions, for
// each n in cfg.Sizes: with fnenv's function.New, cold (an empty GOCACHE
// and no fnenv build cache) and warm; and as plain awslambda.NewFunction
// over the binaries prebuilt by the cold fnenv synth, copied out of its
// cloud assembly.
func Synth(ctx context.Context, cfg SynthConfig) (*SynthResult, error) {
	if len(cfg.Sizes) == 0 {
		cfg.Sizes = []int{10, 50}
	}
	if cfg.WarmReps == nil {
		cfg.WarmReps = func(n int) int {
			if n <= 10 {
				return 2
			}
			return 1
		}
	}
	if cfg.ColdReps == nil {
		cfg.ColdReps = func(int) int { return 1 }
	}
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	cdk := filepath.Join(cfg.Root, ".tools", "node_modules", ".bin", "cdk")
	if _, err := os.Stat(cdk); err != nil {
		return nil, fmt.Errorf("the pinned CDK CLI is not installed at %s: run `cd .tools && npm ci`", cdk)
	}
	work, err := os.MkdirTemp("", "fnenv-synth-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	mod := filepath.Join(work, "mod")
	if err := generateModule(cfg.Root, mod, slices.Max(cfg.Sizes)); err != nil {
		return nil, err
	}
	res := &SynthResult{Config: cfg, SameKeys: map[string]bool{}, SameAsPlain: map[int]bool{}}
	bin := filepath.Join(work, "synthapp")
	start := time.Now()
	if err := goCmd(ctx, cfg.Root, nil, "build", "-o", bin, "./internal/bench/synthapp"); err != nil {
		return nil, err
	}
	res.AppBuild = time.Since(start)
	gofnBin := filepath.Join(work, "gofnapp")
	if err := writeGoFunctionApp(ctx, mod, gofnBin, slices.Max(cfg.Sizes)); err != nil {
		return nil, err
	}
	res.Command = fmt.Sprintf("cd <generated module> && %s=<fnenv|plain> %s=<n> .tools/node_modules/.bin/cdk synth --app <synthapp binary> -o <fresh dir> --quiet --no-notices -c appId=%s -c branch=%s",
		synthdef.EnvMode, synthdef.EnvFunctions, synthdef.AppID, synthdef.Branch)

	gocache := filepath.Join(work, "gocache")
	assets := filepath.Join(work, "assets")
	synth := func(n int, mode, cache string) (SynthRun, error) {
		gocache := gocache
		app := bin
		if mode != ModeFnenv {
			// A GOCACHE of its own, so that a cold run leaves the others' warm.
			gocache = filepath.Join(work, "gocache-"+mode)
		}
		if mode == ModeGoFunction {
			app = gofnBin
		}
		switch {
		case cache == NoBuildCache:
			if err := os.RemoveAll(filepath.Join(mod, ".fnenv")); err != nil {
				return SynthRun{}, err
			}
		case cache == "cold" && mode != ModeFnenv:
			if err := os.RemoveAll(gocache); err != nil {
				return SynthRun{}, err
			}
		case cache == "cold":
			if err := os.RemoveAll(gocache); err != nil {
				return SynthRun{}, err
			}
			if err := os.RemoveAll(filepath.Join(mod, ".fnenv")); err != nil {
				return SynthRun{}, err
			}
		}
		if err := os.MkdirAll(gocache, 0o755); err != nil {
			return SynthRun{}, err
		}
		out := filepath.Join(work, "out")
		if err := os.RemoveAll(out); err != nil {
			return SynthRun{}, err
		}
		cmd := exec.CommandContext(ctx, cdk, "synth", "--app", app, "-o", out, "--quiet", "--no-notices",
			"-c", "appId="+synthdef.AppID, "-c", "branch="+synthdef.Branch,
			// The build is measured here; the secrets check has its own part.
			"-c", model.ContextCheckSecrets+"=false")
		cmd.Dir = mod
		cmd.Env = append(os.Environ(),
			"GOCACHE="+gocache, "GOFLAGS=-buildvcs=false",
			synthdef.EnvMode+"="+mode, synthdef.EnvFunctions+"="+strconv.Itoa(n), synthdef.EnvAssets+"="+assets,
			"CDK_DISABLE_VERSION_CHECK=1", "CDK_DISABLE_CLI_TELEMETRY=true",
			"JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION=1", "JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION=1")
		var output bytes.Buffer
		cmd.Stdout, cmd.Stderr = &output, &output
		start := time.Now()
		err := cmd.Run()
		wall := time.Since(start)
		if err != nil {
			return SynthRun{}, fmt.Errorf("cdk synth (%d functions, %s, %s): %w\n%s", n, mode, cache, err, output.String())
		}
		keys, assetDirs, err := readTemplate(out)
		if err != nil {
			return SynthRun{}, err
		}
		if len(keys) != n {
			return SynthRun{}, fmt.Errorf("cdk synth (%d functions, %s): the template has %d functions", n, mode, len(keys))
		}
		if mode == "fnenv" {
			// The plain app's prebuilt binaries: the very bytes fnenv built.
			for path, dir := range assetDirs {
				name := strings.ToLower(path)
				dst := filepath.Join(assets, name, "bootstrap")
				if _, err := os.Stat(dst); err == nil {
					continue
				}
				if err := copyFile(filepath.Join(out, dir, "bootstrap"), dst); err != nil {
					return SynthRun{}, err
				}
			}
		}
		r := SynthRun{Functions: n, Mode: mode, Cache: cache, Wall: wall, Keys: keys}
		fmt.Fprintf(cfg.Log, "synth: %d functions, %s, %s cache: %s\n", n, mode, cache, secs(wall))
		return r, nil
	}

	for _, n := range cfg.Sizes {
		type job struct{ mode, cache string }
		jobs := []job{}
		for range cfg.ColdReps(n) {
			jobs = append(jobs, job{ModeFnenv, "cold"}, job{ModeGoFunction, "cold"})
		}
		jobs = append(jobs, job{ModePlain, "cold"})
		for range cfg.WarmReps(n) {
			// Interleaved, so that load from others hits all alike.
			jobs = append(jobs, job{ModeFnenv, "warm"}, job{ModeGoFunction, "warm"}, job{ModePlain, "warm"}, job{ModeFnenv, NoBuildCache})
		}
		for _, j := range jobs {
			r, err := synth(n, j.mode, j.cache)
			if err != nil {
				return nil, err
			}
			res.Runs = append(res.Runs, r)
			if cfg.Progress != nil {
				cfg.Progress(res)
			}
		}
		var first map[string]map[string]string = map[string]map[string]string{}
		for _, mode := range []string{ModeFnenv, ModeGoFunction, ModePlain} {
			key := fmt.Sprintf("%d/%s", n, mode)
			res.SameKeys[key] = true
			for _, r := range res.Runs {
				if r.Functions != n || r.Mode != mode {
					continue
				}
				if first[mode] == nil {
					first[mode] = r.Keys
				} else if !maps.Equal(first[mode], r.Keys) {
					res.SameKeys[key] = false
				}
			}
		}
		res.SameAsPlain[n] = maps.Equal(first["fnenv"], first["plain"])
	}
	return res, nil
}

// generateModule writes a Go module at dir requiring fnenv (replaced by
// root) with n handlers fns/f00… and their generated env packages.
func generateModule(root, dir string, n int) error {
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return err
	}
	// The same requirements as fnenv's, so that go.sum (copied) covers them.
	_, reqs, ok := strings.Cut(string(gomod), "\nrequire")
	if !ok {
		return fmt.Errorf("%s/go.mod has no require block", root)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "module %s\n\ngo 1.26.0\n\nrequire github.com/fnenv/fnenv v0.0.0-00010101000000-000000000000\n\nrequire%s\nreplace github.com/fnenv/fnenv => %s\n", synthdef.Module, reqs, root)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(b.String()), 0o644); err != nil {
		return err
	}
	if err := copyFile(filepath.Join(root, "go.sum"), filepath.Join(dir, "go.sum")); err != nil {
		return err
	}
	for i := range n {
		fn := synthdef.Function(i)
		if err := os.MkdirAll(filepath.Join(dir, fn.Entry), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, fn.Entry, "main.go"), []byte(synthdef.Handler(i)), 0o644); err != nil {
			return err
		}
		if _, err := codegen.Write(dir, fn); err != nil {
			return err
		}
	}
	return nil
}

// readTemplate returns the S3Key of every Lambda function's code and its
// asset directory in the cloud assembly at out, by construct id ("F07").
func readTemplate(out string) (keys, assetDirs map[string]string, err error) {
	data, err := os.ReadFile(filepath.Join(out, synthdef.StackID+".template.json"))
	if err != nil {
		return nil, nil, err
	}
	var t struct {
		Resources map[string]struct {
			Type       string
			Metadata   map[string]any
			Properties struct{ Code struct{ S3Key any } }
		}
	}
	if err := json.Unmarshal(data, &t); err != nil {
		return nil, nil, err
	}
	keys, assetDirs = map[string]string{}, map[string]string{}
	for id, r := range t.Resources {
		if r.Type != "AWS::Lambda::Function" {
			continue
		}
		// By function construct ("SynthBench/F07/…" → "F07"): fnenv's Lambda
		// sits one level deeper than a plain one.
		path, _ := r.Metadata["aws:cdk:path"].(string)
		if parts := strings.Split(path, "/"); len(parts) > 1 {
			path = parts[1]
		} else {
			path = id
		}
		k, _ := json.Marshal(r.Properties.Code.S3Key)
		keys[path] = string(k)
		if d, ok := r.Metadata["aws:asset:path"].(string); ok {
			assetDirs[path] = d
		}
	}
	return keys, assetDirs, nil
}

func copyFile(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return os.WriteFile(dst, data, 0o755)
}

func goCmd(ctx context.Context, dir string, env []string, args ...string) error {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, out.String())
	}
	return nil
}
