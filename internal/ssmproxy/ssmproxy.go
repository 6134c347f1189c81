// Package ssmproxy is a reverse proxy in front of an SSM endpoint (moto) — and
// the Secrets Manager one, which moto serves on the same port — for
// tests and benchmarks: it adds latency, answers ThrottlingException or
// AccessDeniedException the way SSM does, admits a rate of requests like
// SSM's throughput quota, holds requests to prove they were sent in one
// round, loses an answer or cuts one after its headers, and records what
// each request asked for. It listens on localhost only and closes with
// the test that started it.
package ssmproxy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fnenv/fnenv/model"
)

// Option configures a Proxy.
type Option func(*Proxy)

// WithLatency delays every request by d before it is answered.
func WithLatency(d time.Duration) Option { return func(p *Proxy) { p.latency = d } }

// ThrottleFirst answers ThrottlingException to the first n requests.
func ThrottleFirst(n int) Option { return func(p *Proxy) { p.throttleFirst = n } }

// WithRate admits perSecond requests a second with bursts of burst (a
// token bucket, like SSM's GetParameters quota of 40 per second) and
// answers ThrottlingException beyond it.
func WithRate(perSecond float64, burst int) Option {
	return func(p *Proxy) { p.rate, p.burst, p.tokens = perSecond, float64(burst), float64(burst) }
}

// DenyAccess answers AccessDeniedException to every request that names one
// of names (GetParameters' Names, the Name of PutParameter, GetParameter…,
// the SecretId of Secrets Manager's GetSecretValue),
// or to every request when names is empty.
func DenyAccess(names ...string) Option {
	return func(p *Proxy) { p.deny, p.denyNames = true, names }
}

// FailFirst answers HTTP status (a 5xx: InternalServerError) to the first n
// requests, as SSM does when it fails on its side.
func FailFirst(n, status int) Option {
	return func(p *Proxy) { p.failFirst, p.failStatus = n, status }
}

// HoldUntil holds every request until n requests have arrived, so that a
// client sending them one after another (waiting for a response before the
// next) is caught: after timeout the held requests get HTTP 504 and Held
// reports false.
func HoldUntil(n int, timeout time.Duration) Option {
	return func(p *Proxy) { p.holdN, p.holdTimeout, p.held = n, timeout, make(chan struct{}) }
}

// LoseAnswer forwards the nth request (counted from 1) whose X-Amz-Target
// is target (e.g. "AmazonSSM.PutParameter") to the endpoint, so that it
// takes effect there, and then never answers it: the client waits until
// its own deadline or cancel, as when an answer is lost on the way back.
// Its Request.Status is 0.
func LoseAnswer(target string, n int) Option {
	return func(p *Proxy) { p.loseTarget, p.loseN = target, n }
}

// LoseBody forwards the nth request (counted from 1) whose X-Amz-Target
// is target to the endpoint, so that it takes effect there, sends the
// client the endpoint's status and headers (with the Content-Length of the
// whole answer) and the first half of its body, and then nothing more: the
// client's read of the body fails at its attempt's timeout, its deadline
// or its cancel, as when a connection dies mid-answer. Its Request.Status
// is the endpoint's.
func LoseBody(target string, n int) Option {
	return func(p *Proxy) { p.cutTarget, p.cutN = target, n }
}

// Before runs fn before forwarding the nth request (counted from 1) whose
// X-Amz-Target is target, e.g. to make a concurrent change in the
// endpoint between a client's read and its write.
func Before(target string, n int, fn func()) Option {
	return func(p *Proxy) { p.beforeTarget, p.beforeN, p.before = target, n, fn }
}

// ARNsAsNames makes GetParameters take parameter ARNs in Names, as SSM
// does and moto does not: an ARN in account (moto's) and in the region the
// request is signed for goes to moto as the parameter's name
// (model.ParseRef's Name); another ARN goes as it is, and moto finds
// nothing, as SSM finds nothing another account did not share. The
// request is recorded as the client sent it.
func ARNsAsNames(account string) Option { return func(p *Proxy) { p.arnAccount = account } }

// Request is one request the proxy saw.
type Request struct {
	// Target is the X-Amz-Target header, e.g. "AmazonSSM.GetParameters".
	Target string
	// Region is the region the request is signed for, e.g. "us-east-1".
	Region string
	// Names are the parameter names of a GetParameters or DeleteParameters
	// request.
	Names []string
	// Name is the parameter name of a PutParameter or GetParameter request.
	Name string
	// SecretIDs are the secret ids of a Secrets Manager request: the one
	// of a GetSecretValue, the list of a BatchGetSecretValue.
	SecretIDs []string
	// Status is the HTTP status the client got.
	Status int
}

// Proxy is a running proxy.
type Proxy struct {
	// URL is the proxy's endpoint, for AWS_ENDPOINT_URL.
	URL string

	latency       time.Duration
	throttleFirst int
	failFirst     int
	failStatus    int
	rate, burst   float64
	deny          bool
	denyNames     []string
	holdN         int
	holdTimeout   time.Duration
	held          chan struct{}
	loseTarget    string
	loseN         int
	cutTarget     string
	cutN          int
	beforeTarget  string
	beforeN       int
	before        func()
	closed        chan struct{}
	arnAccount    string

	mu        sync.Mutex
	tokens    float64
	last      time.Time
	requests  []Request
	holdOK    bool
	seen      map[string]int // requests per target
	closeOnce sync.Once
	srv       *httptest.Server
	rp        *httputil.ReverseProxy
}

// New starts a proxy to target (e.g. moto's URL) on a localhost port for a
// test or benchmark; it closes when tb ends.
func New(tb testing.TB, target string, opts ...Option) *Proxy {
	tb.Helper()
	p, err := Start(target, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(p.Close)
	return p
}

// Start starts a proxy to target on a localhost port for a program (the
// benchmarks); Close stops it.
func Start(target string, opts ...Option) (*Proxy, error) {
	u, err := url.Parse(target)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("ssmproxy: target %q is not a URL", target)
	}
	p := &Proxy{rp: httputil.NewSingleHostReverseProxy(u), holdOK: true, closed: make(chan struct{})}
	for _, o := range opts {
		o(p)
	}
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve)) // listens on 127.0.0.1
	p.URL = p.srv.URL
	return p, nil
}

// Close stops the proxy.
func (p *Proxy) Close() {
	p.closeOnce.Do(func() { close(p.closed) })
	p.srv.Close()
}

// Requests returns every request seen so far, in arrival order.
func (p *Proxy) Requests() []Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.requests)
}

// Count is the number of requests seen so far.
func (p *Proxy) Count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.requests)
}

// Held reports whether HoldUntil's n requests all arrived before its
// timeout (true without HoldUntil).
func (p *Proxy) Held() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.holdOK
}

// Reset forgets the requests seen and restarts ThrottleFirst's count.
func (p *Proxy) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.requests = nil
}

func (p *Proxy) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	var in struct {
		Names, SecretIdList []string
		Name, SecretId      string
	}
	_ = json.Unmarshal(body, &in)
	named := in.Names
	for _, n := range []string{in.Name, in.SecretId} {
		if n != "" {
			named = append(named, n)
		}
	}
	target := r.Header.Get("X-Amz-Target")
	region := signingRegion(r.Header.Get("Authorization"))
	if p.arnAccount != "" && target == "AmazonSSM.GetParameters" {
		p.arnsAsNames(r, body, region)
	}

	p.mu.Lock()
	i := len(p.requests)
	ids := in.SecretIdList
	if in.SecretId != "" {
		ids = append(ids, in.SecretId)
	}
	p.requests = append(p.requests, Request{Target: target, Region: region, Names: in.Names, Name: in.Name, SecretIDs: ids})
	throttled := i < p.throttleFirst || !p.admit()
	failed := i < p.failFirst
	if p.seen == nil {
		p.seen = map[string]int{}
	}
	p.seen[target]++
	lose := p.loseTarget == target && p.seen[target] == p.loseN
	cut := p.cutTarget == target && p.seen[target] == p.cutN
	before := p.before != nil && p.beforeTarget == target && p.seen[target] == p.beforeN
	denied := p.deny && (len(p.denyNames) == 0 || slices.ContainsFunc(named, func(n string) bool { return slices.Contains(p.denyNames, n) }))
	if p.held != nil && len(p.requests) == p.holdN {
		close(p.held)
	}
	p.mu.Unlock()

	status := http.StatusOK
	defer func() {
		p.mu.Lock()
		p.requests[i].Status = status
		p.mu.Unlock()
	}()
	if p.held != nil {
		select {
		case <-p.held:
		case <-time.After(p.holdTimeout):
			p.mu.Lock()
			p.holdOK = false
			p.mu.Unlock()
			status = http.StatusGatewayTimeout
			http.Error(w, "ssmproxy: HoldUntil timed out", status)
			return
		case <-r.Context().Done():
			return
		}
	}
	if before {
		p.before()
	}
	if p.latency > 0 {
		select {
		case <-time.After(p.latency):
		case <-r.Context().Done():
			return
		}
	}
	switch {
	case lose:
		// Let the endpoint act on it whatever the client does meanwhile,
		// then drop the answer.
		p.rp.ServeHTTP(httptest.NewRecorder(), r.WithContext(context.WithoutCancel(r.Context())))
		status = 0
		select {
		case <-r.Context().Done():
		case <-p.closed:
		}
	case cut:
		rec := httptest.NewRecorder()
		p.rp.ServeHTTP(rec, r.WithContext(context.WithoutCancel(r.Context())))
		body := rec.Body.Bytes()
		maps.Copy(w.Header(), rec.Header())
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		status = rec.Code
		w.WriteHeader(status)
		_, _ = w.Write(body[:len(body)/2])
		_ = http.NewResponseController(w).Flush()
		select {
		case <-r.Context().Done():
		case <-p.closed:
		}
	case throttled:
		status = http.StatusBadRequest
		writeError(w, status, "ThrottlingException", "Rate exceeded")
	case failed:
		status = p.failStatus
		writeError(w, status, "InternalServerError", "ssmproxy: failing on purpose")
	case denied:
		status = http.StatusBadRequest
		action := "ssm:" + strings.TrimPrefix(target, "AmazonSSM.")
		if op, ok := strings.CutPrefix(target, "secretsmanager."); ok {
			action = "secretsmanager:" + op
		}
		writeError(w, status, "AccessDeniedException",
			"User: arn:aws:sts::123456789012:assumed-role/fnenv-test-role/fnenv-test is not authorized to perform: "+action+" on resource: arn:aws:ssm:us-east-1:123456789012:parameter"+first(named)+" because no identity-based policy allows the "+action+" action")
	default:
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		p.rp.ServeHTTP(rec, r)
		status = rec.status
	}
}

// admit takes a token from the bucket; p.mu is held.
func (p *Proxy) admit() bool {
	if p.rate <= 0 {
		return true
	}
	now := time.Now()
	if !p.last.IsZero() {
		p.tokens = min(p.burst, p.tokens+now.Sub(p.last).Seconds()*p.rate)
	}
	p.last = now
	if p.tokens < 1 {
		return false
	}
	p.tokens--
	return true
}

// writeError answers like SSM's awsJson1_1 protocol: the SDK reads the
// code from X-Amzn-ErrorType or the body's __type.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", code)
	w.Header().Set("X-Amzn-RequestId", "00000000-0000-0000-0000-000000000000")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": msg})
}

func first(names []string) string {
	if len(names) == 0 {
		return "/"
	}
	return names[0]
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// signingRegion is the region of a SigV4 Authorization header's
// credential scope: Credential=<key>/<date>/<region>/<service>/aws4_request.
func signingRegion(auth string) string {
	_, scope, ok := strings.Cut(auth, "Credential=")
	if !ok {
		return ""
	}
	parts := strings.Split(scope, "/")
	if len(parts) < 3 {
		return ""
	}
	return parts[2]
}

// arnsAsNames rewrites r's GetParameters body (see ARNsAsNames).
func (p *Proxy) arnsAsNames(r *http.Request, body []byte, region string) {
	var in map[string]any
	if json.Unmarshal(body, &in) != nil {
		return
	}
	names, _ := in["Names"].([]any)
	for i, n := range names {
		s, _ := n.(string)
		if ref, err := model.ParseRef(s); err == nil && ref.Form == model.RefARN && ref.Account == p.arnAccount && ref.Region == region {
			names[i] = ref.Name
		}
	}
	out, err := json.Marshal(in)
	if err != nil {
		return
	}
	r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(out)), int64(len(out))
	r.Header.Set("Content-Length", fmt.Sprint(len(out)))
}
