// Command synthapp is the CDK app of the synth-scaling benchmark, run by
// `cdk synth --app <binary>` inside a generated module: N functions with
// fnenv's function.New, or the same functions as plain
// awslambda.NewFunction over prebuilt assets (see package synthdef).
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"

	"github.com/fnenv/fnenv/constructs/function"
	"github.com/fnenv/fnenv/internal/bench/synthdef"
	"github.com/fnenv/fnenv/model"
)

func main() {
	defer jsii.Close()
	n, err := strconv.Atoi(os.Getenv(synthdef.EnvFunctions))
	if err != nil || n < 1 {
		fmt.Fprintf(os.Stderr, "synthapp: %s=%q is not a number of functions\n", synthdef.EnvFunctions, os.Getenv(synthdef.EnvFunctions))
		os.Exit(2)
	}
	mode := os.Getenv(synthdef.EnvMode)
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String(synthdef.StackID), nil)
	for i := range n {
		fn := synthdef.Function(i)
		switch mode {
		case "fnenv":
			env := map[string]function.Value{}
			for _, v := range fn.Variables {
				if v.Kind == model.Secret {
					env[v.Name] = function.Secret(v.Secret)
				} else {
					env[v.Name] = function.Literal(synthdef.Values(i).Literals[v.Name])
				}
			}
			function.New(stack, synthdef.ID(i), &function.Props{Name: fn.Name, Entry: fn.Entry, Environment: env})
		case "plain":
			plain(stack, i, fn, os.Getenv(synthdef.EnvAssets))
		default:
			fmt.Fprintf(os.Stderr, "synthapp: %s=%q is neither fnenv nor plain\n", synthdef.EnvMode, mode)
			os.Exit(2)
		}
	}
	app.Synth(nil)
}

// plain is function i as a user without fnenv writes it: the same
// environment and grant, the code a directory built beforehand.
func plain(stack awscdk.Stack, i int, fn model.Function, assets string) {
	b := synthdef.Backend()
	env := map[string]*string{}
	for k, v := range fn.Environment(b, synthdef.MaxAge, synthdef.Values(i)) {
		env[k] = jsii.String(v)
	}
	lf := awslambda.NewFunction(stack, jsii.String(synthdef.ID(i)), &awslambda.FunctionProps{
		Runtime:      awslambda.Runtime_PROVIDED_AL2023(),
		Handler:      jsii.String("bootstrap"),
		Architecture: awslambda.Architecture_ARM_64(),
		Code:         awslambda.Code_FromAsset(jsii.String(filepath.Join(assets, fn.Name)), nil),
		Environment:  &env,
	})
	var arns []*string
	for _, p := range fn.SecretPaths(b) {
		arns = append(arns, jsii.String(fmt.Sprintf("arn:%s:ssm:%s:%s:parameter%s", *stack.Partition(), *stack.Region(), *stack.Account(), p)))
	}
	lf.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("ssm:GetParameters"),
		Resources: &arns,
	}))
}
