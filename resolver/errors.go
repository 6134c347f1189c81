package resolver

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/smithy-go"

	"github.com/fnenv/fnenv/resolver/envtype"
)

// MissingSecretsError reports every secret set neither on the branch nor
// shared.
type MissingSecretsError struct {
	// Function is the function's name.
	Function string
	// Branch is the branch as git names it, e.g. "feature/login" (from
	// FNENV_BRANCH, else the last level of FNENV_BRANCH_PREFIX);
	// `fnenv secret set --branch` accepts it as is.
	Branch string
	// Secrets are the missing secrets, in the order of the Declaration.
	Secrets []Missing
}

// Missing is one missing secret.
type Missing struct {
	// Secret is the secret's name, e.g. "MY_API_KEY".
	Secret string
	// Vars are the variables holding it, e.g. ["API_KEY"].
	Vars []string
	// BranchPath and SharedPath are the SSM parameter names tried.
	BranchPath, SharedPath string
	// Near are the function's other secrets that are set and whose names
	// are close to Secret (see internal/nearname), each with where it is
	// set: "STRIPE_KEY (set on branch main)". Load cannot list other
	// names: the function's role may read only its own parameters.
	Near []string
}

// Error lists every missing secret with both paths and the command that
// sets it, one per line after a header, then how to list the names set
// near them.
//
// The commands say `fnenv`: a function cannot tell how its developers run
// the CLI (`go tool fnenv` when it is a tool of the app's module), and
// both spellings take the same arguments.
func (e *MissingSecretsError) Error() string {
	var sb strings.Builder
	n := "1 secret is"
	if len(e.Secrets) != 1 {
		n = fmt.Sprintf("%d secrets are", len(e.Secrets))
	}
	fmt.Fprintf(&sb, "fnenv: function %q: %s not set in SSM Parameter Store, neither on branch %q nor shared:", e.Function, n, e.Branch)
	for _, m := range e.Secrets {
		near := ""
		if len(m.Near) > 0 {
			near = "did you mean " + strings.Join(m.Near, " or ") + "? "
		}
		fmt.Fprintf(&sb, "\n  %s (for %s): tried %s and %s; %sset it with `fnenv secret set %s --branch %s` (or --shared for every branch)",
			m.Secret, strings.Join(m.Vars, ", "), m.BranchPath, m.SharedPath, near, m.Secret, e.Branch)
	}
	fmt.Fprintf(&sb, "\n  `fnenv secret check --branch %s` (after a synth) lists the names set near these; run fnenv as `go tool fnenv` where it is a tool of the app's module", e.Branch)
	return sb.String()
}

// StaleError reports that the generated env package and the function's
// configuration disagree: the function was deployed with another version
// of its env package (or, outside Lambda, a literal is not set).
type StaleError struct {
	// Function is the function's name.
	Function string
	// MissingLiterals are literal variables absent from the environment.
	MissingLiterals []string
	// Mismatches describe secret variables that FNENV_SECRETS configures
	// differently from the env package, one sentence each.
	Mismatches []string
}

func (e *StaleError) Error() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "fnenv: function %q: the env package does not match the function's configuration: run `fnenv gen` and redeploy (outside Lambda, set the variables or use FNENV_DOTENV):", e.Function)
	for _, name := range e.MissingLiterals {
		fmt.Fprintf(&sb, "\n  literal %s is not set in the environment", name)
	}
	for _, m := range e.Mismatches {
		sb.WriteString("\n  " + m)
	}
	return sb.String()
}

// InvalidValuesError reports every variable whose value is not of its
// type (see package envtype). It never holds a value: a literal's is in
// the function's configuration, a secret's must not be shown.
type InvalidValuesError struct {
	// Function is the function's name.
	Function string
	// Values are the invalid variables, in the order of the Env's fields.
	Values []Invalid
}

// Invalid is one variable whose value is not of its type.
type Invalid struct {
	// Var is the variable, e.g. "PORT".
	Var string
	// Type is its type.
	Type envtype.Type
	// Source says where the value came from: "literal", "secret
	// STRIPE_KEY" or "Secrets Manager secret DbCredential, field password".
	Source string
	// Reason says what the type accepts, e.g. "want a decimal integer,
	// like 8080".
	Reason string
}

// Error lists every invalid variable with its type and source, one per
// line after a header.
func (e *InvalidValuesError) Error() string {
	var sb strings.Builder
	n := "1 variable is not of its type"
	if len(e.Values) != 1 {
		n = fmt.Sprintf("%d variables are not of their type", len(e.Values))
	}
	fmt.Fprintf(&sb, "fnenv: function %q: %s (values not shown):", e.Function, n)
	for _, in := range e.Values {
		fmt.Fprintf(&sb, "\n  %s (%s) is not a valid %s: %s", in.Var, in.Source, envtype.Of(in.Type), in.Reason)
	}
	return sb.String()
}

// RequestError is a failed GetParameters request (after retries), with the
// parameters it asked for and the secrets they hold.
type RequestError struct {
	// Secrets are the secrets whose parameters the request asked for.
	Secrets []string
	// Parameters are the SSM parameter names of the request.
	Parameters []string
	// Err is the SDK's error.
	Err error
	// ThrottledAttempts is the number of requests sent when SSM throttled
	// every one until the context's deadline; 0 otherwise.
	ThrottledAttempts int
}

// highThroughputCommand turns on SSM Parameter Store's higher throughput
// in an account and region: the default is 40 transactions per second
// shared by GetParameter, GetParameters and GetParametersByPath; the higher
// quota is many times that (see Service Quotas) and charged per API call.
const highThroughputCommand = "aws ssm update-service-setting --setting-id arn:aws:ssm:<region>:<account>:servicesetting/ssm/parameter-store/high-throughput-enabled --setting-value true"

func (e *RequestError) Error() string {
	msg := fmt.Sprintf("reading secrets %s from SSM (parameters %s): %v",
		strings.Join(e.Secrets, ", "), strings.Join(e.Parameters, ", "), e.Err)
	var ae smithy.APIError
	switch {
	case e.ThrottledAttempts > 0:
		msg += fmt.Sprintf(" — SSM throttled all %d requests until the deadline (Lambda's init lasts at most 10 s): the account's Parameter Store throughput in this region (40 transactions/s by default, shared by every caller) is spent, typically by a burst of cold starts; turn on the higher throughput with `%s` (see the fnenv README)", e.ThrottledAttempts, highThroughputCommand)
	case errors.As(e.Err, &ae) && ae.ErrorCode() == "AccessDeniedException":
		msg += " — the function's role must allow ssm:GetParameters on both parameters of each secret (and kms:Decrypt on a customer key)"
	case errors.Is(e.Err, context.DeadlineExceeded):
		msg += " — gave up at the context's deadline (a function in a VPC without a route to SSM waits until then: give its subnets a NAT gateway or the VPC an interface endpoint for com.amazonaws.<region>.ssm)"
	}
	return msg
}

func (e *RequestError) Unwrap() error { return e.Err }
