// Package cli is the `fnenv` command: secrets per branch and shared in SSM
// Parameter Store, a pre-deploy check of a synthesized cloud assembly, copies
// between branches, and the regeneration of every env package.
//
// The logic lives here rather than in package main so that tests drive the
// cobra root command in-process: an App holds the standard streams, a
// Terminal and the SSM retry settings, all replaceable. SSM calls go through
// internal/ssmstore; the secrets check is internal/secretcheck.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/fnenv/fnenv/codegen"
	"github.com/fnenv/fnenv/internal/fnenvcmd"
	"github.com/fnenv/fnenv/internal/plural"
	"github.com/fnenv/fnenv/internal/ssmstore"
	"github.com/fnenv/fnenv/model"
)

// Exit codes of the fnenv command.
const (
	ExitOK     = 0 // the command did what was asked
	ExitFailed = 1 // a check failed, a secret was not found, or AWS refused
	ExitUsage  = 2 // bad flags, arguments or names: nothing was done
	// ExitInterrupted: interrupted (Ctrl-C, SIGTERM); what was done is reported.
	ExitInterrupted = 130
)

// Terminal is the interactive side of standard input: the hidden prompt for
// a secret's value and the confirmation before removing secrets. Prompts go
// to the terminal, never to standard output. Both reads return ctx.Err()
// as soon as ctx is done (Ctrl-C), the terminal as it was.
type Terminal interface {
	// IsTerminal reports whether standard input is an interactive terminal.
	IsTerminal() bool
	// ReadPassword writes prompt and reads one line without echoing it,
	// without its line ending; Ctrl-D ends it where it is.
	ReadPassword(ctx context.Context, prompt string) (string, error)
	// ReadLine writes prompt and reads one line, without its line ending.
	ReadLine(ctx context.Context, prompt string) (string, error)
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
	// MaxAttempts bounds the attempts of each SSM call. Default:
	// ssmstore.DefaultMaxAttempts (10).
	MaxAttempts int
	// MaxBackoff bounds the wait between attempts. Default: the SDK's (20s).
	MaxBackoff time.Duration
	// AttemptTimeout bounds each attempt of an SSM call. Default:
	// ssmstore.DefaultAttemptTimeout (5s).
	AttemptTimeout time.Duration
	// StackPoll is how often `fnenv branch` asks CloudFormation how the
	// deletion of a stack goes. Default: DefaultStackPoll (5s).
	StackPoll time.Duration
	// Self is the fnenv executable, which `fnenv env` runs as its
	// resolving child (ResolveCommand). Default: os.Executable().
	Self string
	// CacheDir holds the handlers `fnenv invoke` builds for this machine.
	// Default: <os.UserCacheDir()>/fnenv/invoke, outside the source tree.
	CacheDir string
	// Name is how the commands fnenv prints as hints spell fnenv.
	// Default: fnenvcmd.Executable() ("go tool fnenv" when run as a tool
	// of the module, else "fnenv").
	Name string
	// WriteEnv writes a function's env package under the module root and
	// reports whether the file changed. Default: codegen.Write.
	WriteEnv func(moduleRoot string, fn model.Function) (changed bool, err error)
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
			fmt.Fprintf(a.Stderr, "Run '%s --help' for usage.\n", commandPath(cmd))
		}
		return ee.Code
	}
	// Errors that are not ours come from cobra's parsing: unknown commands,
	// flags and flag values.
	if cmd != nil {
		fmt.Fprintf(a.Stderr, "Run '%s --help' for usage.\n", commandPath(cmd))
	}
	return ExitUsage
}

// nameAnnotation is the root command's annotation holding App.Name.
const nameAnnotation = "fnenv.name"

// commandPath is c's path as the user runs fnenv (App.Name, kept on the
// root command): "go tool fnenv secret set" where cobra says "fnenv secret
// set".
func commandPath(c *cobra.Command) string {
	name := c.Root().Annotations[nameAnnotation]
	if name == "" {
		return c.CommandPath()
	}
	return name + strings.TrimPrefix(c.CommandPath(), c.Root().Name())
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
	if a.Name == "" {
		a.Name = fnenvcmd.Executable()
	}
	if a.WriteEnv == nil {
		a.WriteEnv = codegen.Write
	}
}

func (a *App) stackPoll() time.Duration {
	if a.StackPoll <= 0 {
		return DefaultStackPoll
	}
	return a.StackPoll
}

func (a *App) isTerminal() bool { return a.Term != nil && a.Term.IsTerminal() }

// store opens the SSM store, failing early — before any prompt or write —
// when there is no region or no credentials.
func (r *runner) store(ctx context.Context) (*ssmstore.Store, error) {
	s, err := ssmstore.Open(ctx, ssmstore.Options{
		MaxAttempts:    r.app.MaxAttempts,
		MaxBackoff:     r.app.MaxBackoff,
		AttemptTimeout: r.app.AttemptTimeout,
		Timeout:        r.timeout,
		TimeoutName:    "--timeout",
		Notify:         func(line string) { fmt.Fprintf(r.app.Stderr, "fnenv: %s\n", line) },
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil, interrupted("nothing was done")
		}
		return nil, failed("%v", err)
	}
	return s, nil
}

// storeError is a failed SSM call as an exit error; done, when not empty,
// says what the command did before it.
func storeError(err error, done string) error {
	if done != "" {
		done = "\n" + done
	}
	if errors.Is(err, context.Canceled) {
		return &ExitError{Code: ExitInterrupted, Err: fmt.Errorf("%w%s", err, done)}
	}
	return &ExitError{Code: ExitFailed, Err: fmt.Errorf("%w%s", err, done)}
}

// unanswered reports whether err is a store write whose answer was lost:
// it may or may not have taken effect.
func unanswered(err error) bool {
	var se *ssmstore.Error
	return errors.As(err, &se) && se.Unanswered
}

// interrupted is a command stopped by Ctrl-C: exit 130, saying what was done.
func interrupted(done string) error {
	return &ExitError{Code: ExitInterrupted, Err: fmt.Errorf("interrupted: %s", done)}
}

// Command returns the root command `fnenv` with every subcommand.
func (a *App) Command() *cobra.Command {
	a.defaults()
	r := &runner{app: a}
	root := &cobra.Command{
		Use:   "fnenv",
		Short: "Secrets per branch and shared for fnenv functions, a pre-deploy check, env package generation and branch backends over their life",
		Long: `fnenv manages the secrets of an fnenv app in SSM Parameter Store and regenerates
its typed env packages.

A branch's secret lives at <prefix>/<appId>/<branch>/<NAME>, a shared secret
at <prefix>/shared/<appId>/<NAME>; a function reads the branch's value and
falls back to the shared one.

The app id and branch come from --app-id and --branch, else cdk.json's
context "appId" and "branch", else AWS_APP_ID and AWS_BRANCH, else (the
branch only) the current git branch. Credentials, region and endpoint come
from the standard AWS chain (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL).

Every SSM call is tried again when it is throttled or fails transiently,
each attempt bounded to a few seconds, all of a command's calls by
--timeout; after a few seconds fnenv says that it is retrying and why.

Exit codes: 0 ok, 1 failed (check failed, not found, AWS refused, timed
out), 2 usage, 130 interrupted (what was done is reported).`,
		SilenceErrors: true,
		SilenceUsage:  true,
		Annotations:   map[string]string{nameAnnotation: a.Name},
	}
	root.CompletionOptions.DisableDefaultCmd = true
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usage("%v", err) })
	root.PersistentPreRunE = func(c *cobra.Command, _ []string) error {
		if r.timeout <= 0 {
			return usage("--timeout %s: give a positive duration, e.g. 30s or 2m", r.timeout)
		}
		return nil
	}
	pf := root.PersistentFlags()
	pf.StringVar(&r.appIDFlag, "app-id", "", `app id (default: cdk.json context "appId", else AWS_APP_ID)`)
	pf.StringVar(&r.prefixFlag, "prefix", "", `root of every parameter path (default: cdk.json context "fnenvPrefix", else `+model.DefaultPrefix+`)`)
	pf.StringVar(&r.pathsFlag, "paths", "", `layout of parameter paths: "fnenv", or "amplify" for Amplify Gen 2's own (default: cdk.json context "`+model.ContextPaths+`", else fnenv)`)
	pf.StringVar(&r.cdkJSONFlag, "cdk-json", "", "the CDK app's cdk.json (default: cdk.json in the working directory, if any)")
	pf.DurationVar(&r.timeout, "timeout", ssmstore.DefaultTimeout, "overall deadline of the command's AWS calls")

	secret, branch := r.secretCmd(), r.branchCmd()
	root.AddCommand(secret, branch, r.genCmd(), r.initCmd(), r.invokeCmd(), r.envCmd(), r.resolveCmd(), r.vetCmd())
	for _, c := range append(append(secret.Commands(), branch.Commands()...), root.Commands()...) {
		c.DisableFlagsInUseLine = true // each Use line spells out its flags
	}
	return root
}

func noArgs(c *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usage("%s takes no argument, got %q", commandPath(c), args[0])
	}
	return nil
}

func oneName(c *cobra.Command, args []string) error {
	if len(args) != 1 {
		return usage("%s takes exactly one secret NAME, got %s", commandPath(c), plural.Count(len(args), "argument"))
	}
	return nil
}
