package bench

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/fnenv/fnenv/internal/lambdaapi"
	"github.com/fnenv/fnenv/internal/moto"
	"github.com/fnenv/fnenv/internal/ssmproxy"
)

// InitConfig configures InitDurations.
type InitConfig struct {
	// Root is the module root.
	Root string
	// Iterations per handler, interleaved. Default 30.
	Iterations int
	// Latency is what the proxy adds to every SSM request. Default 20 ms.
	Latency time.Duration
}

// InitResult is the outcome of InitDurations.
type InitResult struct {
	Config InitConfig
	// Sample is the sample handler's package; Secrets its secrets.
	Sample  string
	Secrets []string
	// Bare and Fnenv are process start → first GET …/invocation/next of
	// the bare handler and of the sample handler (which resolves its
	// secrets in init); RoundTrip is one GetParameters of the sample's
	// names with a fresh client, in this process.
	Bare, Fnenv, RoundTrip Stats
}

// InitDurations runs the bare aws-lambda-go handler and a sample handler of
// the app (./app/functions/charge: env.MustLoad in main, then lambda.Start)
// under the local Runtime API (internal/lambdaapi), built for this machine
// with the construct's flags, cfg.Iterations times each, interleaved with
// one GetParameters round trip of the same names.
func InitDurations(ctx context.Context, m *moto.Server, cfg InitConfig) (*InitResult, error) {
	if cfg.Iterations == 0 {
		cfg.Iterations = 30
	}
	if cfg.Latency == 0 {
		cfg.Latency = 20 * time.Millisecond
	}
	res := &InitResult{Config: cfg, Sample: "./app/functions/charge", Secrets: []string{"SENTRY_DSN", "STRIPE_KEY"}}
	tmp, err := os.MkdirTemp("", "fnenv-init-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	bins := map[string]string{}
	for _, pkg := range []string{"./internal/bench/handlers/bare", res.Sample} {
		bin := filepath.Join(tmp, filepath.Base(pkg))
		cmd := exec.CommandContext(ctx, "go", append(append([]string{"build"}, BuildFlags...), "-o", bin, pkg)...)
		cmd.Dir = cfg.Root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("go build %s: %w: %s", pkg, err, stderr.String())
		}
		bins[pkg] = bin
	}

	p, err := ssmproxy.Start(m.URL, ssmproxy.WithLatency(cfg.Latency))
	if err != nil {
		return nil, err
	}
	defer p.Close()
	c := ssm.New(ssm.Options{Region: moto.Region, BaseEndpoint: aws.String(m.URL), Credentials: testCredentials})
	var names, pairs []string
	for _, s := range res.Secrets {
		if _, err := c.PutParameter(ctx, &ssm.PutParameterInput{
			Name: aws.String(branchPrefix + s), Value: aws.String("fake_" + strings.ToLower(s) + "_bench"),
			Type: types.ParameterTypeSecureString, Overwrite: aws.Bool(true),
		}); err != nil {
			return nil, err
		}
		names = append(names, branchPrefix+s, sharedPrefix+s)
		pairs = append(pairs, s+"="+s)
	}
	env := []string{
		"AWS_REGION=" + moto.Region, "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test",
		"AWS_ENDPOINT_URL=" + p.URL, "AWS_LAMBDA_FUNCTION_NAME=charge",
		"FNENV_SECRETS=" + strings.Join(pairs, ","), "FNENV_BRANCH_PREFIX=" + branchPrefix, "FNENV_SHARED_PREFIX=" + sharedPrefix,
		"CURRENCY=eur", "LOG_LEVEL=info", "STRIPE_API_BASE=https://stripe.invalid",
	}
	initOnce := func(bin string) (time.Duration, error) {
		fn, err := lambdaapi.Start(bin, env)
		if err != nil {
			return 0, err
		}
		defer fn.Stop()
		ictx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		d, err := fn.InitDuration(ictx)
		if err != nil {
			return 0, fmt.Errorf("%s: %w\n%s", filepath.Base(bin), err, fn.Output())
		}
		return d, nil
	}
	roundTrip := func() (time.Duration, error) {
		t0 := time.Now()
		rc := ssm.New(ssm.Options{Region: moto.Region, BaseEndpoint: aws.String(p.URL), Credentials: testCredentials})
		out, err := rc.GetParameters(ctx, &ssm.GetParametersInput{Names: names, WithDecryption: aws.Bool(true)})
		if err == nil && len(out.Parameters) != len(res.Secrets) {
			err = fmt.Errorf("round trip: %d parameters, want %d", len(out.Parameters), len(res.Secrets))
		}
		return time.Since(t0), err
	}
	var bare, fnenv, rt []time.Duration
	for i := -2; i < cfg.Iterations; i++ { // two discarded rounds warm the page cache
		b, err := initOnce(bins["./internal/bench/handlers/bare"])
		if err != nil {
			return nil, err
		}
		f, err := initOnce(bins[res.Sample])
		if err != nil {
			return nil, err
		}
		r, err := roundTrip()
		if err != nil {
			return nil, err
		}
		if i >= 0 {
			bare, fnenv, rt = append(bare, b), append(fnenv, f), append(rt, r)
		}
	}
	res.Bare, res.Fnenv, res.RoundTrip = Summarize(bare), Summarize(fnenv), Summarize(rt)
	return res, nil
}

var testCredentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
	return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, nil
})
