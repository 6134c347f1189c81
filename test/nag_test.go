package test

import (
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
	"github.com/google/go-cmp/cmp"

	"github.com/fnenv/fnenv/constructs/function"
)

// nagFindings applies cdk-nag's AwsSolutions pack to a stack of fnenv
// functions like the sample's (SSM and Secrets Manager secrets, literals,
// its own log group, x86_64), and one reading existing parameters with
// 20 KB of literals and returns the pack's errors and warnings as
// "path rule[finding]", sorted. ignoreSuppressions makes cdk-nag disregard
// every suppression.
func nagFindings(t *testing.T, ignoreSuppressions bool) []string {
	t.Helper()
	app := newApp(appOptions{})
	stack := newStack(app, "Nag")
	db := awssecretsmanager.Secret_FromSecretNameV2(stack, jsii.String("Db"), jsii.String("payments-db"))
	function.New(stack, "Charge", &function.Props{Name: "charge", Entry: hello,
		Environment: map[string]function.Value{
			"STRIPE_KEY":  function.Secret("STRIPE_KEY"),
			"DB_PASSWORD": function.SecretsManager(db, "password"),
			"CURRENCY":    function.Literal("usd"),
		},
		FunctionOptions: awslambda.FunctionOptions{
			Architecture: awslambda.Architecture_X86_64(),
			LogGroup: awslogs.NewLogGroup(stack, jsii.String("ChargeLogs"), &awslogs.LogGroupProps{
				Retention: awslogs.RetentionDays_ONE_MONTH,
			}),
		},
	})
	function.New(stack, "Report", &function.Props{Name: "report", Entry: "test/testdata/report"})
	legacy := twentyKB() // literals moved to stack-managed parameters
	legacy["LEGACY_PW"] = function.Secret("/legacy/db/password")
	legacy["API_URL"] = function.Parameter("/legacy/payments/api-url")
	legacy["PLATFORM_KEY"] = function.Secret(platformKey).DecryptWith(awskms.Key_FromKeyArn(stack, jsii.String("PlatformKey"), jsii.String(platformKmsArn)))
	function.New(stack, "Legacy", &function.Props{Name: "legacy", Entry: "test/e2e/testdata/brownfield/handler", Environment: legacy})
	props := &cdknag.NagPackProps{Reports: jsii.Bool(false)}
	if ignoreSuppressions {
		props.SuppressionIgnoreCondition = cdknag.NewSuppressionIgnoreAlways(jsii.String("the test checks that each suppression is needed"))
	}
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(props), nil)

	var got []string
	assert(t, "cdk-nag", func() {
		a := assertions.Annotations_FromStack(stack)
		any := assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-.*"))
		for _, m := range append(*a.FindError(jsii.String("*"), any), *a.FindWarning(jsii.String("*"), any)...) {
			rule, _, _ := strings.Cut(m.Entry.Data.(string), ": ")
			got = append(got, *m.Id+" "+rule)
		}
	})
	sort.Strings(got)
	return got
}

// TestNagAwsSolutions: what fnenv creates passes cdk-nag's AwsSolutions
// pack, and each suppression fnenv writes hides a real finding.
func TestNagAwsSolutions(t *testing.T) {
	const iam4 = "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]"
	for _, tc := range []struct {
		name               string
		ignoreSuppressions bool
		want               []string
	}{
		// GIVEN the pack, WHEN the stack synthesizes, THEN no finding
		{name: "suppressions honoured"},
		// GIVEN the pack told to ignore suppressions, THEN exactly the
		// findings fnenv suppresses: each suppression is needed, and
		// removing one fails the case above
		{name: "suppressions ignored", ignoreSuppressions: true, want: []string{
			"/Nag-main/Charge/ServiceRole/Resource " + iam4,
			"/Nag-main/Legacy/ServiceRole/Resource " + iam4,
			"/Nag-main/Report/ServiceRole/Resource " + iam4,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(nagFindings(t, tc.ignoreSuppressions), tc.want); diff != "" {
				t.Errorf("AwsSolutions findings (-got +want):\n%s", diff)
			}
		})
	}
}

// TestNagUserRole: fnenv suppresses nothing on a role the user passes —
// its findings are the user's — and its Secrets Manager grant, on exactly
// the secret, needs no suppression.
func TestNagUserRole(t *testing.T) {
	// GIVEN a function with the user's role, which has a managed policy
	app := newApp(appOptions{})
	stack := newStack(app, "NagRole")
	role := awsiam.NewRole(stack, jsii.String("Mine"), &awsiam.RoleProps{
		AssumedBy:       awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		ManagedPolicies: &[]awsiam.IManagedPolicy{awsiam.ManagedPolicy_FromAwsManagedPolicyName(jsii.String("service-role/AWSLambdaBasicExecutionRole"))},
	})
	db := awssecretsmanager.Secret_FromSecretNameV2(stack, jsii.String("Db"), jsii.String("payments-db"))
	function.New(stack, "Charge", &function.Props{Name: "charge", Entry: hello,
		Environment:     map[string]function.Value{"DB_PASSWORD": function.SecretsManager(db, "password")},
		FunctionOptions: awslambda.FunctionOptions{Role: role},
	})
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Reports: jsii.Bool(false)}), nil)

	// WHEN the pack runs, THEN the user's role's IAM4 finding stands
	var got []string
	assert(t, "cdk-nag", func() {
		a := assertions.Annotations_FromStack(stack)
		for _, m := range *a.FindError(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-.*"))) {
			rule, _, _ := strings.Cut(m.Entry.Data.(string), "[")
			got = append(got, *m.Id+" "+rule)
		}
	})
	if diff := cmp.Diff(got, []string{"/NagRole-main/Mine/Resource AwsSolutions-IAM4"}); diff != "" {
		t.Errorf("AwsSolutions errors (-got +want):\n%s", diff)
	}
}
