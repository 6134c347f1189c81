package test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fnenv/fnenv/internal/usermod"
)

// shopFiles is a team's CDK app in the layout `cdk init app --language go`
// writes (shop.go, shop_test.go, cdk.json), using fnenv as a production
// function would: a VPC, a layer, tracing, its own log group, reserved
// concurrency, a dead-letter queue, an SQS event source and a DynamoDB
// grant to the function, a file entry, and a handler in a nested module.
var shopFiles = map[string]string{
	"cdk.json": `{"app": "go mod download && go run shop.go", "context": {"appId": "shop"}}` + "\n",
	"shop.go": `package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambdaeventsources"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/fnenv/fnenv/constructs/backend"
	"github.com/fnenv/fnenv/constructs/function"
)

type ShopStackProps struct {
	awscdk.StackProps
}

func NewShopStack(scope constructs.Construct, id string, props *ShopStackProps) awscdk.Stack {
	var sprops awscdk.StackProps
	if props != nil {
		sprops = props.StackProps
	}
	stack := backend.NewStack(scope, id, &sprops)

	isolated := awsec2.SubnetType_PRIVATE_ISOLATED
	vpc := awsec2.NewVpc(stack, jsii.String("Vpc"), &awsec2.VpcProps{MaxAzs: jsii.Number(2), NatGateways: jsii.Number(0),
		SubnetConfiguration: &[]*awsec2.SubnetConfiguration{{Name: jsii.String("isolated"), SubnetType: isolated}}})
	layer := awslambda.NewLayerVersion(stack, jsii.String("Tools"), &awslambda.LayerVersionProps{
		Code: awslambda.Code_FromAsset(jsii.String("layers/tools"), nil)})
	table := awsdynamodb.NewTable(stack, jsii.String("Orders"), &awsdynamodb.TableProps{
		PartitionKey: &awsdynamodb.Attribute{Name: jsii.String("id"), Type: awsdynamodb.AttributeType_STRING}})
	queue := awssqs.NewQueue(stack, jsii.String("Incoming"), nil)

	api := function.New(stack, "Api", &function.Props{
		FunctionOptions: awslambda.FunctionOptions{
			Vpc:                          vpc,
			VpcSubnets:                   &awsec2.SubnetSelection{SubnetType: isolated},
			Layers:                       &[]awslambda.ILayerVersion{layer},
			Tracing:                      awslambda.Tracing_ACTIVE,
			LogGroup:                     awslogs.NewLogGroup(stack, jsii.String("ApiLogs"), &awslogs.LogGroupProps{Retention: awslogs.RetentionDays_ONE_WEEK}),
			ReservedConcurrentExecutions: jsii.Number(5),
			DeadLetterQueue:              awssqs.NewQueue(stack, jsii.String("DeadLetters"), nil),
		},
		Name:  "api",
		Entry: "lambda/api/main.go",
		Environment: map[string]function.Value{
			"TABLE_NAME": function.Literal(*table.TableName()),
			"API_KEY":    function.Secret("API_KEY"),
		},
	})
	api.AddEventSource(awslambdaeventsources.NewSqsEventSource(queue, nil))
	table.GrantReadData(api)

	function.New(stack, "Worker", &function.Props{
		Name:  "worker",
		Entry: "./workers/orders/",
		Environment: map[string]function.Value{
			"API_KEY": function.Secret("API_KEY"),
		},
	})
	return stack
}

func main() {
	defer jsii.Close()
	defer function.ReportProblems()

	app := awscdk.NewApp(nil)
	NewShopStack(app, "Shop", nil)
	app.Synth(nil)
}
`,
	"shop_test.go": `package main

import (
	"os"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/fnenv/fnenv/constructs/function"
)

func TestMain(m *testing.M) {
	code := m.Run()
	jsii.Close()
	os.Exit(code)
}

func TestShopStack(t *testing.T) {
	// GIVEN
	app := awscdk.NewApp(&awscdk.AppProps{Context: function.TestContext(nil)})

	// WHEN
	stack := NewShopStack(app, "Shop", nil)

	// THEN
	template := assertions.Template_FromStack(stack, nil)
	template.ResourceCountIs(jsii.String("AWS::Lambda::Function"), jsii.Number(2))
	template.HasResourceProperties(jsii.String("AWS::Lambda::EventSourceMapping"), map[string]any{})
}
`,
	"lambda/api/main.go": `package main

import (
	"context"

	"shop/lambda/api/env"
)

func main() { env.MustLoad(context.Background()) }
`,
	"workers/orders/main.go": `package main

import (
	"context"

	"shop/workers/orders/env"
)

func main() { env.MustLoad(context.Background()) }
`,
	"layers/tools/bin/hello": "#!/bin/sh\necho hello\n",
}

func TestAUserModuleInTheCDKInitLayout(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the CDK CLI and the go command in a module of its own")
	}
	// GIVEN a user's CDK app in its own module, with a nested handler
	// module, tidied before any env package exists
	m := usermod.New(t, usermod.Options{Name: "shop", Require: usermod.CDKRequires})
	for name, src := range shopFiles {
		m.WriteFile(name, src)
	}
	m.WriteFile("workers/go.mod", fmt.Sprintf("module shop/workers\n\ngo 1.26.0\n\nrequire %s v0.0.0\n\nreplace %s => %s\n",
		usermod.FnenvPath, usermod.FnenvPath, m.Repo))
	m.Go("mod", "tidy", "-e")
	workers := filepath.Join(m.Dir, "workers")
	tidyWorkers := func(args ...string) {
		t.Helper()
		cmd := m.Command("go", append([]string{"mod", "tidy"}, args...)...)
		cmd.Dir = workers
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go mod tidy in workers: %v\n%s", err, out)
		}
	}
	tidyWorkers("-e")

	// WHEN it synthesizes the first time
	out, err := m.CDKRun("synth", "--quiet", "-c", "branch=main", "-o", t.TempDir())

	// THEN the handler of the app's own module builds, and the nested
	// module, which never required fnenv's resolver, fails with fnenv's
	// message naming the command, without Go or JavaScript stack traces
	if err == nil {
		t.Fatalf("first synth passed; want the nested module to need go mod tidy:\n%s", out)
	}
	if missing := contains(out, `function "worker": build:`, "cd "+workers+" && go mod tidy"); len(missing) > 0 {
		t.Errorf("synth output lacks %q:\n%s", missing, out)
	}
	for _, trace := range []string{"goroutine ", "\n    at ", `function "api"`} {
		if strings.Contains(out, trace) {
			t.Errorf("synth output holds %q:\n%s", trace, out)
		}
	}

	// WHEN the command is run and it synthesizes again
	tidyWorkers()
	tmpl := readTemplate(t, m.Template(m.Synth("main"), "Shop-main"))

	// THEN the template holds every option, the grant and the event source
	fns := tmpl.of("AWS::Lambda::Function")
	var apiID, workerID string
	for id, r := range fns {
		if _, ok := r.Properties["TracingConfig"]; ok {
			apiID = id
		} else {
			workerID = id
		}
	}
	if apiID == "" || workerID == "" || len(fns) != 2 {
		t.Fatalf("Lambda functions %v: want api (traced) and worker", keys(fns))
	}
	api := fns[apiID].Properties
	got := map[string]any{}
	for _, k := range []string{"Runtime", "Handler", "Architectures", "TracingConfig", "ReservedConcurrentExecutions"} {
		got[k] = api[k]
	}
	want := map[string]any{
		"Runtime": "provided.al2023", "Handler": "bootstrap", "Architectures": []any{"arm64"},
		"TracingConfig": map[string]any{"Mode": "Active"}, "ReservedConcurrentExecutions": 5.0,
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("api function (-got +want):\n%s", diff)
	}
	for _, k := range []string{"VpcConfig", "Layers", "LoggingConfig", "DeadLetterConfig"} {
		if api[k] == nil {
			t.Errorf("api function has no %s", k)
		}
	}
	mappings := tmpl.of("AWS::Lambda::EventSourceMapping")
	if len(mappings) != 1 || fmt.Sprint(first(mappings).Properties["FunctionName"]) != fmt.Sprint(map[string]any{"Ref": apiID}) {
		t.Errorf("event source mappings %v: want one on %s", mappings, apiID)
	}
	if js, _ := json.Marshal(tmpl.of("AWS::IAM::Policy")); !strings.Contains(string(js), "dynamodb:GetItem") {
		t.Errorf("no policy grants dynamodb:GetItem: %s", js)
	}
	codeOf := func(id string) string { return fmt.Sprint(fns[id].Properties["Code"].(map[string]any)["S3Key"]) }
	if codeOf(apiID) == codeOf(workerID) {
		t.Errorf("api and worker have one code asset %s", codeOf(apiID))
	}
	for _, f := range []string{"lambda/api/env/env.go", "workers/orders/env/env.go"} {
		if _, err := os.Stat(filepath.Join(m.Dir, f)); err != nil {
			t.Errorf("env package not generated: %v", err)
		}
	}

	// WHEN the user's unit test runs (one line of setup: TestContext)
	before := m.Files()
	m.Go("test", "-count=1", "./...")

	// THEN it wrote nothing into the module: no env package, no binary
	after := m.Files()
	for name := range after {
		if _, ok := before[name]; !ok {
			t.Errorf("go test wrote %s", name)
		}
	}
	for name, content := range before {
		if after[name] != content {
			t.Errorf("go test changed or removed %s", name)
		}
	}
}

// cfnTemplate is a CloudFormation template read from JSON.
type cfnTemplate struct {
	Resources map[string]cfnResource
}

type cfnResource struct {
	Type       string
	Properties map[string]any
}

func readTemplate(t *testing.T, data []byte) cfnTemplate {
	t.Helper()
	var tmpl cfnTemplate
	if err := json.Unmarshal(data, &tmpl); err != nil {
		t.Fatal(err)
	}
	return tmpl
}

// of returns the resources of type typ, by logical ID.
func (c cfnTemplate) of(typ string) map[string]cfnResource {
	out := map[string]cfnResource{}
	for id, r := range c.Resources {
		if r.Type == typ {
			out[id] = r
		}
	}
	return out
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func first(m map[string]cfnResource) cfnResource {
	for _, r := range m {
		return r
	}
	return cfnResource{}
}
