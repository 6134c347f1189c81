package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/fnenv/fnenv/internal/assembly"
	"github.com/fnenv/fnenv/internal/lambdaapi"
	"github.com/fnenv/fnenv/internal/srctree"
	"github.com/fnenv/fnenv/model"
)

// DefaultFunctionTimeout is Lambda's timeout of a function whose
// configuration sets none: 3 seconds (Lambda's CreateFunction, "Timeout …
// The default is 3 seconds").
const DefaultFunctionTimeout = 3 * time.Second

// InitTimeout bounds a function's init (its cold start up to its first
// request for an event): Lambda's init phase lasts at most 10 seconds.
const InitTimeout = 10 * time.Second

// localFunction is one function of the cloud assembly with the
// configuration `fnenv invoke` and `fnenv env` run it with.
type localFunction struct {
	assembly.Function
	// Name is the function's physical name: the deployed one, else
	// "<stack>-<logical id>" (the name CloudFormation would give it, less
	// its random suffix).
	Name string
	// ARN is the deployed function's ARN; a placeholder locally.
	ARN string
	// Env is the function's environment variables.
	Env map[string]string
	// Timeout and MemoryMiB are the function's, or Lambda's defaults.
	Timeout   time.Duration
	MemoryMiB int
	// From says where the configuration came from, for messages.
	From string
	// Caller is what the caller adds: region, credentials, endpoints
	// (callerEnv).
	Caller []string
}

// localOptions are the flags `fnenv invoke` and `fnenv env` share.
type localOptions struct {
	branch, assembly string
	deployed         bool
}

func (o *localOptions) flags(c interface {
	StringVar(*string, string, string, string)
	BoolVar(*bool, string, bool, string)
}) {
	c.StringVar(&o.branch, "branch", "", "the branch whose configuration and secrets to use (default: resolved as for the app); the cloud assembly must be synthesized for it")
	c.StringVar(&o.assembly, "assembly", "cdk.out", "the synthesized cloud assembly directory")
	c.BoolVar(&o.deployed, "deployed", false, "use the deployed function's configuration, read with the Lambda API (CDK tokens resolved), instead of the synthesized template's")
}

// localFunction finds function name in the cloud assembly, refuses an
// assembly synthesized for another branch, reads the function's
// configuration from the template or, with deployed, from Lambda, and the
// caller's region, credentials and endpoints.
func (r *runner) localFunction(ctx context.Context, name string, o localOptions) (*localFunction, error) {
	id, err := r.resolve(o.branch, true, false)
	if err != nil {
		return nil, err
	}
	dir := r.path(o.assembly)
	if _, err := readRecords(dir); err != nil { // the same messages as every command reading an assembly
		return nil, err
	}
	fns, err := assembly.Functions(dir)
	if err != nil {
		return nil, failed("reading the cloud assembly: %v", err)
	}
	var found []assembly.Function
	var names []string
	for _, f := range fns {
		if f.Record.Function.Name == name {
			found = append(found, f)
		}
		names = append(names, f.Record.Function.Name)
	}
	switch {
	case len(found) == 0:
		sort.Strings(names)
		return nil, usage("no function %q in the cloud assembly at %s; its functions: %s", name, o.assembly, strings.Join(names, ", "))
	case len(found) > 1:
		var where []string
		for _, f := range found {
			where = append(where, f.Record.Path)
		}
		return nil, usage("function %q is in %d places of the cloud assembly at %s (%s): one name, one function", name, len(found), o.assembly, strings.Join(where, ", "))
	}
	f := found[0]
	if err := assemblyBranch(o.assembly, []string{f.Record.Backend.Branch}, id.Branch); err != nil {
		return nil, err
	}
	// The AWS configuration (region, credentials, endpoint) of the standard
	// chain, checked before anything runs.
	s, err := r.store(ctx)
	if err != nil {
		return nil, err
	}
	cfg := s.Config()
	lf := &localFunction{Function: f}
	if o.deployed {
		err = r.deployedConfig(ctx, lf, cfg)
	} else {
		err = synthesizedConfig(lf, o.assembly)
	}
	if err != nil {
		return nil, err
	}
	r.overrideBackend(lf, id)
	if lf.Caller, err = r.callerEnv(ctx, cfg); err != nil {
		return nil, err
	}
	return lf, nil
}

// synthesizedConfig takes lf's configuration from its template. A value
// holding a CDK token (an intrinsic function such as {"Ref": …}) is known
// only at deploy: it is an error that suggests --deployed.
func synthesizedConfig(lf *localFunction, dir string) error {
	lf.Env = map[string]string{}
	var tokens []string
	for k, v := range lf.Environment {
		s, ok := v.(string)
		if !ok {
			tokens = append(tokens, fmt.Sprintf("%s = %s", k, compactJSON(v)))
			continue
		}
		lf.Env[k] = s
	}
	if len(tokens) > 0 {
		sort.Strings(tokens)
		return failed("function %s (%s): its synthesized environment holds values known only at deploy (CDK tokens), which cannot be resolved here:\n  %s\ndeploy the branch and run with --deployed to use the deployed function's configuration",
			lf.Record.Function.Name, lf.Record.Path, strings.Join(tokens, "\n  "))
	}
	lf.Name = lf.StackName + "-" + lf.LogicalID
	lf.ARN = "arn:aws:lambda:local:000000000000:function:" + lf.Name
	lf.Timeout = time.Duration(lf.Function.Timeout) * time.Second
	lf.MemoryMiB = lf.MemorySize
	lf.From = "the synthesized template in " + dir
	lf.defaults()
	return nil
}

func (lf *localFunction) defaults() {
	if lf.Timeout <= 0 {
		lf.Timeout = DefaultFunctionTimeout
	}
	if lf.MemoryMiB <= 0 {
		lf.MemoryMiB = 128 // Lambda's default
	}
}

// deployedConfig reads lf's deployed configuration: the stack's resource
// with lf's logical id (CloudFormation DescribeStackResource) names the
// function; Lambda's GetFunctionConfiguration gives its configuration.
func (r *runner) deployedConfig(ctx context.Context, lf *localFunction, cfg aws.Config) error {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	res, err := cloudformation.NewFromConfig(cfg).DescribeStackResource(ctx, &cloudformation.DescribeStackResourceInput{
		StackName: aws.String(lf.StackName), LogicalResourceId: aws.String(lf.LogicalID),
	})
	if err != nil {
		return awsFailed(ctx, fmt.Sprintf("function %s: finding its deployed function (stack %s, resource %s) with CloudFormation", lf.Record.Function.Name, lf.StackName, lf.LogicalID),
			fmt.Sprintf("is the branch deployed? cdk deploy --all -c branch=%s; or run without --deployed to use the synthesized template", shellQuote(lf.Record.Backend.Branch)), err)
	}
	physical := aws.ToString(res.StackResourceDetail.PhysicalResourceId)
	c, err := lambda.NewFromConfig(cfg).GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(physical)})
	if err != nil {
		return awsFailed(ctx, fmt.Sprintf("function %s: reading the configuration of the deployed function %s with Lambda", lf.Record.Function.Name, physical), "", err)
	}
	lf.Env = map[string]string{}
	if c.Environment != nil {
		for k, v := range c.Environment.Variables {
			lf.Env[k] = v
		}
	}
	lf.Name, lf.ARN = aws.ToString(c.FunctionName), aws.ToString(c.FunctionArn)
	lf.Timeout = time.Duration(aws.ToInt32(c.Timeout)) * time.Second
	lf.MemoryMiB = int(aws.ToInt32(c.MemorySize))
	lf.From = "the deployed function " + lf.Name
	lf.defaults()
	return nil
}

// awsFailed is a failed AWS call as an exit error, saying what was tried
// and, when given, what to do.
func awsFailed(ctx context.Context, what, hint string, err error) error {
	if errors.Is(ctx.Err(), context.Canceled) {
		return interrupted("nothing was done")
	}
	if hint != "" {
		hint = "\n" + hint
	}
	return failed("%s: %v%s", what, err, hint)
}

// overrideBackend points lf's secret paths at the backend of --app-id,
// --prefix and --paths when one of them is given and differs from the
// configuration's, as for every other command; the branch is the
// assembly's (assemblyBranch checked it).
func (r *runner) overrideBackend(lf *localFunction, id resolvedBackend) {
	if r.appIDFlag == "" && r.prefixFlag == "" && r.pathsFlag == "" {
		return
	}
	if _, ok := lf.Env[model.EnvBranchPrefix]; !ok {
		return
	}
	b := lf.Record.Backend
	if r.appIDFlag != "" {
		b.AppID = id.AppID
	}
	if r.prefixFlag != "" {
		b.Prefix = id.Prefix
	}
	if r.pathsFlag != "" {
		b.Paths = id.Paths
	}
	lf.Env[model.EnvBranchPrefix], lf.Env[model.EnvSharedPrefix] = b.BranchPrefix(), b.SharedPrefix()
	delete(lf.Env, model.EnvBranch)
	if b.BranchLevel() != b.Branch {
		lf.Env[model.EnvBranch] = b.Branch
	}
}

// callerEnv is what the local run adds to the function's environment: the
// region, the caller's credentials (from the standard AWS chain, resolved
// now: the handler reads static ones, as from its role in Lambda) and the
// caller's endpoints (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>). The
// resolver honours endpoints outside Lambda only — when LAMBDA_TASK_ROOT is
// unset — and the local run does not set it.
func (r *runner) callerEnv(ctx context.Context, cfg aws.Config) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return nil, failed("no AWS credentials for the function: %v", err)
	}
	env := []string{"AWS_REGION=" + cfg.Region, "AWS_DEFAULT_REGION=" + cfg.Region,
		"AWS_ACCESS_KEY_ID=" + creds.AccessKeyID, "AWS_SECRET_ACCESS_KEY=" + creds.SecretAccessKey}
	if creds.SessionToken != "" {
		env = append(env, "AWS_SESSION_TOKEN="+creds.SessionToken)
	}
	if cfg.BaseEndpoint != nil {
		env = append(env, "AWS_ENDPOINT_URL="+*cfg.BaseEndpoint)
	}
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "AWS_ENDPOINT_URL_") {
			env = append(env, kv)
		}
	}
	return env, nil
}

// environ is the process environment of lf's local run: its own
// variables, then what Lambda sets (lambdaapi.Environment), then the
// caller's (callerEnv).
func (lf *localFunction) environ() []string {
	env := make([]string, 0, len(lf.Env)+16)
	for k, v := range lf.Env {
		env = append(env, k+"="+v)
	}
	env = append(env, lambdaapi.Environment(lf.Name, lf.MemoryMiB)...)
	return append(env, lf.Caller...)
}

// moduleRoot is the CDK app's Go module root, which entries are relative
// to: above cdk.json's directory, else the working directory.
func (r *runner) moduleRoot() (string, error) {
	c, err := r.loadCDKJSON()
	if err != nil {
		return "", err
	}
	dir := r.app.Dir
	if c.path != "" {
		dir = filepath.Dir(c.path)
	}
	root, err := srctree.ModuleRoot(dir)
	if err != nil {
		return "", failed("%v", err)
	}
	return root, nil
}

// localBuildFlags are the go build flags of a handler built for this
// machine by `fnenv invoke`: the tag of the Lambda build (so that the
// handler links what it links in Lambda) and the function's own flags
// (BundlingOptions.GoBuildFlags, merged as synth merges them), no VCS
// stamping. Unlike synth's, they keep the build ID and the symbols: the go
// command then finds an unchanged binary up to date and does not link it
// again, and a panic's trace names files.
func localBuildFlags(own []string) []string {
	tags, ldflags, rest := srctree.MergeBuildFlags([]string{"lambda.norpc"}, "", own)
	flags := []string{"-buildvcs=false", "-tags", strings.Join(tags, ",")}
	if ldflags != "" {
		flags = append(flags, "-ldflags="+ldflags)
	}
	return append(flags, rest...)
}

// buildLocal builds lf's handler for this machine (GOOS and GOARCH of the
// host, CGO off as in Lambda) into the invoke cache, outside the source
// tree: <App.CacheDir>/<hash of the entry's directory and the
// target>/bootstrap. The go command's own cache makes a rebuild of an
// unchanged handler cheap, and finds the binary up to date.
func (r *runner) buildLocal(ctx context.Context, lf *localFunction) (string, error) {
	root, err := r.moduleRoot()
	if err != nil {
		return "", err
	}
	entry := lf.Record.Function.Entry
	dir := filepath.Join(root, filepath.FromSlash(entry))
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return "", failed("function %s: its entry %s is not a directory under the module root %s: run fnenv from the CDK app's directory (or pass --cdk-json)", lf.Record.Function.Name, entry, root)
	}
	cache := r.app.CacheDir
	if cache == "" {
		uc, err := os.UserCacheDir()
		if err != nil {
			return "", failed("no cache directory for the handler's build: %v (set XDG_CACHE_HOME or HOME)", err)
		}
		cache = filepath.Join(uc, "fnenv", "invoke")
	}
	sum := sha256.Sum256([]byte(dir + "\x00" + runtime.GOOS + "/" + runtime.GOARCH))
	out := filepath.Join(cache, hex.EncodeToString(sum[:8]), "bootstrap")
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return "", failed("creating the build cache: %v", err)
	}
	args := append(append([]string{"build"}, localBuildFlags(lf.Record.GoBuildFlags)...), "-o", out, ".")
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+runtime.GOOS, "GOARCH="+runtime.GOARCH)
	cmd.Stdout, cmd.Stderr = r.app.Stderr, r.app.Stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return "", interrupted("the handler was not run")
		}
		return "", failed("function %s: go build ./%s failed (%v): the compiler's output is above", lf.Record.Function.Name, entry, err)
	}
	now := time.Now()
	_ = os.Chtimes(out, now, now) // used now: pruneLocal keeps it
	pruneLocal(cache, now)
	return out, nil
}

// KeepUnusedLocal is how long a handler built by `fnenv invoke` and not
// run since is kept in the invoke cache.
const KeepUnusedLocal = 7 * 24 * time.Hour

// pruneLocal removes the builds in cache no invoke has used for
// KeepUnusedLocal (a deleted checkout's, a renamed entry's), so that the
// cache does not grow with every directory ever invoked.
func pruneLocal(cache string, now time.Time) {
	entries, _ := os.ReadDir(cache)
	for _, e := range entries {
		fi, err := os.Stat(filepath.Join(cache, e.Name(), "bootstrap"))
		if e.IsDir() && err == nil && now.Sub(fi.ModTime()) > KeepUnusedLocal {
			_ = os.RemoveAll(filepath.Join(cache, e.Name()))
		}
	}
}

func compactJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
