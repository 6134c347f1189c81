package ssmstore

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"

	"github.com/fnenv/fnenv/model"
)

// Error is a failed SSM call: "ssm:<Op> on <Subject>: <Msg>". It never
// holds a value. Err is the cause: ErrExists, ErrNotFound,
// context.Canceled (interrupted), context.DeadlineExceeded (the overall
// deadline) or the SDK's error.
type Error struct {
	Op      string // the SSM action, e.g. "PutParameter"
	Subject string // the parameter names or path
	Msg     string // what went wrong and what to do
	Err     error
	// Unanswered: a request of the call reached the wire whole and its
	// answer was never read whole (none came, or its body was cut: an
	// attempt's timeout, the overall deadline, Ctrl-C or a closed
	// connection), so a write may or may not have taken effect in SSM,
	// whatever a retry of it got, even ParameterAlreadyExists. Set by Put
	// and Delete.
	Unanswered bool
	// Names are the parameters the failed write named (Put and Delete).
	Names []string
}

func (e *Error) Error() string { return fmt.Sprintf("ssm:%s on %s: %s", e.Op, e.Subject, e.Msg) }
func (e *Error) Unwrap() error { return e.Err }

// throttlingCodes are the error codes of SSM and the SDK for too many requests.
var throttlingCodes = map[string]bool{
	"ThrottlingException": true, "Throttling": true, "ThrottledException": true,
	"TooManyRequestsException": true, "RequestLimitExceeded": true, "TooManyUpdates": true,
}

// fail turns the error of a call made under ctx (the caller's context,
// before the store's deadline) into an *Error saying what happened.
func (s *Store) fail(ctx context.Context, op, subject string, err error) error {
	e := &Error{Op: op, Subject: subject, Err: err}
	var ae smithy.APIError
	var maxErr *retry.MaxAttemptsError
	attempts := ""
	if errors.As(err, &maxErr) {
		attempts = fmt.Sprintf(" (%d attempts)", maxErr.Attempt)
	}
	switch {
	case ctx.Err() != nil && errors.Is(err, context.Canceled):
		e.Err, e.Msg = context.Canceled, "interrupted before SSM answered"
	case errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil:
		s.mu.Lock()
		last := s.lastCause
		s.mu.Unlock()
		e.Err = context.DeadlineExceeded
		if last != "" {
			e.Msg = fmt.Sprintf("stopped at the overall timeout of %s%s; the last attempt: %s", s.opts.Timeout, s.timeoutName(), last)
		} else {
			e.Msg = fmt.Sprintf("no answer from %s within the overall timeout of %s%s", s.opts.endpoint, s.opts.Timeout, s.timeoutName())
		}
	case errors.As(err, &ae):
		code := ae.ErrorCode()
		switch {
		case code == "AccessDeniedException" || code == "AccessDenied":
			if model.IsReservedParameterName(subject) {
				e.Msg = fmt.Sprintf("SSM refuses it because names beginning with \"aws\" or \"ssm\" are reserved, not for a lack of permission: choose another prefix (%s)", ae.ErrorMessage())
			} else {
				e.Msg = fmt.Sprintf("access denied: the AWS credentials in use need ssm:%s on it (%s)", op, ae.ErrorMessage())
			}
		case code == "UnrecognizedClientException" || code == "InvalidSignatureException" || code == "ExpiredTokenException" || code == "InvalidClientTokenId":
			e.Msg = fmt.Sprintf("the AWS credentials were rejected (%s): check AWS_PROFILE or AWS_ACCESS_KEY_ID", code)
		case throttlingCodes[code]:
			e.Msg = fmt.Sprintf("SSM is throttling requests and still was after %d attempts: wait a minute and run the command again", s.opts.MaxAttempts)
		case code == "InvalidKeyId":
			e.Msg = fmt.Sprintf("the KMS key is not valid for SSM (%s)", ae.ErrorMessage())
		case httpStatus(err) >= 500:
			e.Msg = fmt.Sprintf("%s answered HTTP %d (%s)%s: SSM failed on its side; run the command again later", s.opts.endpoint, httpStatus(err), code, attempts)
		default:
			e.Msg = fmt.Sprintf("%s: %s", code, ae.ErrorMessage())
		}
	case httpStatus(err) >= 500:
		e.Msg = fmt.Sprintf("%s answered HTTP %d%s: SSM failed on its side; run the command again later", s.opts.endpoint, httpStatus(err), attempts)
	default:
		e.Msg = fmt.Sprintf("%s%s", s.transportCause(err), attempts)
	}
	return e
}

func (s *Store) timeoutName() string {
	if s.opts.TimeoutName == "" {
		return ""
	}
	return " (" + s.opts.TimeoutName + ")"
}

// causeOf says in a few words why an attempt failed.
func (s *Store) causeOf(err error) string {
	var ae smithy.APIError
	switch {
	case errors.As(err, &ae) && throttlingCodes[ae.ErrorCode()]:
		return fmt.Sprintf("SSM at %s is throttling requests (%s)", s.opts.endpoint, ae.ErrorCode())
	case httpStatus(err) >= 500:
		return fmt.Sprintf("%s answered HTTP %d", s.opts.endpoint, httpStatus(err))
	case errors.As(err, &ae):
		return fmt.Sprintf("%s answered %s", s.opts.endpoint, ae.ErrorCode())
	}
	return s.transportCause(err)
}

// transportCause describes an error below HTTP: no answer, refused, no
// such host.
func (s *Store) transportCause(err error) string {
	var dns *net.DNSError
	var ne net.Error
	switch {
	case errors.As(err, &dns):
		return fmt.Sprintf("cannot resolve the host of %s (%v)", s.opts.endpoint, dns)
	case strings.Contains(err.Error(), "connection refused"):
		return fmt.Sprintf("%s refused the connection (is the endpoint right? AWS_ENDPOINT_URL, AWS_REGION)", s.opts.endpoint)
	case errors.As(err, &ne) && ne.Timeout():
		return fmt.Sprintf("%s did not answer within %s (the timeout of one attempt)", s.opts.endpoint, s.opts.AttemptTimeout.Round(time.Millisecond))
	case strings.Contains(err.Error(), "connection reset") || strings.Contains(err.Error(), "EOF"):
		return fmt.Sprintf("%s closed the connection without answering", s.opts.endpoint)
	}
	return fmt.Sprintf("talking to %s: %v", s.opts.endpoint, err)
}

// httpStatus is the HTTP status of the response err came with, or 0.
func httpStatus(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}
