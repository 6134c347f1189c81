package codegen_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/google/go-cmp/cmp"

	"github.com/fnenv/fnenv/codegen"
	"github.com/fnenv/fnenv/identity"
	"github.com/fnenv/fnenv/internal/moto"
	"github.com/fnenv/fnenv/resolver"
	"github.com/fnenv/fnenv/spec"
)

// handler prints what its generated env package resolved. Its values are
// fake test values.
const handler = `package main

import (
	"context"
	"fmt"
	"os"

	"example.com/fnenvtest/app/functions/say-hello/env"
)

func main() {
	e, err := env.Load(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("APIKey=%s\nAPIKeyAgain=%s\nGreeting=%s\nFunction=%s\nMemory=%d\n",
		e.APIKey, e.APIKeyAgain, e.Greeting, e.Lambda.FunctionName, e.Lambda.MemorySizeMiB)
	if e2 := env.MustLoad(context.Background()); e2 != e {
		fmt.Println("second Load returned another Env")
	}
}
`

// TestEndToEnd generates an env package into a fresh module that uses this
// one (replace directive), compiles a handler importing it and runs it:
// against moto as in Lambda, then outside Lambda with a dotenv file.
func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles a module")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	mod := t.TempDir()
	goMod := "module example.com/fnenvtest\n\ngo 1.26.0\n\nrequire github.com/fnenv/fnenv v0.0.0\n\nreplace github.com/fnenv/fnenv => " + root + "\n"
	if err := os.WriteFile(filepath.Join(mod, "go.mod"), []byte(goMod), 0o644); err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(mod, "go.sum"), sum, 0o644); err != nil {
		t.Fatal(err)
	}
	fn := spec.NewFunction("say-hello", "app/functions/say-hello", map[string]spec.Variable{
		"API_KEY":       {Kind: spec.Secret, Secret: "MY_API_KEY"},
		"API_KEY_AGAIN": {Kind: spec.Secret, Secret: "MY_API_KEY"},
		"GREETING":      {Kind: spec.Literal, Value: "Hello"},
	})
	if _, err := codegen.Write(mod, fn); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(mod, fn.Entry, "main.go"), []byte(handler), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "bootstrap")
	build := exec.Command("go", "build", "-mod=mod", "-o", bin, "./"+fn.Entry)
	build.Dir = mod
	build.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off", "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	deps := exec.Command("go", "list", "-deps", "./"+fn.Entry+"/env")
	deps.Dir, deps.Env = mod, build.Env
	out, err := deps.Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, p := range strings.Fields(string(out)) {
		if strings.Contains(p, "jsii") || strings.Contains(p, "aws-cdk-go") || strings.Contains(p, "constructs-go") {
			t.Errorf("the env package depends on %s", p)
		}
	}

	srv := moto.StartT(t)
	srv.Setenv(t)
	b := identity.Backend{AppID: "fnenv-e2e", Branch: "feature/login"}
	c, err := resolver.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	for name, value := range map[string]string{
		b.BranchPath("MY_API_KEY"): "sk_test_fake_branch_0042",
		b.SharedPath("MY_API_KEY"): "sk_test_fake_shared_0042",
	} {
		if _, err := c.PutParameter(context.Background(), &ssm.PutParameterInput{
			Name: aws.String(name), Value: aws.String(value), Type: types.ParameterTypeSecureString,
		}); err != nil {
			t.Fatal(err)
		}
	}
	run := func(t *testing.T, extra ...string) string {
		t.Helper()
		cmd := exec.Command(bin)
		cmd.Env = append(srv.Env(), extra...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("handler: %v\n%s", err, out)
		}
		return string(out)
	}

	t.Run("in Lambda, against SSM", func(t *testing.T) {
		var env []string
		for k, v := range fn.Environment(b, "5m0s") {
			env = append(env, k+"="+v)
		}
		got := run(t, append(env, "AWS_LAMBDA_FUNCTION_NAME=fnenv-e2e-SayHello", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128")...)
		want := "APIKey=sk_test_fake_branch_0042\nAPIKeyAgain=sk_test_fake_branch_0042\nGreeting=Hello\nFunction=fnenv-e2e-SayHello\nMemory=128\n"
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("output (-want +got):\n%s", diff)
		}
	})
	t.Run("outside Lambda, from a dotenv file", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), ".env")
		if err := os.WriteFile(file, []byte("API_KEY=sk_test_fake_dotenv_1\nAPI_KEY_AGAIN=sk_test_fake_dotenv_2\nGREETING=Hi\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		got := run(t, "FNENV_DOTENV="+file, "AWS_ENDPOINT_URL=http://localhost:1") // no SSM call
		want := "APIKey=sk_test_fake_dotenv_1\nAPIKeyAgain=sk_test_fake_dotenv_2\nGreeting=Hi\nFunction=\nMemory=0\n"
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("output (-want +got):\n%s", diff)
		}
	})
}
