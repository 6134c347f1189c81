package function_test

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"

	"github.com/fnenv/fnenv/constructs/backend"
	"github.com/fnenv/fnenv/constructs/function"
)

// A function whose environment mixes literals and a secret: the
// configuration holds the literals and, for the secret, only the names of
// its branch and shared parameters. The value returned is an
// awslambda.IFunction, so the usual grants and triggers take it.
func ExampleNew() {
	// In a unit test, TestContext keeps synth from compiling the handler or
	// writing its env package; a real app uses awscdk.NewApp(nil).
	app := awscdk.NewApp(&awscdk.AppProps{Context: function.TestContext(nil)})
	stack := backend.NewStack(app, "Payments", nil)

	fn := function.New(stack, "SayHello", &function.Props{
		FunctionOptions: awslambda.FunctionOptions{
			MemorySize: jsii.Number(256),
			Tracing:    awslambda.Tracing_ACTIVE,
		},
		Name:  "say-hello",
		Entry: "constructs/function/testdata/say-hello", // from the module root
		Environment: map[string]function.Value{
			"NAME":    function.Literal("World"),
			"PORT":    function.Literal("8080").As(function.Int),
			"API_KEY": function.Secret("MY_API_KEY"),
		},
	})
	table := awsdynamodb.NewTable(stack, jsii.String("Greetings"), &awsdynamodb.TableProps{
		PartitionKey: &awsdynamodb.Attribute{Name: jsii.String("id"), Type: awsdynamodb.AttributeType_STRING},
	})
	table.GrantReadData(fn)

	tmpl := assertions.Template_FromStack(stack, nil)
	for _, res := range *tmpl.FindResources(jsii.String("AWS::Lambda::Function"), nil) {
		props := (*res)["Properties"].(map[string]any)
		vars := props["Environment"].(map[string]any)["Variables"].(map[string]any)
		var lines []string
		for k, v := range vars {
			lines = append(lines, fmt.Sprintf("%s=%v", k, v))
		}
		slices.Sort(lines)
		fmt.Println(strings.Join(lines, "\n"))
	}
	// Output:
	// FNENV_BRANCH_PREFIX=/amplify/test/main/
	// FNENV_MAX_AGE=5m0s
	// FNENV_SECRETS=API_KEY=MY_API_KEY
	// FNENV_SHARED_PREFIX=/amplify/shared/test/
	// NAME=World
	// PORT=8080
}

// A function reading a team's existing parameters: a SecureString by full
// path, non-secret configuration (function.Parameter), and a SecureString
// another account shares, decrypted with that account's key. Each is
// exactly that parameter — no branch or shared fallback — and only its
// path or ARN reaches the configuration; the function may read exactly
// those parameters, and decrypt with that key via SSM in its region.
func ExampleParameter() {
	app := awscdk.NewApp(&awscdk.AppProps{Context: function.TestContext(nil)})
	stack := backend.NewStack(app, "Payments", nil)
	platformKey := awskms.Key_FromKeyArn(stack, jsii.String("PlatformKey"),
		jsii.String("arn:aws:kms:us-east-1:999988887777:key/1234abcd-12ab-34cd-56ef-1234567890ab"))

	function.New(stack, "Charge", &function.Props{
		Name:  "charge",
		Entry: "constructs/function/testdata/say-hello",
		Environment: map[string]function.Value{
			"DB_PASSWORD": function.Secret("/legacy/db/password"),
			"API_URL":     function.Parameter("/legacy/payments/api-url"),
			"HOSTS":       function.Parameter("/legacy/payments/hosts").As(function.StringList),
			"DATADOG_KEY": function.Secret("arn:aws:ssm:us-east-1:999988887777:parameter/platform/datadog-key").DecryptWith(platformKey),
			"CURRENCY":    function.Literal("EUR"),
		},
	})

	tmpl := assertions.Template_FromStack(stack, nil)
	for _, res := range *tmpl.FindResources(jsii.String("AWS::Lambda::Function"), nil) {
		props := (*res)["Properties"].(map[string]any)
		vars := props["Environment"].(map[string]any)["Variables"].(map[string]any)
		var lines []string
		for k, v := range vars {
			lines = append(lines, fmt.Sprintf("%s=%v", k, v))
		}
		slices.Sort(lines)
		fmt.Println(strings.Join(lines, "\n"))
	}
	// Output:
	// CURRENCY=EUR
	// FNENV_MAX_AGE=5m0s
	// FNENV_PARAMETERS=API_URL=/legacy/payments/api-url,HOSTS=/legacy/payments/hosts
	// FNENV_SECRETS=DATADOG_KEY=arn:aws:ssm:us-east-1:999988887777:parameter/platform/datadog-key,DB_PASSWORD=/legacy/db/password
}
