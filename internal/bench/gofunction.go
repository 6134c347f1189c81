package bench

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"

	"github.com/fnenv/fnenv/internal/bench/synthdef"
)

// GoFunctionModule is the peer a user would pick instead of fnenv's
// construct: awscdklambdagoalpha.GoFunction, bundled locally. It is kept
// out of fnenv's go.mod: the generated module requires it. This version is
// served here, but the checksum database does not know it, hence
// GONOSUMDB for that module only (TOOLCHAIN.md).
const (
	GoFunctionModule  = "github.com/aws/aws-cdk-go/awscdklambdagoalpha/v2"
	GoFunctionVersion = "v2.260.0-alpha.0"
	goFunctionNoSum   = "GONOSUMDB=github.com/aws/aws-cdk-go/awscdklambdagoalpha"
)

// goFunctionDef is one function of the GoFunction app, read from
// functions.json: the app cannot import synthdef (internal to fnenv).
type goFunctionDef struct {
	ID, Entry string
	Env       map[string]string
	// Parameters are the SSM parameter names the function may read.
	Parameters []string
}

// goFunctionApp is the CDK app of the GoFunction mode: function i of
// synthdef as awscdklambdagoalpha.GoFunction with its default bundling
// (local, since go is on PATH), the same environment and grant.
const goFunctionApp = `// Command gofnapp is the synth benchmark's app of GoFunctions.
package main

import (
	"encoding/json"
	"os"
	"strconv"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdklambdagoalpha/v2"
	"github.com/aws/jsii-runtime-go"
)

type def struct {
	ID, Entry  string
	Env        map[string]string
	Parameters []string
}

func main() {
	defer jsii.Close()
	n, err := strconv.Atoi(os.Getenv("` + synthdef.EnvFunctions + `"))
	if err != nil {
		panic(err)
	}
	data, err := os.ReadFile("functions.json")
	if err != nil {
		panic(err)
	}
	var defs []def
	if err := json.Unmarshal(data, &defs); err != nil {
		panic(err)
	}
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("` + synthdef.StackID + `"), nil)
	for _, d := range defs[:n] {
		env := map[string]*string{}
		for k, v := range d.Env {
			env[k] = jsii.String(v)
		}
		f := awscdklambdagoalpha.NewGoFunction(stack, jsii.String(d.ID), &awscdklambdagoalpha.GoFunctionProps{
			Entry:        jsii.String(d.Entry),
			Runtime:      awslambda.Runtime_PROVIDED_AL2023(),
			Architecture: awslambda.Architecture_ARM_64(),
			Environment:  &env,
		})
		var arns []*string
		for _, p := range d.Parameters {
			arns = append(arns, stack.FormatArn(&awscdk.ArnComponents{
				Service:      jsii.String("ssm"),
				Resource:     jsii.String("parameter"),
				ResourceName: jsii.String(strings.TrimPrefix(p, "/")),
				ArnFormat:    awscdk.ArnFormat_SLASH_RESOURCE_NAME,
			}))
		}
		f.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:   jsii.Strings("ssm:GetParameters"),
			Resources: &arns,
		}))
	}
	app.Synth(nil)
}
`

// writeGoFunctionApp writes the GoFunction app and its functions.json into
// the generated module at mod, requires GoFunction there, and builds the
// app into bin.
func writeGoFunctionApp(ctx context.Context, mod, bin string, n int) error {
	b := synthdef.Backend()
	var defs []goFunctionDef
	for i := range n {
		fn := synthdef.Function(i)
		d := goFunctionDef{ID: synthdef.ID(i), Entry: "./" + fn.Entry, Env: fn.Environment(b, synthdef.MaxAge, synthdef.Values(i)), Parameters: fn.SecretPaths(b)}
		defs = append(defs, d)
	}
	data, err := json.MarshalIndent(defs, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(mod, "functions.json"), data, 0o644); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(mod, "gofnapp"), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(mod, "gofnapp", "main.go"), []byte(goFunctionApp), 0o644); err != nil {
		return err
	}
	env := []string{goFunctionNoSum, "GOFLAGS=-mod=mod -buildvcs=false"}
	if err := goCmd(ctx, mod, env, "get", GoFunctionModule+"@"+GoFunctionVersion); err != nil {
		return err
	}
	return goCmd(ctx, mod, env, "build", "-o", bin, "./gofnapp")
}

// gofnCommand is the GoFunction synth's command line, for the report.
func gofnCommand() string {
	return strings.Join([]string{"cd <generated module> &&", synthdef.EnvFunctions + "=<n>", ".tools/node_modules/.bin/cdk synth --app <gofnapp binary> -o <fresh dir> --quiet --no-notices"}, " ")
}
