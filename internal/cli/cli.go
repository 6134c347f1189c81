// Package cli is the `fnenv` command: secrets per branch and shared in SSM
// Parameter Store, a pre-deploy check of a synthesized cloud assembly, copies
// between branches, and the regeneration of every env package.
//
// The logic lives here rather than in package main so that tests drive the
// cobra root command in-process: an App holds the SSM client factory, the
// standard streams and a Terminal, all replaceable.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/smithy-go"
	"github.com/spf13/cobra"

	"github.com/fnenv/fnenv/identity"
	"github.com/fnenv/fnenv/spec"
)

// Exit codes of the fnenv command.
const (
	ExitOK     = 0 // the command did what was asked
	ExitFailed = 1 // a check failed, a secret was not found, or AWS refused
	ExitUsage  = 2 // bad flags, arguments or names: nothing was done
)

// DefaultMaxAttempts is how many times the CLI tries an SSM call that is
// throttled or fails transiently (the SDK's standard retryer, whose own
// default is 3): SSM's default throughput for parameter writes is low.
const DefaultMaxAttempts = 10

// SSM is the part of the SSM API the CLI uses; *ssm.Client implements it.
type SSM interface {
	PutParameter(context.Context, *ssm.PutParameterInput, ...func(*ssm.Options)) (*ssm.PutParameterOutput, error)
	GetParameter(context.Context, *ssm.GetParameterInput, ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
	GetParameters(context.Context, *ssm.GetParametersInput, ...func(*ssm.Options)) (*ssm.GetParametersOutput, error)
	GetParametersByPath(context.Context, *ssm.GetParametersByPathInput, ...func(*ssm.Options)) (*ssm.GetParametersByPathOutput, error)
	DeleteParameters(context.Context, *ssm.DeleteParametersInput, ...func(*ssm.Options)) (*ssm.DeleteParametersOutput, error)
}

// Terminal is the interactive side of standard input: the hidden prompt for
// a secret's value and the confirmation before removing secrets. Prompts go
// to the terminal, never to standard output.
type Terminal interface {
	// IsTerminal reports whether standard input is an interactive terminal.
	IsTerminal() bool
	// ReadPassword writes prompt and reads one line without echoing it,
	// without its line ending.
	ReadPassword(prompt string) (string, error)
	// ReadLine writes prompt and reads one line, without its line ending.
	ReadLine(prompt string) (string, error)
}

// App is one fnenv command line: its environment and its effects. The zero
// value of each field has a documented default.
type App struct {
	Stdin  io.Reader // default: empty
	Stdout io.Writer // results; default: discarded
	Stderr io.Writer // errors, notes and the CDK app's output; default: discarded
	// Term is the terminal on standard input. Default: none, so values come
	// from Stdin and removals need --yes.
	Term Terminal
	// Getenv reads AWS_APP_ID and AWS_BRANCH. Default: os.Getenv. (The AWS
	// SDK reads its own variables from the process environment.)
	Getenv func(string) string
	// Dir is the working directory: where cdk.json and cdk.out are looked
	// for, git is asked for the branch and the CDK app runs. Default: ".".
	Dir string
	// NoGit turns off the git branch as the last source of the branch.
	NoGit bool
	// NewClient returns the SSM client. Default: the standard AWS chain
	// (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL…) with the standard
	// retryer, MaxAttempts attempts.
	NewClient func(ctx context.Context) (SSM, error)
	// MaxAttempts bounds the attempts of each SSM call. Default: DefaultMaxAttempts.
	MaxAttempts int
	// MaxBackoff bounds the wait between attempts. Default: the SDK's (20s).
	MaxBackoff time.Duration
	// WriteEnv writes a function's env package under the module root and
	// reports whether the file changed; `fnenv gen` needs it
	// (codegen.Write). Default: none, and gen fails.
	WriteEnv func(moduleRoot string, fn spec.Function) (changed bool, err error)
}

// ExitError carries an exit code with the error that caused it.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }

// usage is bad input: exit 2, nothing done.
func usage(format string, args ...any) error {
	return &ExitError{Code: ExitUsage, Err: fmt.Errorf(format, args...)}
}

// failed is a failed command: exit 1.
func failed(format string, args ...any) error {
	return &ExitError{Code: ExitFailed, Err: fmt.Errorf(format, args...)}
}

// Run executes the command line args (without the program name) and returns
// the exit code; errors are written to Stderr, prefixed with "fnenv: ".
func (a *App) Run(ctx context.Context, args []string) int {
	a.defaults()
	root := a.Command()
	root.SetArgs(args)
	root.SetIn(a.Stdin)
	root.SetOut(a.Stdout)
	root.SetErr(a.Stderr)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return ExitOK
	}
	fmt.Fprintf(a.Stderr, "fnenv: %v\n", err)
	var ee *ExitError
	if errors.As(err, &ee) {
		if ee.Code == ExitUsage && cmd != nil {
			fmt.Fprintf(a.Stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
		}
		return ee.Code
	}
	// Errors that are not ours come from cobra's parsing: unknown commands,
	// flags and flag values.
	if cmd != nil {
		fmt.Fprintf(a.Stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
	}
	return ExitUsage
}

func (a *App) defaults() {
	if a.Stdin == nil {
		a.Stdin = strings.NewReader("")
	}
	if a.Stdout == nil {
		a.Stdout = io.Discard
	}
	if a.Stderr == nil {
		a.Stderr = io.Discard
	}
	if a.Getenv == nil {
		a.Getenv = os.Getenv
	}
	if a.Dir == "" {
		a.Dir = "."
	}
	if a.MaxAttempts <= 0 {
		a.MaxAttempts = DefaultMaxAttempts
	}
}

func (a *App) isTerminal() bool { return a.Term != nil && a.Term.IsTerminal() }

// client returns the SSM client, failing early — before any prompt or
// write — when there is no region or no credentials.
func (a *App) client(ctx context.Context) (SSM, error) {
	if a.NewClient != nil {
		return a.NewClient(ctx)
	}
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRetryer(func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = a.MaxAttempts
			if a.MaxBackoff > 0 {
				o.MaxBackoff = a.MaxBackoff
			}
		})
	}))
	if err != nil {
		return nil, failed("loading the AWS configuration: %v", err)
	}
	if cfg.Region == "" {
		return nil, failed("no AWS region: set AWS_REGION, or a region in the profile AWS_PROFILE names")
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return nil, failed("no AWS credentials: set AWS_PROFILE (a profile in ~/.aws/config), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where an IAM role is available (%v)", err)
	}
	return ssm.NewFromConfig(cfg), nil
}

// awsError turns an SSM error into a message naming the call and what it
// was about; it never includes a value.
func (a *App) awsError(op, subject string, err error) error {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch code := ae.ErrorCode(); code {
		case "AccessDeniedException", "AccessDenied":
			return failed("ssm:%s on %s: access denied: the AWS credentials in use need ssm:%s on it (%s)", op, subject, op, ae.ErrorMessage())
		case "UnrecognizedClientException", "InvalidSignatureException", "ExpiredTokenException", "InvalidClientTokenId":
			return failed("ssm:%s on %s: the AWS credentials were rejected (%s): check AWS_PROFILE or AWS_ACCESS_KEY_ID", op, subject, code)
		case "ThrottlingException", "Throttling", "ThrottledException", "TooManyRequestsException", "RequestLimitExceeded", "TooManyUpdates":
			return failed("ssm:%s on %s: SSM is throttling requests and still was after %d attempts: wait a minute and run the command again", op, subject, a.MaxAttempts)
		case "InvalidKeyId":
			return failed("ssm:%s on %s: the KMS key is not valid for SSM (%s)", op, subject, ae.ErrorMessage())
		}
	}
	if errors.Is(err, context.Canceled) {
		return failed("ssm:%s on %s: interrupted", op, subject)
	}
	return failed("ssm:%s on %s: %v", op, subject, err)
}

// Command returns the root command `fnenv` with every subcommand.
func (a *App) Command() *cobra.Command {
	a.defaults()
	r := &runner{app: a}
	root := &cobra.Command{
		Use:   "fnenv",
		Short: "Secrets per branch and shared for fnenv functions, a pre-deploy check, and env package generation",
		Long: `fnenv manages the secrets of an fnenv app in SSM Parameter Store and regenerates
its typed env packages.

A branch's secret lives at <prefix>/<appId>/<branch>/<NAME>, a shared secret
at <prefix>/shared/<appId>/<NAME>; a function reads the branch's value and
falls back to the shared one.

The app id and branch come from --app-id and --branch, else cdk.json's
context "appId" and "branch", else AWS_APP_ID and AWS_BRANCH, else (the
branch only) the current git branch. Credentials, region and endpoint come
from the standard AWS chain (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL).

Exit codes: 0 ok, 1 failed (check failed, not found, AWS refused), 2 usage.`,
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.CompletionOptions.DisableDefaultCmd = true
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usage("%v", err) })
	pf := root.PersistentFlags()
	pf.StringVar(&r.appIDFlag, "app-id", "", `app id (default: cdk.json context "appId", else AWS_APP_ID)`)
	pf.StringVar(&r.prefixFlag, "prefix", "", `root of every parameter path (default: cdk.json context "fnenvPrefix", else `+identity.DefaultPrefix+`)`)
	pf.StringVar(&r.cdkJSONFlag, "cdk-json", "", "the CDK app's cdk.json (default: cdk.json in the working directory, if any)")

	secret := &cobra.Command{
		Use:   "secret",
		Short: "Set, get, list, remove, check and copy secrets",
		Args:  noArgs,
		RunE:  func(c *cobra.Command, _ []string) error { return c.Help() },
	}
	secret.AddCommand(r.setCmd(), r.getCmd(), r.listCmd(), r.removeCmd(), r.checkCmd(), r.copyCmd())
	root.AddCommand(secret, r.genCmd())
	for _, c := range append(secret.Commands(), root.Commands()...) {
		c.DisableFlagsInUseLine = true // each Use line spells out its flags
	}
	return root
}

func noArgs(c *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usage("%s takes no argument, got %q", c.CommandPath(), args[0])
	}
	return nil
}

func oneName(c *cobra.Command, args []string) error {
	if len(args) != 1 {
		return usage("%s takes exactly one secret NAME, got %d arguments", c.CommandPath(), len(args))
	}
	return nil
}
