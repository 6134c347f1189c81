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
	"github.com/fnenv/fnenv/internal/leaktest"
	"github.com/fnenv/fnenv/internal/moto"
	"github.com/fnenv/fnenv/model"
	"github.com/fnenv/fnenv/resolver"
	"github.com/fnenv/fnenv/resolver/envtype"
)

// handler prints what its generated env package resolved, a field of each
// type (secrets through Reveal), then, with PRINT_ENV, the Env through
// every printing path, each output after a "== holder path ==" line:
// secrets masked. Its values are fake test values.
const handler = `package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"log/slog"
	"net/url"
	"os"
	"time"

	"example.com/fnenvtest/app/functions/say-hello/env"
	"github.com/fnenv/fnenv/resolver"
)

func main() {
	e, err := env.Load(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("APIKey=%s\nAPIKeyAgain=%s\nGreeting=%s\nFunction=%s\nMemory=%d\n",
		e.APIKey.Reveal(), e.APIKeyAgain.Reveal(), e.Greeting, e.Lambda.FunctionName, e.Lambda.MemorySizeMiB)
	var (
		port     int             = e.Port
		debug    bool            = e.Debug
		rate     float64         = e.Rate
		timeout  time.Duration   = e.Timeout
		dbConfig json.RawMessage = e.DBConfig.Reveal()
		webhook  *url.URL        = e.Webhook.Reveal()
	)
	fmt.Printf("Port=%d Debug=%t Rate=%g Timeout=%s APIBase=%s Origins=%q DBConfig=%s Webhook=%s\n",
		port, debug, rate, timeout, e.APIBase.Host, e.Origins, dbConfig, webhook.Path)
	if e2 := env.MustLoad(context.Background()); e2 != e {
		fmt.Println("second Load returned another Env")
	}
	if os.Getenv("PRINT_ENV") != "" {
		printEverywhere(e)
	}
}

// mine holds the Env as a handler's own struct may: fmt calls no method
// through its unexported fields.
type mine struct {
	Env  env.Env
	PEnv *env.Env
	env  env.Env
	penv *env.Env
	key  resolver.Secret[string]
	hook resolver.Secret[*url.URL]
	any  any
}

func printEverywhere(e *env.Env) {
	m := mine{Env: *e, PEnv: e, env: *e, penv: e, key: e.APIKey, hook: e.Webhook, any: e.DBConfig}
	for _, h := range []struct {
		name string
		v    any
	}{
		{"Env", *e}, {"*Env", e}, {"secret", e.APIKey}, {"*secret", &e.APIKey}, {"url secret", e.Webhook}, {"json secret", e.DBConfig},
		{"mine", m}, {"*mine", &m}, {"[]Env", []env.Env{*e}}, {"map", map[string]any{"e": e, "k": e.APIKey, "m": m}}, {"[]any", []any{e, m}},
	} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%t", "%10.3v", "%-8s"} {
			fmt.Printf("== %s %s ==\n"+verb+"\n", h.name, verb, h.v)
		}
		fmt.Printf("== %s Sprint ==\n%s\n", h.name, fmt.Sprint(h.v))
		fmt.Printf("== %s log ==\n", h.name)
		log.New(os.Stdout, "", 0).Printf("%+v", h.v)
		fmt.Printf("== %s slog text ==\n", h.name)
		slog.New(slog.NewTextHandler(os.Stdout, nil)).Info("env", "v", h.v)
		fmt.Printf("== %s slog JSON ==\n", h.name)
		slog.New(slog.NewJSONHandler(os.Stdout, nil)).Info("env", "v", h.v)
		j, err := json.Marshal(h.v)
		fmt.Printf("== %s json.Marshal ==\n%s %v\n", h.name, j, err)
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
	mod := newModule(t)
	fn := model.NewFunction("say-hello", "app/functions/say-hello", map[string]model.Variable{
		"API_KEY":       {Kind: model.Secret, Secret: "MY_API_KEY"},
		"API_KEY_AGAIN": {Kind: model.Secret, Secret: "MY_API_KEY"},
		"GREETING":      {Kind: model.Literal},
		// one of each type
		"PORT":      {Kind: model.Literal, Type: envtype.Int},
		"DEBUG":     {Kind: model.Literal, Type: envtype.Bool},
		"RATE":      {Kind: model.Literal, Type: envtype.Float},
		"TIMEOUT":   {Kind: model.Literal, Type: envtype.Duration},
		"API_BASE":  {Kind: model.Literal, Type: envtype.URL},
		"ORIGINS":   {Kind: model.Literal, Type: envtype.StringList},
		"DB_CONFIG": {Kind: model.Secret, Secret: "DB_CONFIG", Type: envtype.JSON},
		"WEBHOOK":   {Kind: model.Secret, Secret: "WEBHOOK", Type: envtype.URL},
	})
	if _, err := codegen.Write(mod, fn); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(mod, fn.Entry, "main.go"), []byte(handler), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := buildHandler(t, mod, fn.Entry)
	for _, p := range deps(t, mod, fn.Entry+"/env") {
		if strings.Contains(p, "jsii") || strings.Contains(p, "aws-cdk-go") || strings.Contains(p, "constructs-go") {
			t.Errorf("the env package depends on %s", p)
		}
		if strings.Contains(p, "service/secretsmanager") {
			t.Errorf("the env package of a function without a Secrets Manager reference links %s", p)
		}
	}

	srv := moto.StartT(t)
	srv.Setenv(t)
	b := model.Backend{AppID: "fnenv-e2e", Branch: "feature/login"}
	c, err := resolver.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	for name, value := range map[string]string{
		b.BranchPath("MY_API_KEY"): "sk_test_fake_branch_0042",
		b.SharedPath("MY_API_KEY"): "sk_test_fake_shared_0042",
		b.SharedPath("DB_CONFIG"):  `{"password":"fake_db_password_0099"}`,
		b.SharedPath("WEBHOOK"):    "https://hooks.example.com/fake/hook-0077",
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
		for k, v := range fn.Environment(b, "5m0s", model.SynthValues{Literals: map[string]string{
			"GREETING": "Hello", "PORT": "8080", "DEBUG": "true", "RATE": "0.25", "TIMEOUT": "1.5s",
			"API_BASE": "https://api.example.com/v1", "ORIGINS": "a.example, b.example",
		}}) {
			env = append(env, k+"="+v)
		}
		got := run(t, append(env, "AWS_LAMBDA_FUNCTION_NAME=fnenv-e2e-SayHello", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128")...)
		want := "APIKey=sk_test_fake_branch_0042\nAPIKeyAgain=sk_test_fake_branch_0042\nGreeting=Hello\nFunction=fnenv-e2e-SayHello\nMemory=128\n" +
			`Port=8080 Debug=true Rate=0.25 Timeout=1.5s APIBase=api.example.com Origins=["a.example" "b.example"] DBConfig={"password":"fake_db_password_0099"} Webhook=/fake/hook-0077` + "\n"
		if diff := cmp.Diff(got, want); diff != "" {
			t.Errorf("output (-got +want):\n%s", diff)
		}

		// Printed in every way, held in every way, no secret shows: not as
		// text, hex or decimal bytes. The literals do.
		out := run(t, append(env, "AWS_LAMBDA_FUNCTION_NAME=fnenv-e2e-SayHello", "PRINT_ENV=1")...)
		printed := map[string]string{}
		for _, part := range strings.Split(out, "\n== ")[1:] {
			label, text, _ := strings.Cut(part, " ==\n")
			printed[label] = text
		}
		if len(printed) != 11*16 {
			t.Errorf("%d printing paths ran, want %d", len(printed), 11*16)
		}
		for _, l := range leaktest.Find(printed, "sk_test_fake", "fake_db_password", "hook-0077") {
			t.Error(l)
		}
		for label, want := range map[string]string{
			"Env %+v": "APIKey:sk_t…42", "Env %#v": `env.Env{APIBase:&url.URL{`, "*Env %v": "sk_t…42", "secret %q": `"sk_t…42"`,
			"secret %-8s": "sk_t…42 ", "url secret %v": "http…77", "*Env slog text": "v.APIKey=sk_t…42", "Env slog JSON": `"APIKey":"sk_t…42"`,
			"*Env json.Marshal": `"APIKey":"sk_t…42","APIKeyAgain":"sk_t…42"`, "mine %+v": "Env:{APIBase:https://api.example.com/v1 APIKey:sk_t…42",
			"mine log": "penv:0x", "*mine %+v": "key:{_:[] v:0x", "Env %s": "Hello",
		} {
			if !strings.Contains(printed[label], want) {
				t.Errorf("%s = %q; want it to hold %q", label, printed[label], want)
			}
		}
		t.Logf("a handler's struct holding the Env, %%+v:\n%s", printed["mine %+v"])
	})
	t.Run("outside Lambda, from a dotenv file", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), ".env")
		if err := os.WriteFile(file, []byte("API_KEY=sk_test_fake_dotenv_1\nAPI_KEY_AGAIN=sk_test_fake_dotenv_2\nGREETING=Hi\n"+
			"PORT=1\nDEBUG=0\nRATE=1e-3\nTIMEOUT=2m\nAPI_BASE=http://localhost:9\nORIGINS=x\nDB_CONFIG=[]\nWEBHOOK=https://h.example/p\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		got := run(t, "FNENV_DOTENV="+file, "AWS_ENDPOINT_URL=http://localhost:1") // no SSM call
		want := "APIKey=sk_test_fake_dotenv_1\nAPIKeyAgain=sk_test_fake_dotenv_2\nGreeting=Hi\nFunction=\nMemory=0\n" +
			`Port=1 Debug=false Rate=0.001 Timeout=2m0s APIBase=localhost:9 Origins=["x"] DBConfig=[] Webhook=/p` + "\n"
		if diff := cmp.Diff(got, want); diff != "" {
			t.Errorf("output (-got +want):\n%s", diff)
		}
	})
	t.Run("Override in a handler's unit test", func(t *testing.T) {
		// The unit test runs with no FNENV_* variable, no endpoint and no
		// dotenv file: Load, MustLoad and Refresh return the override,
		// reading nothing, and restore puts back the real resolution.
		if err := os.WriteFile(filepath.Join(mod, fn.Entry, "main_test.go"), []byte(overrideTest), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("go", "test", "-count=1", "-v", "./"+fn.Entry)
		cmd.Dir = mod
		for _, kv := range goEnv {
			if !strings.HasPrefix(kv, "FNENV_") && !strings.HasPrefix(kv, "AWS_") {
				cmd.Env = append(cmd.Env, kv)
			}
		}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go test: %v\n%s", err, out)
		}
		if !strings.Contains(string(out), "--- PASS: TestOverride/parallel_b") {
			t.Errorf("the Override test did not run its subtests:\n%s", out)
		}
	})
}

// overrideTest is a handler's unit test using Override, as README shows.
const overrideTest = `package main

import (
	"context"
	"testing"

	"example.com/fnenvtest/app/functions/say-hello/env"
	"github.com/fnenv/fnenv/resolver"
)

func TestOverride(t *testing.T) {
	t.Cleanup(env.Override(&env.Env{APIKey: resolver.NewSecret("sk_test_fake_unit"), Port: 9090}))
	for _, name := range []string{"a", "b"} {
		t.Run("parallel "+name, func(t *testing.T) {
			t.Parallel() // subtests under one Override share it
			e, err := env.Load(context.Background())
			if err != nil || e.APIKey.Reveal() != "sk_test_fake_unit" || e.Port != 9090 {
				t.Fatalf("Load = %+v, %v; want the override", e, err)
			}
			if r, err := env.Refresh(context.Background()); err != nil || r != e || env.MustLoad(context.Background()) != e {
				t.Fatalf("Refresh = %v, %v; MustLoad: want the override", r, err)
			}
		})
	}
}

func TestRestore(t *testing.T) {
	restore := env.Override(&env.Env{APIKey: resolver.NewSecret("sk_test_fake_unit")})
	restore()
	if e, err := env.Load(context.Background()); err == nil {
		t.Fatalf("Load after restore = %+v; want the real resolution, which fails here", e)
	}
}
`

// newModule returns a fresh module that uses this one (replace directive)
// with this one's go.sum.
func newModule(t *testing.T) string {
	t.Helper()
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
	return mod
}

var goEnv = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off", "CGO_ENABLED=0")

// buildHandler compiles the main package at entry of mod and returns the
// binary's path.
func buildHandler(t *testing.T, mod, entry string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "bootstrap")
	build := exec.Command("go", "build", "-mod=mod", "-o", bin, "./"+entry)
	build.Dir, build.Env = mod, goEnv
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// deps lists the packages pkg of mod depends on (go list -deps).
func deps(t *testing.T, mod, pkg string) []string {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", "./"+pkg)
	cmd.Dir, cmd.Env = mod, goEnv
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	return strings.Fields(string(out))
}
