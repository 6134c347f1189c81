package resolver

import (
	"context"
	"errors"
	"slices"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/fnenv/fnenv/model"
	"github.com/fnenv/fnenv/resolver/internal/awsenv"
)

// Client is the part of the SSM API the resolver uses; *ssm.Client
// implements it.
type Client interface {
	GetParameters(ctx context.Context, in *ssm.GetParametersInput, optFns ...func(*ssm.Options)) (*ssm.GetParametersOutput, error)
}

// withRetryer makes the SDK send each call once: the round retries (retry.go).
func withRetryer(o *ssm.Options) { o.Retryer = noRetries }

// client returns the configured client, or one built from the Lambda
// environment variables. It is built once, so that a refresh after the max
// age reuses the first fetch's connections; fetches are never concurrent
// (singleflight), so the field needs no lock.
func (l *Loader[T]) client() (Client, error) {
	if l.ssm != nil {
		return l.ssm, nil
	}
	switch {
	case l.opts.client != nil:
		l.ssm = l.opts.client
	case l.opts.cfg != nil:
		l.ssm = ssm.NewFromConfig(*l.opts.cfg)
	default:
		c, err := NewClient()
		if err != nil {
			return nil, err
		}
		l.ssm = c
	}
	return l.ssm, nil
}

// NewClient returns an SSM client configured from the variables Lambda sets
// (AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN)
// and, outside Lambda only, the endpoint in AWS_ENDPOINT_URL_SSM or
// AWS_ENDPOINT_URL when set (a local endpoint, for tests and tools). In a
// Lambda execution environment — LAMBDA_TASK_ROOT set, which Lambda does
// and a function's configuration cannot (it is reserved) — the endpoint
// variables are ignored, and so are the proxy variables (HTTPS_PROXY…) and
// the CA variables (SSL_CERT_FILE, SSL_CERT_DIR): it connects directly and
// trusts the runtime image's root certificates only, so that no
// configuration can send secret reads elsewhere. No other variable steers
// the client (it is not built with config.LoadDefaultConfig:
// AWS_CA_BUNDLE, AWS_CONFIG_FILE, AWS_PROFILE… are never read). It fails
// when AWS_REGION is unset.
func NewClient() (*ssm.Client, error) {
	region, err := awsenv.Region("SSM")
	if err != nil {
		return nil, err
	}
	hc, err := awsenv.HTTPClient()
	if err != nil {
		return nil, err
	}
	return ssm.New(ssm.Options{
		Region:       region,
		Credentials:  awsenv.Credentials,
		BaseEndpoint: awsenv.Endpoint("AWS_ENDPOINT_URL_SSM"),
		HTTPClient:   hc,
	}), nil
}

// getParameters fetches names as requests first, first+1… of round r:
// chunks of model.MaxNamesPerRequest, all in parallel, with decryption. It
// returns the parameters found, by name and by ARN; names that do not
// exist are simply absent. Every failed chunk is reported, as a
// *RequestError, joined.
func getParameters(ctx context.Context, r *round, first int, c Client, names []string, secretOf func(string) string) (map[string]ssmtypes.Parameter, error) {
	chunks := slices.Collect(slices.Chunk(names, model.MaxNamesPerRequest))
	outs := make([]*ssm.GetParametersOutput, len(chunks))
	errs := make([]error, len(chunks))
	var wg sync.WaitGroup
	for i, chunk := range chunks {
		wg.Go(func() {
			var out *ssm.GetParametersOutput
			err := r.do(ctx, first+i, func(ctx context.Context) (err error) {
				out, err = c.GetParameters(ctx, &ssm.GetParametersInput{Names: chunk, WithDecryption: aws.Bool(true)}, withRetryer)
				return err
			})
			if err != nil {
				var secrets []string
				for _, n := range chunk {
					if s := secretOf(n); !slices.Contains(secrets, s) {
						secrets = append(secrets, s)
					}
				}
				re := &RequestError{Secrets: secrets, Parameters: chunk, Err: err}
				var te *throttledError
				if errors.As(err, &te) {
					re.ThrottledAttempts = te.attempts
				}
				errs[i] = re
			}
			outs[i] = out
		})
	}
	wg.Wait() // errors are collected per chunk, to report every one
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	found := make(map[string]ssmtypes.Parameter, len(names))
	for _, out := range outs {
		for _, p := range out.Parameters {
			if p.Name == nil || p.Value == nil {
				continue
			}
			found[*p.Name] = p
			if p.ARN != nil {
				found[*p.ARN] = p
			}
		}
	}
	return found, nil
}
