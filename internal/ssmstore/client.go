package ssmstore

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/smithy-go/logging"
)

// Defaults of Options.
const (
	// DefaultMaxAttempts is how many times a call that is throttled or fails
	// transiently is tried (the SDK's standard retryer, whose own default is
	// 3): SSM's default throughput for parameter writes is low.
	DefaultMaxAttempts = 10
	// DefaultAttemptTimeout bounds one attempt (connect, send, answer): SSM
	// answers in well under a second, so an attempt that takes longer is
	// retried rather than waited for.
	DefaultAttemptTimeout = 5 * time.Second
	// DefaultTimeout is the overall deadline of a store's calls.
	DefaultTimeout = 30 * time.Second
	// DefaultNotifyAfter is how long calls go on before a retry is noted.
	DefaultNotifyAfter = 2 * time.Second
)

// Options configure a Store. The zero value of each field means its default.
type Options struct {
	// MaxAttempts bounds the attempts of each call. Default: DefaultMaxAttempts.
	MaxAttempts int
	// MaxBackoff bounds the wait between attempts. Default: the SDK's (20 s).
	MaxBackoff time.Duration
	// AttemptTimeout bounds each attempt. Default: DefaultAttemptTimeout.
	AttemptTimeout time.Duration
	// Timeout is the overall deadline of every call of the store, counted
	// from its first call. Default: DefaultTimeout.
	Timeout time.Duration
	// TimeoutName names where Timeout was set, for messages, e.g. "--timeout".
	TimeoutName string
	// Notify, when set, receives a line when a failed attempt is retried
	// after calls have gone on for NotifyAfter, at most one line per
	// NotifyAfter: what failed and that it is retrying. Never a value.
	Notify func(line string)
	// NotifyAfter: default DefaultNotifyAfter.
	NotifyAfter time.Duration
	// DefaultRegion is the region used when the AWS configuration names
	// none, e.g. the CDK CLI's CDK_DEFAULT_REGION. Default: none (an error).
	DefaultRegion string

	endpoint string // for messages; set by Open
}

func (o *Options) defaults() {
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = DefaultMaxAttempts
	}
	if o.AttemptTimeout <= 0 {
		o.AttemptTimeout = DefaultAttemptTimeout
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.NotifyAfter <= 0 {
		o.NotifyAfter = DefaultNotifyAfter
	}
	if o.endpoint == "" {
		o.endpoint = "SSM"
	}
}

// Open returns a store on an SSM client from the standard AWS chain
// (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL…). It fails, saying what to
// set, when there is no region or no credentials, within the overall
// deadline.
func Open(ctx context.Context, opts Options) (*Store, error) {
	opts.defaults()
	s := &Store{opts: opts}
	cctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	httpClient := awshttp.NewBuildableClient().WithTimeout(opts.AttemptTimeout).
		WithDialerOptions(func(d *net.Dialer) { d.Timeout = opts.AttemptTimeout })
	cfg, err := config.LoadDefaultConfig(cctx,
		// The SDK's own log lines (IMDS "falling back to IMDSv1" where no
		// credentials are configured) are noise: fnenv's errors say it.
		config.WithLogger(logging.Nop{}),
		config.WithHTTPClient(httpClient),
		config.WithRetryer(func() aws.Retryer {
			return &notingRetryer{RetryerV2: retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = opts.MaxAttempts
				if opts.MaxBackoff > 0 {
					o.MaxBackoff = opts.MaxBackoff
				}
			}), store: s}
		}))
	if err != nil {
		if e := opts.deadlinePassed(ctx, cctx, "loading the AWS configuration"); e != nil {
			return nil, e
		}
		return nil, fmt.Errorf("loading the AWS configuration: %v", err)
	}
	if cfg.Region == "" {
		cfg.Region = opts.DefaultRegion
	}
	if cfg.Region == "" {
		return nil, errors.New("no AWS region: set AWS_REGION, or a region in the profile AWS_PROFILE names")
	}
	if _, err := cfg.Credentials.Retrieve(cctx); err != nil {
		if e := opts.deadlinePassed(ctx, cctx, "getting AWS credentials"); e != nil {
			return nil, e
		}
		return nil, fmt.Errorf("no AWS credentials: set AWS_PROFILE (a profile in ~/.aws/config), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where an IAM role is available (%v)", err)
	}
	client := ssm.NewFromConfig(cfg)
	s.api, s.cfg = client, cfg
	s.opts.endpoint = endpointOf(cctx, client)
	return s, nil
}

// deadlinePassed is the error of a step of Open stopped by the overall
// deadline (cctx's, Timeout) rather than by the caller's ctx; nil when the
// deadline has not passed. It names the timeout and how to give more.
func (o Options) deadlinePassed(ctx, cctx context.Context, step string) error {
	if ctx.Err() != nil || !errors.Is(cctx.Err(), context.DeadlineExceeded) {
		return nil
	}
	name := o.TimeoutName
	if name == "" {
		name = "the store's Timeout"
	}
	return fmt.Errorf("%s did not finish within the overall timeout of %s (%s), which had passed before any SSM call: give a longer one, e.g. %s 30s", step, o.Timeout, name, name)
}

// endpointOf is the URL the client sends to: AWS_ENDPOINT_URL(_SSM) or
// the region's.
func endpointOf(ctx context.Context, c *ssm.Client) string {
	o := c.Options()
	if o.BaseEndpoint != nil {
		return *o.BaseEndpoint
	}
	ep, err := ssm.NewDefaultEndpointResolverV2().ResolveEndpoint(ctx, ssm.EndpointParameters{Region: aws.String(o.Region)})
	if err != nil {
		return "SSM in " + o.Region
	}
	return ep.URI.String()
}

// Config is the AWS configuration Open loaded — region, credentials,
// endpoint, retries — for the other services a command reads (Secrets
// Manager); the zero Config for a store made with New.
func (s *Store) Config() aws.Config { return s.cfg }

// Endpoint is the URL the store sends to, for messages.
func (s *Store) Endpoint() string { return s.opts.endpoint }

// notingRetryer is the standard retryer that tells its store about each
// retry, so that the store can say why it is still working.
type notingRetryer struct {
	aws.RetryerV2
	store *Store
}

func (r *notingRetryer) RetryDelay(attempt int, err error) (time.Duration, error) {
	d, rerr := r.RetryerV2.RetryDelay(attempt, err)
	if rerr == nil {
		r.store.retrying(attempt, err)
	}
	return d, rerr
}

// retrying records the cause of a failed attempt and notes it once calls
// have gone on for a while.
func (s *Store) retrying(attempt int, err error) {
	c := s.causeOf(err)
	s.mu.Lock()
	s.lastCause = c
	now := time.Now()
	started := s.deadline.Add(-s.opts.Timeout)
	note := s.opts.Notify != nil && now.Sub(started) >= s.opts.NotifyAfter && now.Sub(s.lastNote) >= s.opts.NotifyAfter
	if note {
		s.lastNote = now
	}
	left := time.Until(s.deadline).Round(time.Second)
	s.mu.Unlock()
	if note {
		s.opts.Notify(fmt.Sprintf("%s; retrying (attempt %d of %d failed; giving up in %s at the latest)", c, attempt, s.opts.MaxAttempts, left))
	}
}
