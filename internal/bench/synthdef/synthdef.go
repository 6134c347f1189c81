// Package synthdef defines the generated apps of the synth-scaling
// benchmark: the functions, their environment and the backend, shared by
// the generator (package bench) and the CDK app (synthapp).
package synthdef

import (
	"fmt"

	"github.com/fnenv/fnenv/model"
)

// Identity of the generated module and app.
const (
	// Module is the generated Go module's path.
	Module = "example.com/synthbench"
	// AppID and Branch are given to cdk synth as context.
	AppID, Branch = "synthbench", "main"
	// StackID is the one stack holding every function.
	StackID = "SynthBench"
	// MaxAge is FNENV_MAX_AGE, the construct's default (5 minutes).
	MaxAge = "5m0s"
)

// Environment variables of the CDK app (synthapp).
const (
	// EnvMode is "fnenv" (function.New) or "plain" (awslambda.NewFunction
	// over prebuilt assets).
	EnvMode = "FNENV_BENCH_MODE"
	// EnvFunctions is the number of functions.
	EnvFunctions = "FNENV_BENCH_FUNCTIONS"
	// EnvAssets is the directory holding the plain app's asset
	// directories, <EnvAssets>/<name>/bootstrap.
	EnvAssets = "FNENV_BENCH_ASSETS"
)

// Name is the name of function i, e.g. "f07".
func Name(i int) string { return fmt.Sprintf("f%02d", i) }

// ID is the construct id of function i, e.g. "F07".
func ID(i int) string { return fmt.Sprintf("F%02d", i) }

// Function is function i: two literals and two secrets, one of them
// shared by every function. Its entry is fns/<name>.
func Function(i int) model.Function {
	return model.NewFunction(Name(i), "fns/"+Name(i), map[string]model.Variable{
		"LOG_LEVEL":   {Kind: model.Literal},
		"GREETING":    {Kind: model.Literal},
		"API_KEY":     {Kind: model.Secret, Secret: "API_KEY"},
		"DB_PASSWORD": {Kind: model.Secret, Secret: fmt.Sprintf("DB_PASSWORD_%02d", i)},
	})
}

// Values are function i's literal values.
func Values(i int) model.SynthValues {
	return model.SynthValues{Literals: map[string]string{"LOG_LEVEL": "info", "GREETING": "hello from " + Name(i)}}
}

// Backend is the app's backend identity.
func Backend() model.Backend { return model.Backend{AppID: AppID, Branch: Branch} }

// Handler is the source of function i's main package.
func Handler(i int) string {
	return fmt.Sprintf(`// Command %[1]s is a generated handler of the synth benchmark.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"%[2]s/fns/%[1]s/env"
)

func handle(ctx context.Context, _ map[string]any) (int, error) {
	e, err := env.Load(ctx)
	if err != nil {
		return 0, err
	}
	return len(e.Greeting) + len(e.LogLevel) + len(e.APIKey.Reveal()) + len(e.DBPassword.Reveal()), nil
}

func main() {
	env.MustLoad(context.Background())
	lambda.Start(handle)
}
`, Name(i), Module)
}
