package usermod_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/fnenv/fnenv/internal/usermod"
)

const shopMain = `package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/fnenv/fnenv/constructs/backend"
	"github.com/fnenv/fnenv/constructs/function"
)

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	stack := backend.NewStack(app, "Shop", nil)
	function.New(stack, "Hello", &function.Props{
		Name:        "hello",
		Entry:       "functions/hello",
		Environment: map[string]function.Value{"GREETING": function.Literal("Hello")},
	})
	app.Synth(nil)
}
`

const helloMain = `package main

import "github.com/aws/aws-lambda-go/lambda"

func main() { lambda.Start(func() (string, error) { return "hello", nil }) }
`

// TestModule builds a cdk init-style app in a module outside the
// repository, completes it with Tidy and synthesizes it with the pinned CDK
// CLI.
func TestModule(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go mod tidy and the CDK CLI")
	}
	// GIVEN a module with an app and a handler, not yet complete
	m := usermod.New(t, usermod.Options{Name: "shop", Require: usermod.CDKRequires})
	m.WriteFile("shop.go", shopMain)
	m.WriteFile("functions/hello/main.go", helloMain)
	m.WriteFile("cdk.json", `{"app": "go run .", "context": {"appId": "shop"}}`)

	// THEN go refuses to build it as it is: no -mod=mod hides a missing go.sum
	if out, err := m.Run("go", "build", "./..."); err == nil {
		t.Errorf("go build of a module without go.sum succeeded:\n%s", out)
	}

	// WHEN it is tidied and synthesized for a branch
	m.Tidy()
	if gomod := m.ReadFile("go.mod"); !strings.Contains(gomod, "replace github.com/fnenv/fnenv => "+m.Repo) ||
		!strings.Contains(gomod, "github.com/aws/aws-cdk-go/awscdk/v2 v2.270.0") {
		t.Errorf("go.mod after tidy does not require the pinned CDK through the replace:\n%s", gomod)
	}
	out := m.Synth("main")

	// THEN the team stack carries the branch and holds the function, its
	// literal in the environment
	var tmpl struct {
		Resources map[string]struct {
			Type       string
			Properties struct {
				Runtime     string
				Environment struct{ Variables map[string]any }
			}
		}
	}
	if err := json.Unmarshal(m.Template(out, "Shop-main"), &tmpl); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range tmpl.Resources {
		if r.Type == "AWS::Lambda::Function" && r.Properties.Runtime == "provided.al2023" {
			found = true
			if got := r.Properties.Environment.Variables["GREETING"]; got != "Hello" {
				t.Errorf("GREETING = %v, want Hello", got)
			}
		}
	}
	if !found {
		t.Errorf("no provided.al2023 function in Shop-main")
	}
}
