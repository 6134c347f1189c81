package bench

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/fnenv/fnenv/internal/assembly"
	"github.com/fnenv/fnenv/internal/bench/synthdef"
	"github.com/fnenv/fnenv/internal/moto"
	"github.com/fnenv/fnenv/model"
)

// InvokeConfig configures Invoke.
type InvokeConfig struct {
	// Root is fnenv's module root.
	Root string
	// Iterations is how many invokes of the unchanged handler are timed
	// after the first. Default: 10.
	Iterations int
}

// InvokeResult is the time of `fnenv invoke` of a user's handler: the
// first (which builds the handler for this machine) and the following ones
// of the unchanged handler, each the whole command (process start, reading
// the cloud assembly and the AWS configuration, the go command finding the
// binary up to date, the handler's cold start with one SSM round trip to
// moto, the event).
type InvokeResult struct {
	Config InvokeConfig
	First  time.Duration
	Again  Stats
}

// InvokeGoal is the goal of a second invoke of an unchanged handler (p50),
// the handler's own work (one SSM round trip to moto) included.
const InvokeGoal = 2 * time.Second

// Invoke measures `fnenv invoke` of function 0 of the synth benchmark's
// generated module, with a fake cloud assembly of it (assembly.WriteFake)
// and its secrets in moto, with a fnenv CLI built from Root. The handler's
// build goes to a temporary user cache directory (XDG_CACHE_HOME), so the
// first invoke builds it; the Go build cache is the user's.
func Invoke(ctx context.Context, m *moto.Server, cfg InvokeConfig) (*InvokeResult, error) {
	if cfg.Iterations <= 0 {
		cfg.Iterations = 10
	}
	tmp, err := os.MkdirTemp("", "fnenv-invoke-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	mod, asm, cli := filepath.Join(tmp, "mod"), filepath.Join(tmp, "cdk.out"), filepath.Join(tmp, "fnenv")
	if err := generateModule(cfg.Root, mod, 1); err != nil {
		return nil, err
	}
	build := exec.CommandContext(ctx, "go", "build", "-o", cli, "./cmd/fnenv")
	build.Dir = cfg.Root
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("building the fnenv CLI: %v\n%s", err, out)
	}
	fn := synthdef.Function(0)
	b := synthdef.Backend()
	b.Prefix = model.DefaultPrefix
	c := ssm.New(ssm.Options{Region: moto.Region, BaseEndpoint: aws.String(m.URL), Credentials: testCredentials})
	for _, s := range fn.Secrets() {
		if _, err := c.PutParameter(ctx, &ssm.PutParameterInput{
			Name: aws.String(b.BranchPath(s)), Value: aws.String("fake_" + strings.ToLower(s) + "_invoke"),
			Type: types.ParameterTypeSecureString, Overwrite: aws.Bool(true),
		}); err != nil {
			return nil, err
		}
	}
	vars := map[string]any{}
	for k, v := range fn.Environment(b, synthdef.MaxAge, synthdef.Values(0)) {
		vars[k] = v
	}
	if err := os.MkdirAll(asm, 0o755); err != nil {
		return nil, err
	}
	rec := model.Record{Backend: b, Function: fn, Path: synthdef.StackID + "-" + b.BranchLevel() + "/" + synthdef.ID(0)}
	if err := assembly.WriteFake(asm, assembly.FakeFunction{Record: rec, Environment: vars}); err != nil {
		return nil, err
	}
	// The handler's build goes to a user cache directory of the run's own
	// (removed with it), the Go build cache stays the user's.
	gocache, err := exec.CommandContext(ctx, "go", "env", "GOCACHE").Output()
	if err != nil {
		return nil, fmt.Errorf("go env GOCACHE: %v", err)
	}
	env := append(os.Environ(), m.Env()...)
	env = append(env, "XDG_CACHE_HOME="+filepath.Join(tmp, "cache"), "GOCACHE="+strings.TrimSpace(string(gocache)))
	invoke := func() (time.Duration, error) {
		cmd := exec.CommandContext(ctx, cli, "invoke", fn.Name, "--branch", b.Branch, "--assembly", asm)
		cmd.Dir = mod
		cmd.Env = env
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		start := time.Now()
		err := cmd.Run()
		d := time.Since(start)
		if err != nil {
			return 0, fmt.Errorf("fnenv invoke %s: %v\n%s", fn.Name, err, out.String())
		}
		return d, nil
	}
	res := &InvokeResult{Config: cfg}
	if res.First, err = invoke(); err != nil {
		return nil, err
	}
	var again []time.Duration
	for range cfg.Iterations {
		d, err := invoke()
		if err != nil {
			return nil, err
		}
		again = append(again, d)
	}
	res.Again = Summarize(again)
	return res, nil
}

// writeInvoke writes the invoke section of the report.
func (r *Report) writeInvoke(p func(string, ...any)) {
	v := r.Invoke
	p("## `fnenv invoke`: a handler run here again")
	p("")
	p("How to read: \"again\" is the loop a developer lives in — `fnenv invoke` of a handler that did not change since")
	p("its last invoke (goal 7: ≤ %s at p50).", secs(InvokeGoal))
	p("")
	p("A user's module (the synth benchmark's function 0: two literals, two secrets; fnenv replaced by this checkout),")
	p("a cloud assembly of it, its secrets in moto, and the fnenv CLI built from this checkout. Each run is the whole")
	p("`fnenv invoke` command: reading the assembly and the AWS configuration, `go build` of the handler for this machine")
	p("into the invoke cache (a user cache directory of the run's own; the go command finds the binary up to date when")
	p("nothing changed; the Go build cache is the user's), the handler's cold")
	p("start under the local Runtime API — its Load, one GetParameters round trip to moto, is the handler's own work —")
	p("and the event. The first invoke builds the handler (the Go build cache already holds its dependencies).")
	p("")
	p("| invoke | p50 | p90 | min | max |")
	p("|---|---|---|---|---|")
	p("| first (builds the handler) | %s | | | |", secs(v.First))
	p("| again, handler unchanged (%d runs) | %s | %s | %s | %s |", v.Again.N, secs(v.Again.P50), secs(v.Again.P90), secs(v.Again.Min), secs(v.Again.Max))
	p("")
}
