package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/fnenv/fnenv/internal/lambdaapi"
	"github.com/fnenv/fnenv/internal/plural"
)

func (r *runner) invokeCmd() *cobra.Command {
	var o localOptions
	var event string
	c := &cobra.Command{
		Use:   "invoke NAME [--branch B] [--event FILE | -] [--deployed] [--assembly DIR]",
		Short: "Run a function here, with its branch's configuration and real secrets",
		Long: `Build the function's handler for this machine and run it under a local Lambda
Runtime API (no Docker), with the function's configuration and the caller's
credentials: its secrets resolve from the branch's real parameters in SSM
and Secrets Manager, as at a cold start in Lambda. Send it one event (--event
FILE, or - for stdin; default {}), print its response on stdout and its logs
on stderr.

The configuration is the synthesized template's in --assembly (synthesize
for the branch first: cdk synth -c branch=B), or with --deployed the deployed
function's, read with the Lambda API, where CDK tokens (a table's name…) are
resolved. The function's timeout applies (Lambda's default: 3 s), and its
init may take 10 s, as in Lambda.

The handler is built into the user cache directory (fnenv/invoke), never into
the source tree; an unchanged handler is not built again.

Exit 0 when the handler answered; 1 with its error, its init (Load) error, a
timeout or a build failure.`,
		Args: func(c *cobra.Command, args []string) error { return oneFunction(c, args) },
		RunE: func(c *cobra.Command, args []string) error { return r.invoke(c.Context(), args[0], o, event) },
	}
	o.flags(c.Flags())
	c.Flags().StringVar(&event, "event", "", "the event: a JSON file, or - for standard input (default: {})")
	return c
}

func oneFunction(c *cobra.Command, args []string) error {
	if len(args) != 1 {
		return usage("%s takes exactly one function NAME (the name given to function.New), got %s", commandPath(c), plural.Count(len(args), "argument"))
	}
	return nil
}

// readEvent reads --event: a file, "-" for stdin, "" for {}. It must be
// JSON, as Lambda's Invoke requires.
func (r *runner) readEvent(event string) ([]byte, error) {
	var data []byte
	var err error
	switch event {
	case "":
		return []byte("{}"), nil
	case "-":
		data, err = io.ReadAll(r.app.Stdin)
		event = "standard input"
	default:
		data, err = os.ReadFile(r.path(event))
	}
	if err != nil {
		return nil, usage("--event: %v", err)
	}
	if !json.Valid(data) {
		return nil, usage("--event: %s is not JSON: an event is a JSON document, e.g. {\"customer\": \"cus_1\"}", event)
	}
	return bytes.TrimSpace(data), nil
}

func (r *runner) invoke(ctx context.Context, name string, o localOptions, event string) error {
	payload, err := r.readEvent(event)
	if err != nil {
		return err
	}
	lf, err := r.localFunction(ctx, name, o)
	if err != nil {
		return err
	}
	bin, err := r.buildLocal(ctx, lf)
	if err != nil {
		return err
	}
	resp, err := runLocal(ctx, bin, lf, payload, r.app.Stderr)
	if err != nil {
		return err
	}
	r.app.Stdout.Write(resp)
	if len(resp) == 0 || resp[len(resp)-1] != '\n' {
		fmt.Fprintln(r.app.Stdout)
	}
	return nil
}

// runLocal runs the built handler bin once, as Lambda runs a cold start:
// the process starts with lf's environment (environ), inits within
// InitTimeout, and gets payload with lf's timeout. Its logs go to logs.
func runLocal(ctx context.Context, bin string, lf *localFunction, payload []byte, logs io.Writer) ([]byte, error) {
	f, err := lambdaapi.StartWith(bin, lf.environ(), lambdaapi.Options{Output: logs, Timeout: lf.Timeout, FunctionARN: lf.ARN})
	if err != nil {
		return nil, failed("function %s: %v", lf.Record.Function.Name, err)
	}
	defer f.Stop()
	fn := lf.Record.Function.Name
	exited, exitErr := f.Exited()

	ictx, cancel := context.WithTimeout(ctx, InitTimeout)
	defer cancel()
	if _, err := f.InitDuration(ictx); err != nil {
		var fe *lambdaapi.FunctionError
		switch {
		case errors.Is(ctx.Err(), context.Canceled):
			return nil, interrupted("the function was stopped during its init")
		case errors.As(err, &fe):
			return nil, failed("function %s: init failed: %s", fn, errorDocument(fe.Body))
		case ictx.Err() != nil:
			return nil, failed("function %s: init did not finish within %s (Lambda's limit for init)", fn, InitTimeout)
		}
		<-exited
		return nil, failed("function %s: init failed: its process exited (%v) before asking for an event%s", fn, exitErr(), panicOf(f.Output()))
	}

	tctx, cancel := context.WithTimeout(ctx, lf.Timeout)
	defer cancel()
	resp, err := f.Invoke(tctx, payload)
	if err == nil {
		return resp, nil
	}
	var fe *lambdaapi.FunctionError
	switch {
	case errors.Is(ctx.Err(), context.Canceled):
		return nil, interrupted("the function was stopped during the invocation")
	case errors.As(err, &fe):
		return nil, failed("function %s returned an error: %s", fn, errorDocument(fe.Body))
	case tctx.Err() != nil:
		return nil, failed("function %s: timed out after %s, its timeout (Lambda: \"Task timed out after %.2f seconds\")", fn, lf.Timeout, lf.Timeout.Seconds())
	}
	select {
	case <-exited:
		return nil, failed("function %s: its process exited (%v) during the invocation%s", fn, exitErr(), panicOf(f.Output()))
	default:
		return nil, failed("function %s: %v", fn, err)
	}
}

// errorDocument is the error a runtime posted: "<errorType>: <errorMessage>"
// from aws-lambda-go's JSON document, else the body as it is.
func errorDocument(body string) string {
	var doc struct {
		Message string `json:"errorMessage"`
		Type    string `json:"errorType"`
	}
	if json.Unmarshal([]byte(body), &doc) != nil || doc.Message == "" {
		return strings.TrimSpace(body)
	}
	if doc.Type == "" {
		return doc.Message
	}
	return doc.Type + ": " + doc.Message
}

// panicOf is the message of the last Go panic in a process's output, as
// ":\n<message>", or "" when there is none: a handler's MustLoad panics
// with Load's error.
func panicOf(out string) string {
	i := strings.LastIndex(out, "panic: ")
	if i < 0 {
		return ": its output is above"
	}
	msg := out[i+len("panic: "):]
	if j := strings.Index(msg, "\n\ngoroutine "); j >= 0 {
		msg = msg[:j]
	}
	msg = strings.TrimSuffix(strings.TrimSpace(msg), " [recovered]")
	// The runtime indents a message's later lines with a tab.
	return ":\n" + strings.ReplaceAll(msg, "\n\t", "\n")
}
