package codegen_test

import (
	"fmt"
	"strings"

	"github.com/fnenv/fnenv/codegen"
	"github.com/fnenv/fnenv/model"
	"github.com/fnenv/fnenv/resolver/envtype"
)

// Generate writes a function's env package from its spec: here, the Env
// struct of a function with a secret and a typed literal.
func ExampleGenerate() {
	fn := model.NewFunction("say-hello", "app/functions/say-hello", map[string]model.Variable{
		"API_KEY": {Kind: model.Secret, Secret: "MY_API_KEY"},
		"TIMEOUT": {Kind: model.Literal, Type: envtype.Duration},
	})
	src, err := codegen.Generate(fn)
	if err != nil {
		fmt.Println(err)
		return
	}
	s := string(src)
	start := strings.Index(s, "type Env struct")
	end := start + strings.Index(s[start:], "\n}\n")
	fmt.Println(s[start : end+2])
	fmt.Println(codegen.Path(fn))
	// Output:
	// type Env struct {
	// 	// APIKey is env var API_KEY: secret MY_API_KEY, an SSM SecureString resolved at cold start; Reveal returns it.
	// 	// Type function.String, Go string: any text.
	// 	APIKey resolver.Secret[string]
	//
	// 	// Timeout is env var TIMEOUT: a literal from the function's configuration.
	// 	// Type function.Duration, Go time.Duration: a Go duration, like 300ms, 1.5s or 2h45m.
	// 	Timeout time.Duration
	//
	// 	// Lambda holds the Lambda runtime's own values: region, function name
	// 	// and version, memory size, log group and stream, initialization type.
	// 	Lambda resolver.Lambda
	// }
	// app/functions/say-hello/env/env.go
}

// Generate refuses a spec that breaks one of spec's rules, listing every
// problem.
func ExampleGenerate_invalid() {
	fn := model.NewFunction("say-hello", "app/functions/say-hello", map[string]model.Variable{
		"A":    {Kind: model.Literal},
		"PORT": {Kind: model.Literal, Type: "integer"},
	})
	_, err := codegen.Generate(fn)
	fmt.Println(err)
	// Output:
	// codegen: function "say-hello": env key "A": must match [a-zA-Z][a-zA-Z0-9_]+ (Lambda's rule: a letter first, 2 characters at least)
	// codegen: function "say-hello": env key "PORT": type "integer" is not one of string, int, bool, float, duration, url, stringlist, json
}
