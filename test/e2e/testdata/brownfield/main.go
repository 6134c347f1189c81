// Command brownfield is the CDK app of the end-to-end test of issue 23: a
// function reading a team's existing parameters — a SecureString and a
// String by path, a SecureString in another region by ARN — and 20 KB of
// literals, more than Lambda's 4 KB environment holds.
package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/fnenv/fnenv/constructs/backend"
	"github.com/fnenv/fnenv/constructs/function"
)

// EUPassword is the ARN of the SecureString in the second region (moto's
// account).
const EUPassword = "arn:aws:ssm:eu-west-1:123456789012:parameter/legacy/eu/db-password"

func main() { os.Exit(run()) }

func run() int {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	stack := backend.NewStack(app, "Legacy", nil)
	env := map[string]function.Value{
		"LEGACY_PW": function.Secret("/legacy/db/password"),
		"API_URL":   function.Parameter("/legacy/payments/api-url"),
		"EU_PW":     function.Secret(EUPassword),
		"NAME":      function.Literal("World"),
	}
	for i := range 40 { // 20 KB
		env[fmt.Sprintf("BLOB_%02d", i)] = function.Literal(strings.Repeat(string(rune('a'+i%26)), 500))
	}
	function.New(stack, "Legacy", &function.Props{Name: "legacy", Entry: "test/e2e/testdata/brownfield/handler", Environment: env})
	app.Synth(nil)
	return 0
}
