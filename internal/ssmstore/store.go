// Package ssmstore is the small SSM Parameter Store client of fnenv's tools
// (the CLI and the synth-time secrets check): put, get (also a version),
// list by path (also recursive, or as SHA-256 digests of the values), history,
// delete and exists, each chunking SSM's name lists once, with a
// per-attempt timeout, an overall deadline, notes while it retries, and
// errors that name the call, the parameter, the endpoint and the cause —
// never a value.
//
// Handlers do not use it: they resolve secrets with package resolver.
package ssmstore

import (
	"context"
	"errors"
	"net/http/httptrace"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	"golang.org/x/sync/errgroup"

	"github.com/fnenv/fnenv/model"
)

// Value sizes of SSM's tiers ("Standard: 4 KB, Advanced: 8 KB", in bytes).
const (
	MaxStandardValueBytes = 4096
	MaxAdvancedValueBytes = 8192
)

// existsParallelism bounds the GetParameters calls Exists has in flight.
const existsParallelism = 4

// API is the part of the SSM API the store uses; *ssm.Client implements it.
type API interface {
	PutParameter(context.Context, *ssm.PutParameterInput, ...func(*ssm.Options)) (*ssm.PutParameterOutput, error)
	GetParameter(context.Context, *ssm.GetParameterInput, ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
	GetParameters(context.Context, *ssm.GetParametersInput, ...func(*ssm.Options)) (*ssm.GetParametersOutput, error)
	GetParametersByPath(context.Context, *ssm.GetParametersByPathInput, ...func(*ssm.Options)) (*ssm.GetParametersByPathOutput, error)
	DeleteParameters(context.Context, *ssm.DeleteParametersInput, ...func(*ssm.Options)) (*ssm.DeleteParametersOutput, error)
	DescribeParameters(context.Context, *ssm.DescribeParametersInput, ...func(*ssm.Options)) (*ssm.DescribeParametersOutput, error)
	GetParameterHistory(context.Context, *ssm.GetParameterHistoryInput, ...func(*ssm.Options)) (*ssm.GetParameterHistoryOutput, error)
}

// Parameter is one stored parameter. Value is set only when it was read
// with decryption; Tier and KeyID only by Describe.
type Parameter struct {
	Name         string // full name, e.g. "/amplify/app/main/API_KEY"
	Value        string
	Type         types.ParameterType
	Tier         types.ParameterTier // "" means the account's default (Standard)
	KeyID        string              // KMS key of a SecureString; "" means aws/ssm
	Version      int64
	LastModified *time.Time
}

// Store is an SSM Parameter Store reached through one client. Every call
// shares one overall deadline (Options.Timeout), which starts with the
// store's first call.
type Store struct {
	api  API
	opts Options
	cfg  aws.Config // the configuration Open loaded; zero from New

	mu        sync.Mutex
	deadline  time.Time
	lastNote  time.Time
	lastCause string // of the last failed attempt, for the deadline's message
}

// New returns a store on api (an *ssm.Client, or a fake in tests). Notes
// while retrying need Open, which installs the retryer.
func New(api API, opts Options) *Store {
	opts.defaults()
	return &Store{api: api, opts: opts}
}

// Renew starts the overall deadline (Options.Timeout) again with the
// store's next call: for a command whose SSM calls are separated by long
// waits on something else (branch remove waits for stack deletions), so
// that it need not open a second store, loading the AWS configuration and
// credentials again.
func (s *Store) Renew() {
	s.mu.Lock()
	s.deadline = time.Time{}
	s.mu.Unlock()
}

// ctx bounds a call by the store's overall deadline.
func (s *Store) ctx(ctx context.Context) (context.Context, context.CancelFunc) {
	s.mu.Lock()
	if s.deadline.IsZero() && s.opts.Timeout > 0 {
		s.deadline = time.Now().Add(s.opts.Timeout)
	}
	d := s.deadline
	s.mu.Unlock()
	if d.IsZero() {
		return context.WithCancel(ctx)
	}
	return context.WithDeadline(ctx, d)
}

// ErrExists is returned (wrapped) by Put without overwrite when the
// parameter exists.
var ErrExists = errors.New("parameter already exists")

// ErrNotFound is returned (wrapped) by Get when the parameter does not exist.
var ErrNotFound = errors.New("parameter not found")

// Put writes p as a SecureString (p.Type is ignored), with p.Tier and
// p.KeyID when set, and returns its new version. Without overwrite the
// write is conditional (SSM's Overwrite=false): an existing parameter is
// left as it is and the error wraps ErrExists.
func (s *Store) Put(ctx context.Context, p Parameter, overwrite bool) (int64, error) {
	in := &ssm.PutParameterInput{
		Name:      aws.String(p.Name),
		Value:     aws.String(p.Value),
		Type:      types.ParameterTypeSecureString,
		Overwrite: aws.Bool(overwrite),
		Tier:      p.Tier,
	}
	if p.KeyID != "" {
		in.KeyId = aws.String(p.KeyID)
	}
	cctx, cancel := s.ctx(ctx)
	defer cancel()
	var lost lostAnswers
	wctx, watch := lost.watch(cctx)
	out, err := s.api.PutParameter(wctx, in, watch)
	var exists *types.ParameterAlreadyExists
	if errors.As(err, &exists) {
		// After a lost answer, the parameter may exist because of it.
		return 0, &Error{Op: "PutParameter", Subject: p.Name, Msg: "already exists", Err: ErrExists, Unanswered: lost.any(), Names: []string{p.Name}}
	}
	if err != nil {
		return 0, s.failed(ctx, "PutParameter", []string{p.Name}, err, lost.any())
	}
	return out.Version, nil
}

// Get reads one parameter, decrypted when decrypt. A missing parameter is
// an error wrapping ErrNotFound.
func (s *Store) Get(ctx context.Context, name string, decrypt bool) (Parameter, error) {
	cctx, cancel := s.ctx(ctx)
	defer cancel()
	out, err := s.api.GetParameter(cctx, &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(decrypt)})
	var nf *types.ParameterNotFound
	if errors.As(err, &nf) {
		return Parameter{}, &Error{Op: "GetParameter", Subject: name, Msg: "not found", Err: ErrNotFound}
	}
	if err != nil {
		return Parameter{}, s.fail(ctx, "GetParameter", name, err)
	}
	return fromParameter(*out.Parameter, decrypt), nil
}

// List returns every parameter directly under path (one level, not
// recursive; path ends with "/"), every page, sorted by name; values only
// when decrypt.
func (s *Store) List(ctx context.Context, path string, decrypt bool) ([]Parameter, error) {
	var out []Parameter
	err := s.byPath(ctx, path, false, decrypt, func(p types.Parameter) { out = append(out, fromParameter(p, decrypt)) })
	if err != nil {
		return nil, err
	}
	sortByName(out)
	return out, nil
}

// byPath calls each with every parameter under path, every page of
// GetParametersByPath.
func (s *Store) byPath(ctx context.Context, path string, recursive, decrypt bool, each func(types.Parameter)) error {
	cctx, cancel := s.ctx(ctx)
	defer cancel()
	pg := ssm.NewGetParametersByPathPaginator(s.api, &ssm.GetParametersByPathInput{
		Path: aws.String(path), Recursive: aws.Bool(recursive), WithDecryption: aws.Bool(decrypt),
		MaxResults: aws.Int32(10), // SSM's maximum for GetParametersByPath
	})
	for pg.HasMorePages() {
		page, err := pg.NextPage(cctx)
		if err != nil {
			return s.fail(ctx, "GetParametersByPath", path, err)
		}
		for _, p := range page.Parameters {
			each(p)
		}
	}
	return nil
}

// Describe returns the metadata (type, tier, KMS key, version; no value) of
// every parameter directly under path, sorted by name.
func (s *Store) Describe(ctx context.Context, path string) ([]Parameter, error) {
	return s.describe(ctx, path, "OneLevel")
}

// Names returns the name of every parameter under path (ending in "/"), at
// any depth, sorted: DescribeParameters with a recursive Path filter, which
// returns no value.
func (s *Store) Names(ctx context.Context, path string) ([]string, error) {
	ps, err := s.describe(ctx, path, "Recursive")
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Name
	}
	return names, err
}

// describe is DescribeParameters under path with the Path filter's option
// ("OneLevel" or "Recursive"), every page, sorted by name.
func (s *Store) describe(ctx context.Context, path, option string) ([]Parameter, error) {
	cctx, cancel := s.ctx(ctx)
	defer cancel()
	pg := ssm.NewDescribeParametersPaginator(s.api, &ssm.DescribeParametersInput{
		ParameterFilters: []types.ParameterStringFilter{{
			Key: aws.String("Path"), Option: aws.String(option), Values: []string{strings.TrimSuffix(path, "/")},
		}},
		MaxResults: aws.Int32(50), // SSM's maximum for DescribeParameters
	})
	var out []Parameter
	for pg.HasMorePages() {
		page, err := pg.NextPage(cctx)
		if err != nil {
			return nil, s.fail(ctx, "DescribeParameters", path, err)
		}
		for _, m := range page.Parameters {
			out = append(out, Parameter{
				Name: aws.ToString(m.Name), Type: m.Type, Tier: m.Tier, KeyID: aws.ToString(m.KeyId),
				Version: m.Version, LastModified: m.LastModifiedDate,
			})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Empty reports whether nothing is stored under path (with recursive, at
// any depth). It reads at most a few pages: SSM may answer empty pages
// with a next token.
func (s *Store) Empty(ctx context.Context, path string, recursive bool) (bool, error) {
	cctx, cancel := s.ctx(ctx)
	defer cancel()
	pg := ssm.NewGetParametersByPathPaginator(s.api, &ssm.GetParametersByPathInput{
		Path: aws.String(path), Recursive: aws.Bool(recursive), MaxResults: aws.Int32(1),
	})
	for i := 0; i < 5 && pg.HasMorePages(); i++ {
		out, err := pg.NextPage(cctx)
		if err != nil {
			return false, s.fail(ctx, "GetParametersByPath", path, err)
		}
		if len(out.Parameters) > 0 {
			return false, nil
		}
	}
	return true, nil
}

// chunks splits names into SSM's lists of at most
// model.MaxNamesPerRequest (10) names: GetParameters and
// DeleteParameters take no more.
func chunks(names []string) [][]string {
	return slices.Collect(slices.Chunk(names, model.MaxNamesPerRequest))
}

// Delete deletes the named parameters, ten a call, one call after
// another, and returns those deleted and those that did not exist. On an
// error it returns what was done before it.
func (s *Store) Delete(ctx context.Context, names []string) (deleted, missing []string, err error) {
	cctx, cancel := s.ctx(ctx)
	defer cancel()
	for _, chunk := range chunks(names) {
		var lost lostAnswers
		wctx, watch := lost.watch(cctx)
		out, err := s.api.DeleteParameters(wctx, &ssm.DeleteParametersInput{Names: chunk}, watch)
		if err != nil {
			return deleted, missing, s.failed(ctx, "DeleteParameters", chunk, err, lost.any())
		}
		deleted = append(deleted, out.DeletedParameters...)
		missing = append(missing, out.InvalidParameters...)
	}
	return deleted, missing, nil
}

// Exists reports which of names exist, never reading a value
// (GetParameters without decryption), ten names a call, the calls in
// parallel.
func (s *Store) Exists(ctx context.Context, names []string) (map[string]bool, error) {
	cctx, cancel := s.ctx(ctx)
	defer cancel()
	found := map[string]bool{}
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(cctx)
	g.SetLimit(existsParallelism)
	for _, chunk := range chunks(names) {
		g.Go(func() error {
			out, err := s.api.GetParameters(gctx, &ssm.GetParametersInput{Names: chunk, WithDecryption: aws.Bool(false)})
			if err != nil {
				return s.fail(ctx, "GetParameters", strings.Join(chunk, ", "), err)
			}
			mu.Lock()
			defer mu.Unlock()
			for _, p := range out.Parameters {
				found[aws.ToString(p.Name)] = true
			}
			return nil
		})
	}
	return found, g.Wait()
}

func fromParameter(p types.Parameter, decrypt bool) Parameter {
	out := Parameter{Name: aws.ToString(p.Name), Type: p.Type, Version: p.Version, LastModified: p.LastModifiedDate}
	if decrypt {
		out.Value = aws.ToString(p.Value)
	}
	return out
}

// lostAnswers counts the attempts of one write whose request was written
// whole (an httptrace.ClientTrace on the call's context) and those whose
// answer was read whole and decoded, as a result or as an SSM error (a
// middleware at the top of the Deserialize step, which every attempt
// passes). Any other written attempt may have taken effect unseen: no
// answer came, or one came and was cut before its end (its headers, then a
// timeout or a closed connection), and the SDK retried it. An API that is
// not an HTTP client (a fake) is never traced, and reports none.
type lostAnswers struct{ written, answered atomic.Int32 }

// watch returns the call's context and the option that count its attempts.
func (l *lostAnswers) watch(ctx context.Context) (context.Context, func(*ssm.Options)) {
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteRequest: func(i httptrace.WroteRequestInfo) {
			if i.Err == nil {
				l.written.Add(1)
			}
		},
	})
	answered := middleware.DeserializeMiddlewareFunc("fnenvAnswered", func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
		out, md, err := next.HandleDeserialize(ctx, in)
		// A body cut short is a DeserializationError, not an APIError.
		var ae smithy.APIError
		if err == nil || errors.As(err, &ae) {
			l.answered.Add(1)
		}
		return out, md, err
	})
	return ctx, func(o *ssm.Options) {
		o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
			return st.Deserialize.Add(answered, middleware.Before)
		})
	}
}

func (l *lostAnswers) any() bool { return l.written.Load() > l.answered.Load() }

// failed is fail for a write of names: unanswered says whether a request
// of it went unanswered.
func (s *Store) failed(ctx context.Context, op string, names []string, err error, unanswered bool) error {
	e := s.fail(ctx, op, strings.Join(names, ", "), err)
	if se, ok := e.(*Error); ok {
		se.Unanswered, se.Names = unanswered, names
	}
	return e
}
