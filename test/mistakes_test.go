package test

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/jsii-runtime-go"

	"github.com/fnenv/fnenv/constructs/function"
)

// fnenvWarnings are the warnings of stack whose message starts "fnenv:",
// each as "<construct path> <message>".
func fnenvWarnings(t *testing.T, stack awscdk.Stack) []string {
	t.Helper()
	var out []string
	for _, w := range annotations(t, stack, "warning") {
		if _, msg, _ := strings.Cut(w, " "); strings.HasPrefix(msg, "fnenv:") {
			out = append(out, w)
		}
	}
	return out
}

// fakeStripeKey looks like a Stripe live key; built from parts so that no
// secret scanner flags this file.
var fakeStripeKey = "sk_" + "live_" + "fakeFAKEfake0123456789ab"

func TestCredentialLiteralWarning(t *testing.T) {
	newFn := func(env map[string]function.Value) (awscdk.Stack, function.Function) {
		stack := newStack(newApp(appOptions{}), "Pay")
		return stack, function.New(stack, "Charge", &function.Props{Name: "charge", Entry: hello, Environment: env})
	}
	t.Run("a literal that looks like a Stripe key: a warning naming function, key and rule, not the value", func(t *testing.T) {
		stack, _ := newFn(map[string]function.Value{"STRIPE_KEY": function.Literal(fakeStripeKey), "CURRENCY": function.Literal("eur")})
		got := fnenvWarnings(t, stack)
		want := "/Pay-main/Charge fnenv: function charge: the literal value of STRIPE_KEY looks like a Stripe secret or restricted key (rule stripe-access-token): " +
			"a literal is stored in plain text in the template and the function's configuration. Keep it in SSM instead: fnenv secret set STRIPE_KEY --branch main (or --shared), and function.Secret(\"STRIPE_KEY\") " +
			"[ack: fnenv:credential-literal:stripe-access-token]"
		if len(got) != 1 || got[0] != want {
			t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), want)
		}
		for _, w := range got {
			if strings.Contains(w, fakeStripeKey) || strings.Contains(w, "fakeFAKE") {
				t.Errorf("the warning holds the value: %s", w)
			}
		}
	})
	t.Run("acknowledged on the function: no warning", func(t *testing.T) {
		stack, fn := newFn(map[string]function.Value{"STRIPE_KEY": function.Literal(fakeStripeKey)})
		awscdk.Annotations_Of(fn).AcknowledgeWarning(jsii.String(function.WarningCredentialLiteral+"stripe-access-token"), jsii.String("a test key"))
		if got := fnenvWarnings(t, stack); len(got) > 0 {
			t.Errorf("warnings after the acknowledgement:\n%s", strings.Join(got, "\n"))
		}
	})
	t.Run("ordinary literals and secrets: no warning", func(t *testing.T) {
		stack, _ := newFn(map[string]function.Value{
			"TABLE": function.Literal("Orders-main"), "URL": function.Literal("https://api.example.com/v1"),
			"STRIPE_KEY": function.Secret("STRIPE_KEY"), "PUBLISHABLE": function.Literal("pk_" + "live_" + "fakeFAKEfake0123456789ab"),
		})
		if got := fnenvWarnings(t, stack); len(got) > 0 {
			t.Errorf("warnings:\n%s", strings.Join(got, "\n"))
		}
	})
}

// vpcApp is a stack with a VPC of isolated subnets only and a function in
// them; env is the function's environment, and more (when set) is called
// with the stack, the VPC and the function before synth.
func vpcApp(env map[string]function.Value, subnets *awsec2.SubnetSelection, more func(awscdk.Stack, awsec2.Vpc, function.Function)) awscdk.Stack {
	stack := newStack(newApp(appOptions{}), "Shop")
	vpc := awsec2.NewVpc(stack, jsii.String("Vpc"), &awsec2.VpcProps{MaxAzs: jsii.Number(2), NatGateways: jsii.Number(0),
		RestrictDefaultSecurityGroup: jsii.Bool(false),
		SubnetConfiguration:          &[]*awsec2.SubnetConfiguration{{Name: jsii.String("isolated"), SubnetType: awsec2.SubnetType_PRIVATE_ISOLATED}}})
	fn := function.New(stack, "Api", &function.Props{Name: "api", Entry: hello, Environment: env,
		FunctionOptions: awslambdaOptions(vpc, subnets)})
	if more != nil {
		more(stack, vpc, fn)
	}
	return stack
}

func TestVPCWithoutRouteWarning(t *testing.T) {
	isolated := &awsec2.SubnetSelection{SubnetType: awsec2.SubnetType_PRIVATE_ISOLATED}
	ssmEnv := map[string]function.Value{"API_KEY": function.Secret("API_KEY")}
	wantSSM := "/Shop-main/Api/Resource fnenv: function api reads secrets from SSM, but its subnets in VPC Shop-main/Vpc are isolated (no NAT gateway) and the VPC has no interface endpoint for SSM: " +
		"every cold start would wait for SSM until Lambda's init timeout. Add one: vpc.AddInterfaceEndpoint(jsii.String(\"SSM\"), &awsec2.InterfaceVpcEndpointOptions{Service: awsec2.InterfaceVpcEndpointAwsService_SSM()}) " +
		"[ack: fnenv:vpc-no-ssm-route]"
	t.Run("isolated subnets, no endpoint: a warning naming the function and the endpoint to add", func(t *testing.T) {
		for _, sel := range []*awsec2.SubnetSelection{isolated, nil} { // nil: the VPC's default selection, isolated here
			got := fnenvWarnings(t, vpcApp(ssmEnv, sel, nil))
			if len(got) != 1 || got[0] != wantSSM {
				t.Errorf("VpcSubnets %v: warnings:\n%s\nwant:\n%s", sel, strings.Join(got, "\n"), wantSSM)
			}
		}
	})
	t.Run("no secret, but literals over 4 KB moved to SSM: the same warning", func(t *testing.T) {
		big := map[string]function.Value{"TEMPLATE": function.Literal(strings.Repeat("x", 5000))}
		got := fnenvWarnings(t, vpcApp(big, isolated, nil))
		if len(got) != 1 || got[0] != wantSSM {
			t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), wantSSM)
		}
	})
	t.Run("an SSM endpoint added after the function, on the VPC or in the stack: no warning", func(t *testing.T) {
		onVPC := func(_ awscdk.Stack, vpc awsec2.Vpc, _ function.Function) {
			vpc.AddInterfaceEndpoint(jsii.String("SSM"), &awsec2.InterfaceVpcEndpointOptions{Service: awsec2.InterfaceVpcEndpointAwsService_SSM()})
		}
		inStack := func(stack awscdk.Stack, vpc awsec2.Vpc, _ function.Function) {
			awsec2.NewInterfaceVpcEndpoint(stack, jsii.String("SsmEndpoint"), &awsec2.InterfaceVpcEndpointProps{Vpc: vpc, Service: awsec2.InterfaceVpcEndpointAwsService_SSM()})
		}
		for name, more := range map[string]func(awscdk.Stack, awsec2.Vpc, function.Function){"on the VPC": onVPC, "in the stack": inStack} {
			if got := fnenvWarnings(t, vpcApp(ssmEnv, isolated, more)); len(got) > 0 {
				t.Errorf("%s: warnings:\n%s", name, strings.Join(got, "\n"))
			}
		}
	})
	t.Run("a Secrets Manager reference needs its own endpoint", func(t *testing.T) {
		stack := vpcApp(nil, isolated, func(stack awscdk.Stack, vpc awsec2.Vpc, _ function.Function) {
			vpc.AddInterfaceEndpoint(jsii.String("SSM"), &awsec2.InterfaceVpcEndpointOptions{Service: awsec2.InterfaceVpcEndpointAwsService_SSM()})
		})
		// (the function above has no secret: a second one references both)
		vpc := stack.Node().FindChild(jsii.String("Vpc")).(awsec2.IVpc)
		db := awssecretsmanager.Secret_FromSecretNameV2(stack, jsii.String("Db"), jsii.String("shop/db"))
		function.New(stack, "Worker", &function.Props{Name: "worker", Entry: "test/testdata/report",
			Environment:     map[string]function.Value{"API_KEY": function.Secret("API_KEY"), "DB": function.SecretsManager(db, "password")},
			FunctionOptions: awslambdaOptions(vpc, isolated)})
		got := fnenvWarnings(t, stack)
		if len(got) != 1 || !strings.HasPrefix(got[0], "/Shop-main/Worker/Resource fnenv: function worker reads secrets from Secrets Manager") ||
			len(contains(got[0], "awsec2.InterfaceVpcEndpointAwsService_SECRETS_MANAGER()", "[ack: fnenv:vpc-no-secretsmanager-route]")) > 0 {
			t.Errorf("warnings:\n%s", strings.Join(got, "\n"))
		}
	})
	t.Run("acknowledged on the function before synth: no warning", func(t *testing.T) {
		stack := vpcApp(ssmEnv, isolated, func(_ awscdk.Stack, _ awsec2.Vpc, fn function.Function) {
			awscdk.Annotations_Of(fn).AcknowledgeWarning(jsii.String(function.WarningVPCNoSSMRoute), jsii.String("a NAT instance routes it"))
		})
		if got := fnenvWarnings(t, stack); len(got) > 0 {
			t.Errorf("warnings:\n%s", strings.Join(got, "\n"))
		}
	})
	t.Run("no secrets, private subnets with NAT, or an imported VPC: no warning", func(t *testing.T) {
		if got := fnenvWarnings(t, vpcApp(map[string]function.Value{"A_LITERAL": function.Literal("x")}, isolated, nil)); len(got) > 0 {
			t.Errorf("no secrets: %s", strings.Join(got, "\n"))
		}
		stack := newStack(newApp(appOptions{}), "Nat")
		natVPC := awsec2.NewVpc(stack, jsii.String("Vpc"), &awsec2.VpcProps{MaxAzs: jsii.Number(1), RestrictDefaultSecurityGroup: jsii.Bool(false)})
		function.New(stack, "Api", &function.Props{Name: "api", Entry: hello, Environment: ssmEnv,
			FunctionOptions: awslambdaOptions(natVPC, &awsec2.SubnetSelection{SubnetType: awsec2.SubnetType_PRIVATE_WITH_EGRESS})})
		if got := fnenvWarnings(t, stack); len(got) > 0 {
			t.Errorf("NAT: %s", strings.Join(got, "\n"))
		}
		stack = newStack(newApp(appOptions{}), "Imported")
		imported := awsec2.Vpc_FromVpcAttributes(stack, jsii.String("Vpc"), &awsec2.VpcAttributes{
			VpcId: jsii.String("vpc-0123456789abcdef0"), AvailabilityZones: jsii.Strings("eu-west-1a"),
			IsolatedSubnetIds: jsii.Strings("subnet-0123456789abcdef0"),
		})
		function.New(stack, "Api", &function.Props{Name: "api", Entry: hello, Environment: ssmEnv,
			FunctionOptions: awslambdaOptions(imported, isolated)})
		if got := fnenvWarnings(t, stack); len(got) > 0 {
			t.Errorf("imported VPC: %s", strings.Join(got, "\n"))
		}
	})
}

func awslambdaOptions(vpc awsec2.IVpc, subnets *awsec2.SubnetSelection) awslambda.FunctionOptions {
	return awslambda.FunctionOptions{Vpc: vpc, VpcSubnets: subnets}
}
