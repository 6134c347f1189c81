// Package demo runs the sample app for real on a local AWS (moto): it
// bootstraps, sets secrets with the fnenv CLI, deploys branches side by side
// with the pinned CDK CLI, reads each deployed function's configuration back
// and runs its built bootstrap under a local Lambda Runtime API server.
// `make demo` and the end-to-end test in test/e2e both use it.
package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/fnenv/fnenv/internal/lambdaapi"
	"github.com/fnenv/fnenv/internal/moto"
)

// Account is the account moto answers as.
const Account = "123456789012"

// Runner runs commands against one local AWS.
type Runner struct {
	Root  string       // the module root (holds cdk.json)
	CDK   string       // the pinned CDK CLI
	Fnenv string       // the built fnenv CLI
	Moto  *moto.Server // the local AWS
	Log   io.Writer    // where command output is echoed; nil: nowhere
	mu    sync.Mutex   // guards seen
	seen  bytes.Buffer // every byte any command or function printed, for canary scans
}

// Output returns everything the commands and functions printed so far.
func (r *Runner) Output() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.seen.String()
}

func (r *Runner) record(b []byte) {
	r.mu.Lock()
	r.seen.Write(b)
	r.mu.Unlock()
}

// Env is the environment of every command: the process's, pointed at moto.
func (r *Runner) Env() []string {
	env := []string{}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "AWS_") || k == "CDK_CONTEXT_JSON" || k == "CDK_OUTDIR" {
			continue // the real chain must not leak into the local run
		}
		env = append(env, kv)
	}
	// The CDK CLI's own cache and notices stay in the ignored cdk.out too.
	env = append(env, "CDK_HOME="+filepath.Join(r.Root, "cdk.out", ".cdk-home"))
	return append(env, r.Moto.Env()...)
}

// Run runs a command in Root with stdin, returning its combined output; a
// non-zero exit is an error carrying that output.
func (r *Runner) Run(ctx context.Context, stdin string, name string, args ...string) (string, error) {
	_, all, err := r.run(ctx, stdin, name, args...)
	return all, err
}

// run runs a command in Root with stdin, returning its standard output and
// its combined output; a non-zero exit is an error carrying the combined
// output.
func (r *Runner) run(ctx context.Context, stdin string, name string, args ...string) (stdout, all string, err error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = r.Root
	cmd.Env = r.Env()
	cmd.Stdin = strings.NewReader(stdin)
	var out, combined bytes.Buffer
	w := io.Writer(&combined)
	if r.Log != nil {
		w = io.MultiWriter(&combined, r.Log)
	}
	// Two pipes, copied by two goroutines: the combined output needs a lock.
	lw := &lockedWriter{w: w}
	cmd.Stdout, cmd.Stderr = io.MultiWriter(&out, lw), lw
	err = cmd.Run()
	r.record(combined.Bytes())
	if err != nil {
		return out.String(), combined.String(), fmt.Errorf("%s %s: %w\n%s", filepath.Base(name), strings.Join(args, " "), err, tail(combined.String(), 40))
	}
	return out.String(), combined.String(), nil
}

// InvokeDeployed runs a deployed function of branch with `fnenv invoke
// --deployed` — the same path as a user's — and returns its response, a
// JSON object.
func (r *Runner) InvokeDeployed(ctx context.Context, name, branch, outdir string, payload any) (map[string]any, error) {
	p, _ := json.Marshal(payload)
	resp, _, err := r.run(ctx, string(p), r.Fnenv, "invoke", name, "--branch", branch, "--deployed", "--assembly", outdir, "--event", "-")
	if err != nil {
		return nil, err
	}
	var out map[string]any
	if err := json.Unmarshal([]byte(resp), &out); err != nil {
		return nil, fmt.Errorf("fnenv invoke %s: response %q is not a JSON object: %w", name, tail(resp, 3), err)
	}
	return out, nil
}

// BuildCLI builds the fnenv CLI into dir.
func (r *Runner) BuildCLI(ctx context.Context, dir string) error {
	r.Fnenv = filepath.Join(dir, "fnenv")
	_, err := r.Run(ctx, "", "go", "build", "-o", r.Fnenv, "./cmd/fnenv")
	return err
}

// Bootstrap runs `cdk bootstrap` for the local account and region.
func (r *Runner) Bootstrap(ctx context.Context) error {
	// The CDK CLI synthesizes the app even for an explicit environment: give
	// it a branch, so that bootstrapping works outside a git branch too (a
	// detached checkout in CI).
	_, err := r.Run(ctx, "", r.CDK, "bootstrap", "-c", "branch=main", fmt.Sprintf("aws://%s/%s", Account, moto.Region))
	return err
}

// SetSecret runs `fnenv secret set` with the value on stdin; branch ""
// means --shared.
func (r *Runner) SetSecret(ctx context.Context, name, branch, value string) error {
	args := []string{"secret", "set", name}
	if branch == "" {
		args = append(args, "--shared")
	} else {
		args = append(args, "--branch", branch)
	}
	_, err := r.Run(ctx, value+"\n", r.Fnenv, args...)
	return err
}

// Check runs `fnenv secret check` against the assembly in outdir.
func (r *Runner) Check(ctx context.Context, branch, outdir string) (string, error) {
	return r.Run(ctx, "", r.Fnenv, "secret", "check", "--branch", branch, "--assembly", outdir)
}

// Synth synthesizes the app for branch into outdir.
func (r *Runner) Synth(ctx context.Context, branch, outdir string, context ...string) error {
	args := []string{"synth", "--all", "--quiet", "-c", "branch=" + branch, "-o", outdir}
	for _, c := range context {
		args = append(args, "-c", c)
	}
	_, err := r.Run(ctx, "", r.CDK, args...)
	return err
}

// Deploy deploys every stack of the app for branch from outdir. moto's
// change-set path cannot update stacks, so deployments are direct and name
// the bootstrap version parameter explicitly.
func (r *Runner) Deploy(ctx context.Context, branch, outdir string, context ...string) error {
	args := []string{"deploy", "--all", "-c", "branch=" + branch, "-o", outdir,
		"--method=direct", "--require-approval=never", "--progress=events",
		"--parameters", "BootstrapVersion=/cdk-bootstrap/hnb659fds/version"}
	for _, c := range context {
		args = append(args, "-c", c)
	}
	_, err := r.Run(ctx, "", r.CDK, args...)
	return err
}

// Configuration is a deployed function's configuration read back from the
// local AWS.
type Configuration struct {
	FunctionName string
	MemorySize   int32
	Environment  map[string]string
}

// Describe reads the configuration of every function of stack back from
// the local AWS, keyed by the function's spec name.
func (r *Runner) Describe(ctx context.Context, st Stack) (map[string]Configuration, error) {
	cfg := r.config()
	cfn := cloudformation.NewFromConfig(cfg)
	lam := lambda.NewFromConfig(cfg)
	res, err := cfn.DescribeStackResources(ctx, &cloudformation.DescribeStackResourcesInput{StackName: aws.String(st.Name)})
	if err != nil {
		return nil, fmt.Errorf("describing stack %s: %w", st.Name, err)
	}
	physical := map[string]string{}
	for _, sr := range res.StackResources {
		physical[aws.ToString(sr.LogicalResourceId)] = aws.ToString(sr.PhysicalResourceId)
	}
	out := map[string]Configuration{}
	for _, fn := range st.Functions {
		name := physical[fn.LogicalID]
		if name == "" {
			return nil, fmt.Errorf("stack %s has no deployed resource %s (function %s)", st.Name, fn.LogicalID, fn.Record.Function.Name)
		}
		c, err := lam.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(name)})
		if err != nil {
			return nil, fmt.Errorf("reading function %s: %w", name, err)
		}
		conf := Configuration{FunctionName: aws.ToString(c.FunctionName), MemorySize: aws.ToInt32(c.MemorySize), Environment: map[string]string{}}
		if c.Environment != nil {
			conf.Environment = c.Environment.Variables
		}
		out[fn.Record.Function.Name] = conf
	}
	return out, nil
}

// config is the SDK configuration of the local AWS.
func (r *Runner) config() aws.Config {
	return aws.Config{
		Region:       moto.Region,
		BaseEndpoint: aws.String(r.Moto.URL),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test", Source: "moto"}, nil
		}),
	}
}

// Start runs a function's deployed bootstrap (built for Lambda: under qemu
// on another architecture) with its deployed environment, as the Lambda
// service would, with the environment `fnenv invoke` gives a function
// (lambdaapi.Environment). The process keeps running (warm) until the
// returned Function is stopped: for tests of a warm function; a cold
// invocation is InvokeDeployed.
func (r *Runner) Start(fn DeployedFunction, conf Configuration) (*lambdaapi.Function, error) {
	env := lambdaapi.Environment(conf.FunctionName, int(conf.MemorySize))
	env = append(env, r.Moto.Env()...)
	for k, v := range conf.Environment {
		env = append(env, k+"="+v)
	}
	return lambdaapi.Start(fn.Bootstrap, env)
}

// Invoke sends payload to a started function and records its output.
func (r *Runner) Invoke(ctx context.Context, f *lambdaapi.Function, payload any) (map[string]any, error) {
	p, _ := json.Marshal(payload)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	resp, err := f.Invoke(ctx, p)
	r.record(resp)
	r.record([]byte(f.Output()))
	if err != nil {
		return nil, fmt.Errorf("%w\nfunction output:\n%s", err, tail(f.Output(), 20))
	}
	var out map[string]any
	if err := json.Unmarshal(resp, &out); err != nil {
		return nil, fmt.Errorf("response %q is not a JSON object: %w", tail(string(resp), 3), err)
	}
	return out, nil
}

// Secrets lists the distinct secrets the functions of stacks reference.
func Secrets(stacks []Stack) []string {
	seen := map[string]bool{}
	var out []string
	for _, st := range stacks {
		for _, fn := range st.Functions {
			for _, s := range fn.Record.Function.Secrets() {
				if !seen[s] {
					seen[s] = true
					out = append(out, s)
				}
			}
		}
	}
	return out
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// lockedWriter serializes writes to w.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
