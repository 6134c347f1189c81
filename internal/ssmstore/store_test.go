package ssmstore

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/google/go-cmp/cmp"
)

// fakeAPI answers every call with err; it records GetParameters and
// DeleteParameters name lists.
type fakeAPI struct {
	API
	err   error
	mu    sync.Mutex
	names [][]string
}

func (f *fakeAPI) PutParameter(context.Context, *ssm.PutParameterInput, ...func(*ssm.Options)) (*ssm.PutParameterOutput, error) {
	return nil, f.err
}

func (f *fakeAPI) GetParameters(_ context.Context, in *ssm.GetParametersInput, _ ...func(*ssm.Options)) (*ssm.GetParametersOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.names = append(f.names, in.Names)
	return &ssm.GetParametersOutput{}, f.err
}

func (f *fakeAPI) DeleteParameters(_ context.Context, in *ssm.DeleteParametersInput, _ ...func(*ssm.Options)) (*ssm.DeleteParametersOutput, error) {
	f.names = append(f.names, in.Names)
	return &ssm.DeleteParametersOutput{DeletedParameters: in.Names}, f.err
}

func httpErr(status int, code string) error {
	return &awshttp.ResponseError{ResponseError: &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}},
		Err:      &smithy.GenericAPIError{Code: code, Message: "failing"},
	}}
}

// TestErrors: each cause is named, with the call and the parameter.
func TestErrors(t *testing.T) {
	tests := []struct {
		name, param string
		err         error
		want        string
	}{
		{"access denied", "/amplify/app/main/K1", &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not authorized"},
			"ssm:PutParameter on /amplify/app/main/K1: access denied: the AWS credentials in use need ssm:PutParameter on it (not authorized)"},
		{"reserved name", "/aws/app/main/K1", &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "No access to reserved parameter name"},
			`ssm:PutParameter on /aws/app/main/K1: SSM refuses it because names beginning with "aws" or "ssm" are reserved, not for a lack of permission`},
		{"throttled", "/amplify/app/main/K1", &smithy.GenericAPIError{Code: "ThrottlingException"},
			"SSM is throttling requests and still was after 10 attempts"},
		{"5xx", "/amplify/app/main/K1", httpErr(503, "ServiceUnavailable"),
			"ssm:PutParameter on /amplify/app/main/K1: SSM answered HTTP 503 (ServiceUnavailable)"},
		{"credentials", "/amplify/app/main/K1", &smithy.GenericAPIError{Code: "UnrecognizedClientException"},
			"the AWS credentials were rejected (UnrecognizedClientException)"},
		{"refused", "/amplify/app/main/K1", errors.New("dial tcp 127.0.0.1:1: connect: connection refused"),
			"SSM refused the connection"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(&fakeAPI{err: tt.err}, Options{})
			_, err := s.Put(t.Context(), Parameter{Name: tt.param, Value: "fake"}, true)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want it to contain %q", err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), "fake") {
				t.Errorf("the error holds the value: %v", err)
			}
		})
	}
	t.Run("interrupted", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		s := New(&fakeAPI{err: fmt.Errorf("operation error: %w", context.Canceled)}, Options{})
		_, err := s.Put(ctx, Parameter{Name: "/a/b"}, true)
		if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "interrupted") {
			t.Errorf("got %v, want an interruption", err)
		}
	})
	t.Run("overall deadline", func(t *testing.T) {
		s := New(&fakeAPI{err: fmt.Errorf("operation error: %w", context.DeadlineExceeded)}, Options{Timeout: time.Second, TimeoutName: "--timeout"})
		_, err := s.Put(t.Context(), Parameter{Name: "/a/b"}, true)
		if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "within the overall timeout of 1s (--timeout)") {
			t.Errorf("got %v, want the overall deadline named", err)
		}
	})
}

// TestChunks: GetParameters and DeleteParameters get at most 10 names a call.
func TestChunks(t *testing.T) {
	names := make([]string, 23)
	for i := range names {
		names[i] = fmt.Sprintf("/p/%02d", i)
	}
	f := &fakeAPI{}
	s := New(f, Options{})
	if _, _, err := s.Delete(t.Context(), names); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Exists(t.Context(), names); err != nil {
		t.Fatal(err)
	}
	var sizes []int
	for _, n := range f.names {
		sizes = append(sizes, len(n))
	}
	if diff := cmp.Diff(sizes[:3], []int{10, 10, 3}); diff != "" {
		t.Errorf("DeleteParameters sizes (-got +want):\n%s", diff)
	}
	if len(sizes) != 6 {
		t.Errorf("%d calls, want 3 deletes and 3 gets", len(sizes))
	}
}
