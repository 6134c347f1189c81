package function

import (
	"fmt"
	"maps"
	"os"
	"runtime"
	"strings"

	"github.com/aws/jsii-runtime-go"

	"github.com/fnenv/fnenv/model"
)

// ReportProblems, deferred at the top of a CDK app's main, turns a synth
// that fails — fnenv's problems, every function's together, or any other
// error the CDK raises — into its message on stderr and exit status 1,
// without Go or JavaScript stack traces. It closes jsii before exiting. A
// Go runtime error (a bug, not a problem) panics on with its trace.
//
//	func main() {
//		defer jsii.Close()
//		defer function.ReportProblems()
//
//		app := awscdk.NewApp(nil)
//		…
//		app.Synth(nil)
//	}
func ReportProblems() {
	r := recover()
	if r == nil {
		return
	}
	msg, ok := problemMessage(r)
	if !ok {
		panic(r)
	}
	fmt.Fprintln(os.Stderr, msg)
	jsii.Close()
	os.Exit(1)
}

// problemMessage returns the message of a panic from construction or
// synth without the JavaScript stack jsii appends; ok is false for a Go
// runtime error.
func problemMessage(r any) (msg string, ok bool) {
	switch v := r.(type) {
	case runtime.Error:
		return "", false
	case error:
		msg = v.Error()
	case string:
		msg = v
	default:
		return "", false
	}
	var keep []string
	for _, line := range strings.Split(msg, "\n") {
		if t := strings.TrimSpace(line); strings.HasPrefix(t, "at ") || strings.HasPrefix(t, "Error: ") && len(keep) > 0 {
			continue
		}
		keep = append(keep, line)
	}
	return strings.TrimRight(strings.Join(keep, "\n"), "\n"), true
}

// TestContext returns the CDK context for a unit test of stacks with fnenv
// functions, ctx's entries included (they win): handlers are not compiled
// (each function gets a placeholder asset kept in the user's cache
// directory), no env package is written, the secrets check is off (no AWS
// call), and the app id and branch are "test" and "main". It is the one line of setup such a test needs:
//
//	app := awscdk.NewApp(&awscdk.AppProps{Context: function.TestContext(nil)})
//
// ctx may be nil.
func TestContext(ctx map[string]any) *map[string]any {
	out := map[string]any{
		model.ContextAppID:        "test",
		model.ContextBranch:       "main",
		model.ContextCodegen:      false,
		model.ContextCheckSecrets: false,
		// CDK's own key: the stacks that bundle assets; none.
		"aws:cdk:bundling-stacks": []any{},
	}
	maps.Copy(out, ctx)
	return &out
}
