// Command app is the fnenv sample: a CDK app with two team stacks,
// payments and notifications, whose stack names carry the branch so that
// every branch deploys side by side.
//
//	cdk synth --all -c branch=feature/login
package main

import (
	"os"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/fnenv/fnenv/constructs/backend"
	"github.com/fnenv/fnenv/constructs/function"
)

func main() { os.Exit(run()) }

func run() int {
	defer jsii.Close()
	// A problem found at synth is printed as fnenv's message, without Go
	// or JavaScript stack traces, and the app exits with status 1.
	defer function.ReportProblems()

	app := awscdk.NewApp(nil)
	NewPaymentsStack(app, "Payments", nil)
	NewNotificationsStack(app, "Notifications", nil)
	// cdk-nag's AwsSolutions pack checks every stack: an unsuppressed
	// finding fails synth; its report lands in the cloud assembly
	// (AwsSolutions-<stack>-NagReport.csv).
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(nil), nil)
	app.Synth(nil)
	return 0
}

// TeamStackProps are the props of a team's stack.
type TeamStackProps struct {
	awscdk.StackProps
	// LogLevel is given to every function of the stack. Default: "info".
	LogLevel string
}

func newTeamStack(scope constructs.Construct, id string, props *TeamStackProps) (awscdk.Stack, string) {
	var p TeamStackProps
	if props != nil {
		p = *props
	}
	if p.LogLevel == "" {
		p.LogLevel = "info"
	}
	return backend.NewStack(scope, id, &p.StackProps), p.LogLevel
}

// NewPaymentsStack is the payments team's stack: charging and refunding
// with Stripe, whose key differs per branch (secret STRIPE_KEY), and
// recording charges in the payments database, whose credential is a JSON
// secret in Secrets Manager per branch.
func NewPaymentsStack(scope constructs.Construct, id string, props *TeamStackProps) awscdk.Stack {
	stack, logLevel := newTeamStack(scope, id, props)
	db := awssecretsmanager.Secret_FromSecretNameV2(stack, jsii.String("DbCredential"), jsii.String(DBSecretName(stack)))
	charge := function.New(stack, "Charge", &function.Props{
		Name:  "charge",
		Entry: "app/functions/charge",
		Environment: map[string]function.Value{
			"DB_USERNAME":     function.SecretsManager(db, "username"),
			"DB_PASSWORD":     function.SecretsManager(db, "password"),
			"STRIPE_KEY":      function.Secret("STRIPE_KEY"),
			"SENTRY_DSN":      function.Secret("SENTRY_DSN"),
			"CURRENCY":        function.Literal("usd"),
			"STRIPE_API_BASE": function.Literal("https://api.stripe.com").As(function.URL),
			// A typed env: the handler gets a time.Duration and a []string,
			// and a typo here fails synth rather than a cold start.
			"STRIPE_TIMEOUT":     function.Literal("8s").As(function.Duration),
			"ALLOWED_CURRENCIES": function.Literal("usd, eur, gbp").As(function.StringList),
			"LOG_LEVEL":          function.Literal(logLevel),
		},
		FunctionOptions: awslambda.FunctionOptions{
			MemorySize: jsii.Number(256),
			Timeout:    awscdk.Duration_Seconds(jsii.Number(10)),
			Tracing:    awslambda.Tracing_ACTIVE,
			// Its own log group, kept a month; a branch's copy goes with
			// the branch's stack.
			LogGroup: awslogs.NewLogGroup(stack, jsii.String("ChargeLogs"), &awslogs.LogGroupProps{
				Retention:     awslogs.RetentionDays_ONE_MONTH,
				RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
			}),
		},
	})
	// Tracing adds X-Ray's statement to the role's default policy; X-Ray's
	// PutTraceSegments and PutTelemetryRecords have no resource-level
	// permissions, so its Resource is "*".
	cdknag.NagSuppressions_AddResourceSuppressions(charge.Role().Node().FindChild(jsii.String("DefaultPolicy")),
		&[]*cdknag.NagPackSuppression{{
			Id:        jsii.String("AwsSolutions-IAM5"),
			Reason:    jsii.String("X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support only Resource \"*\""),
			AppliesTo: &[]any{"Resource::*"},
		}}, jsii.Bool(true))
	function.New(stack, "Refund", &function.Props{
		Name:  "refund",
		Entry: "app/functions/refund",
		Environment: map[string]function.Value{
			"STRIPE_KEY": function.Secret("STRIPE_KEY"),
			// The Stripe SDK's older examples read STRIPE_API_KEY: one
			// secret, two variables.
			"STRIPE_API_KEY": function.Secret("STRIPE_KEY"),
			"SENTRY_DSN":     function.Secret("SENTRY_DSN"),
			"LOG_LEVEL":      function.Literal(logLevel),
			// A kill switch: flip it and redeploy to stop refunds.
			"REFUNDS_ENABLED": function.Literal("true").As(function.Bool),
		},
		SecretsMaxAge: awscdk.Duration_Minutes(jsii.Number(1)),
	})
	return stack
}

// DBSecretName is the name of the payments database's credential in
// Secrets Manager on the stack's branch, under the branch's own path:
// "amplify/<appId>/<branch>/payments-db". The credential is JSON, as RDS
// writes it: {"username": …, "password": …, "host": …}.
func DBSecretName(scope constructs.IConstruct) string {
	return strings.TrimPrefix(backend.Of(scope).BranchPrefix(), "/") + "payments-db"
}

// NewNotificationsStack is the notifications team's stack: receipts by
// e-mail and alerts to Slack, sharing the error tracker's DSN with payments.
func NewNotificationsStack(scope constructs.Construct, id string, props *TeamStackProps) awscdk.Stack {
	stack, logLevel := newTeamStack(scope, id, props)
	function.New(stack, "SendReceipt", &function.Props{
		Name:  "send-receipt",
		Entry: "app/functions/send-receipt",
		Environment: map[string]function.Value{
			"SENDER_EMAIL": function.Literal("receipts@example.com"),
			"SENTRY_DSN":   function.Secret("SENTRY_DSN"),
			"LOG_LEVEL":    function.Literal(logLevel),
		},
	})
	function.New(stack, "NotifySlack", &function.Props{
		Name:  "notify-slack",
		Entry: "app/functions/notify-slack",
		Environment: map[string]function.Value{
			// A secret parsed as a URL at Load: a malformed value fails the
			// cold start naming SLACK_WEBHOOK_URL, never showing it.
			"SLACK_WEBHOOK_URL": function.Secret("SLACK_WEBHOOK_URL").As(function.URL),
			"SENTRY_DSN":        function.Secret("SENTRY_DSN"),
			"SLACK_CHANNEL":     function.Literal("#payments-alerts"),
			"POST_TIMEOUT":      function.Literal("5s").As(function.Duration),
			"LOG_LEVEL":         function.Literal(logLevel),
		},
		FunctionOptions: awslambda.FunctionOptions{
			Architecture: awslambda.Architecture_X86_64(),
		},
	})
	return stack
}
