package ssmproxy_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/fnenv/fnenv/internal/ssmproxy"
)

// backend answers every GetParameters with no parameter.
func backend(t *testing.T) string {
	url, _ := countingBackend(t)
	return url
}

// countingBackend is backend, counting the requests that reach it.
func countingBackend(t *testing.T) (string, *atomic.Int32) {
	var reached atomic.Int32
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Write([]byte(`{"Parameters":[],"InvalidParameters":[]}`))
	}))
	t.Cleanup(s.Close)
	return s.URL, &reached
}

func client(url string) *ssm.Client {
	return ssm.New(ssm.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(url),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, nil
		}),
		RetryMaxAttempts: 1,
	})
}

// codes calls GetParameters n times and returns each call's error code
// ("" for success), as the SDK decodes it.
func codes(t *testing.T, c *ssm.Client, n int) []string {
	var out []string
	for range n {
		_, err := c.GetParameters(context.Background(), &ssm.GetParametersInput{Names: []string{"/a", "/b"}})
		var ae smithy.APIError
		switch {
		case err == nil:
			out = append(out, "")
		case errors.As(err, &ae):
			out = append(out, ae.ErrorCode())
		default:
			t.Fatal(err)
		}
	}
	return out
}

func TestProxy(t *testing.T) {
	tests := []struct {
		name string
		opts []ssmproxy.Option
		want []string
	}{
		{"passes through", nil, []string{"", ""}},
		{"throttles the first", []ssmproxy.Option{ssmproxy.ThrottleFirst(2)}, []string{"ThrottlingException", "ThrottlingException", ""}},
		{"admits a burst, then throttles", []ssmproxy.Option{ssmproxy.WithRate(0.001, 2)}, []string{"", "", "ThrottlingException"}},
		{"denies access", []ssmproxy.Option{ssmproxy.DenyAccess("/b")}, []string{"AccessDeniedException"}},
		{"denies other names only", []ssmproxy.Option{ssmproxy.DenyAccess("/c")}, []string{""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := ssmproxy.New(t, backend(t), tt.opts...)
			got := codes(t, client(p.URL), len(tt.want))
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("error codes (-got +want):\n%s", diff)
			}
			reqs := p.Requests()
			if len(reqs) != len(tt.want) || reqs[0].Target != "AmazonSSM.GetParameters" || !cmp.Equal(reqs[0].Names, []string{"/a", "/b"}) {
				t.Errorf("requests = %+v, want %d GetParameters of /a, /b", reqs, len(tt.want))
			}
		})
	}
}

// TestLoseAnswer: the chosen request reaches the endpoint, its client
// gets no answer before its deadline, and the others are answered.
func TestLoseAnswer(t *testing.T) {
	url, reached := countingBackend(t)
	p := ssmproxy.New(t, url, ssmproxy.LoseAnswer("AmazonSSM.GetParameters", 2))
	c := client(p.URL)
	var got []string
	for range 3 {
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		_, err := c.GetParameters(ctx, &ssm.GetParametersInput{Names: []string{"/a"}})
		cancel()
		got = append(got, fmt.Sprint(errors.Is(err, context.DeadlineExceeded)))
	}
	if diff := cmp.Diff(got, []string{"false", "true", "false"}); diff != "" {
		t.Errorf("deadline exceeded per call (-got +want):\n%s", diff)
	}
	if n := reached.Load(); n != 3 {
		t.Errorf("%d requests reached the endpoint, want 3 (the lost answer's too)", n)
	}
}

// TestLoseBody: the chosen request reaches the endpoint and its client
// gets the headers of the answer but never its whole body; the others are
// answered whole.
func TestLoseBody(t *testing.T) {
	url, reached := countingBackend(t)
	p := ssmproxy.New(t, url, ssmproxy.LoseBody("AmazonSSM.GetParameters", 2))
	c := client(p.URL)
	var got []string
	for range 3 {
		var headers atomic.Bool
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{GotFirstResponseByte: func() { headers.Store(true) }})
		_, err := c.GetParameters(ctx, &ssm.GetParametersInput{Names: []string{"/a"}})
		cancel()
		got = append(got, fmt.Sprintf("headers %v, error %v", headers.Load(), err != nil))
	}
	want := []string{"headers true, error false", "headers true, error true", "headers true, error false"}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("per call (-got +want):\n%s", diff)
	}
	if n := reached.Load(); n != 3 {
		t.Errorf("%d requests reached the endpoint, want 3 (the cut answer's too)", n)
	}
	if st := p.Requests()[1].Status; st != http.StatusOK {
		t.Errorf("the cut request's status = %d, want 200 (the endpoint's)", st)
	}
}
