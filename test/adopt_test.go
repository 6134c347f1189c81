package test

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambdaeventsources"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"

	"github.com/fnenv/fnenv/constructs/function"
)

func TestFunctionIsAnIFunction(t *testing.T) {
	// GIVEN a function in a VPC, and a table and a queue
	app := newApp(appOptions{})
	stack := newStack(app, "Orders")
	vpc := awsec2.NewVpc(stack, jsii.String("Vpc"), &awsec2.VpcProps{MaxAzs: jsii.Number(2), NatGateways: jsii.Number(0)})
	fn := function.New(stack, "Orders", &function.Props{
		FunctionOptions: awslambda.FunctionOptions{
			Vpc:        vpc,
			VpcSubnets: &awsec2.SubnetSelection{SubnetType: awsec2.SubnetType_PRIVATE_ISOLATED},
		},
		Name: "orders", Entry: hello,
		Environment: map[string]function.Value{"API_KEY": function.Secret("API_KEY")},
	})
	table := awsdynamodb.NewTable(stack, jsii.String("Table"), &awsdynamodb.TableProps{
		PartitionKey: &awsdynamodb.Attribute{Name: jsii.String("id"), Type: awsdynamodb.AttributeType_STRING},
	})
	queue := awssqs.NewQueue(stack, jsii.String("Queue"), nil)

	// WHEN it is used where an awslambda.IFunction is
	var ifn awslambda.IFunction = fn
	table.GrantReadData(ifn)
	fn.AddEventSource(awslambdaeventsources.NewSqsEventSource(queue, nil))
	fn.Connections().AllowTo(awsec2.Peer_Ipv4(jsii.String("10.0.0.0/16")), awsec2.Port_Tcp(jsii.Number(443)), nil)
	fn.GrantInvoke(awsiam.NewServicePrincipal(jsii.String("events.amazonaws.com"), nil))
	awslambda.NewAlias(stack, jsii.String("Live"), &awslambda.AliasProps{AliasName: jsii.String("live"), Version: fn.CurrentVersion()})
	if fn.Lambda() == nil || *fn.Lambda().Node().Path() != *fn.Node().Path() {
		t.Errorf("Lambda() is not the function itself")
	}
	tmpl := template(t, stack)

	// THEN the template holds the grant, the mapping, the permission, the
	// alias, and the function in the VPC
	logicalID := *stack.GetLogicalId(fn.Node().DefaultChild().(awscdk.CfnElement))
	fnRef := map[string]any{"Ref": logicalID}
	assert(t, "dynamodb read granted to the function's role", func() {
		tmpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), assertions.Match_ObjectLike(&map[string]any{
			"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{
				assertions.Match_ObjectLike(&map[string]any{"Action": assertions.Match_ArrayWith(&[]any{"dynamodb:GetItem"})}),
			})},
		}))
	})
	assert(t, "sqs event source", func() {
		tmpl.HasResourceProperties(jsii.String("AWS::Lambda::EventSourceMapping"), assertions.Match_ObjectLike(&map[string]any{"FunctionName": fnRef}))
	})
	assert(t, "invoke permission", func() {
		tmpl.HasResourceProperties(jsii.String("AWS::Lambda::Permission"), assertions.Match_ObjectLike(&map[string]any{
			"Action": "lambda:InvokeFunction", "Principal": "events.amazonaws.com",
		}))
	})
	assert(t, "alias on a version", func() {
		tmpl.HasResourceProperties(jsii.String("AWS::Lambda::Alias"), assertions.Match_ObjectLike(&map[string]any{"FunctionName": fnRef, "Name": "live"}))
	})
	assert(t, "in the VPC", func() {
		tmpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), assertions.Match_ObjectLike(&map[string]any{
			"VpcConfig": assertions.Match_ObjectLike(&map[string]any{"SecurityGroupIds": assertions.Match_AnyValue()}),
		}))
	})
	// The function's own logical ID is the construct id, as before fnenv's
	// Function was the Lambda itself.
	if !strings.HasPrefix(logicalID, "Orders") {
		t.Errorf("logical ID %q does not start with the construct id", logicalID)
	}
}

func TestEntrySpellingsAreOneEntry(t *testing.T) {
	for _, entry := range []string{"./" + hello, hello + "/", hello + "/main.go"} {
		t.Run(entry, func(t *testing.T) {
			// GIVEN a function whose entry is spelled another way, and one
			// with the same name and variables on the plain spelling
			app := newApp(appOptions{})
			stack := newStack(app, "Spelled")
			fn := function.New(stack, "A", &function.Props{Name: "a", Entry: entry})
			function.New(stack, "B", &function.Props{Name: "b", Entry: hello})

			// WHEN the app synthesizes
			got := synthError(app)

			// THEN the spec holds the clean entry, and the two are one entry
			if fn.Declaration().Entry != hello {
				t.Errorf("Declaration().Entry = %q, want %q", fn.Declaration().Entry, hello)
			}
			if !strings.Contains(got, hello+" is also the entry of") {
				t.Errorf("two spellings of one entry are not one entry; synth error:\n%s", got)
			}
		})
	}
}

func TestFunctionOptionsRules(t *testing.T) {
	tests := []struct {
		name  string
		props function.Props
		want  []string
	}{
		{"FunctionOptions.Environment", function.Props{FunctionOptions: awslambda.FunctionOptions{
			Environment: &map[string]*string{"X": jsii.String("y")}}},
			[]string{`function "fn": FunctionOptions.Environment: is set, but fnenv sets the function's environment: give each variable in Props.Environment, with function.Literal for a plain value`}},
		{"bundling flags and env fnenv sets", function.Props{Bundling: &function.BundlingOptions{
			GoBuildFlags: []string{"-o=x"}, Environment: map[string]string{"CGO_ENABLED": "1"}}},
			[]string{`function "fn": bundling: GoBuildFlags: -o=x is set by fnenv`, `function "fn": bundling: Bundling.Environment: CGO_ENABLED is set by fnenv`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.props
			p.Name, p.Entry = "fn", hello
			app := newApp(appOptions{})
			function.New(newStack(app, "Opts"), "Fn", &p)
			if missing := contains(synthError(app), tt.want...); len(missing) > 0 {
				t.Errorf("synth error lacks %q", missing)
			}
		})
	}
}
