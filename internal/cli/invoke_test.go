package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/google/go-cmp/cmp"

	"github.com/fnenv/fnenv/codegen"
	"github.com/fnenv/fnenv/internal/assembly"
	"github.com/fnenv/fnenv/internal/usermod"
	"github.com/fnenv/fnenv/model"
	"github.com/fnenv/fnenv/resolver"
	"github.com/fnenv/fnenv/resolver/envtype"
)

// greetHandler is the test function's handler: it answers with what it
// resolved (secrets masked), its event and its function name; it fails,
// sleeps or logs when its event asks.
const greetHandler = `package main

import (
	"context"
	"encoding/json"
	"errors"
	"log"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"invokeapp/functions/greet/env"
)

type event struct {
	Fail  bool   ` + "`json:\"fail\"`" + `
	Sleep string ` + "`json:\"sleep\"`" + `
}

func handle(ctx context.Context, raw json.RawMessage) (map[string]any, error) {
	e, err := env.Load(ctx)
	if err != nil {
		return nil, err
	}
	var ev event
	_ = json.Unmarshal(raw, &ev)
	log.Printf("greet: handling an event of %d bytes", len(raw))
	if ev.Fail {
		return nil, errors.New("greet: asked to fail")
	}
	if d, err := time.ParseDuration(ev.Sleep); err == nil {
		time.Sleep(d)
	}
	return map[string]any{
		"greeting": e.Greeting,
		"port":     e.Port,
		"apiKey":   e.APIKey.String(),
		"shared":   e.SharedToken.String(),
		"event":    raw,
		"function": e.Lambda.FunctionName,
		"tagged":   tagged,
	}, nil
}

func main() {
	env.MustLoad(context.Background())
	lambda.Start(handle)
}
`

// greetTagged and greetUntagged set the handler's "tagged" by the build
// tag greet_tagged: GoBuildFlags reach the build.
const greetTagged = "//go:build greet_tagged\n\npackage main\n\nconst tagged = true\n"
const greetUntagged = "//go:build !greet_tagged\n\npackage main\n\nconst tagged = false\n"

// greetFunction is the test function's declaration; greetLiterals are its
// literals' values, as the construct knows them.
func greetFunction() model.Function {
	return model.NewFunction("greet", "functions/greet", map[string]model.Variable{
		"GREETING":     {Kind: model.Literal},
		"PORT":         {Kind: model.Literal, Type: envtype.Int},
		"API_KEY":      {Kind: model.Secret, Secret: "API_KEY"},
		"SHARED_TOKEN": {Kind: model.Secret, Secret: "SHARED_TOKEN"},
		"LEGACY_TOKEN": {Kind: model.Secret, Secret: "/legacy/greet/token"}, // an existing parameter
		"API_URL":      {Kind: model.Parameter, Parameter: "/legacy/greet/api-url"},
	})
}

var greetLiterals = model.SynthValues{Literals: map[string]string{"GREETING": "hello", "PORT": "8080"}}

// invokeModule is a user's module with the greet function and its env
// package, and a cdk.json naming app id testapp.
func invokeModule(t *testing.T) *usermod.Module {
	t.Helper()
	m := usermod.New(t, usermod.Options{Name: "invokeapp"})
	m.WriteFile("cdk.json", `{"app": "false", "context": {"appId": "`+appID+`"}}`+"\n")
	m.WriteFile("functions/greet/main.go", greetHandler)
	m.WriteFile("functions/greet/tagged.go", greetTagged)
	m.WriteFile("functions/greet/untagged.go", greetUntagged)
	src, err := codegen.Generate(greetFunction())
	if err != nil {
		t.Fatal(err)
	}
	m.WriteFile("functions/greet/env/env.go", string(src))
	m.Tidy()
	return m
}

// writeAssembly writes a cloud assembly, as a synth for branch writes it,
// with fn in stack Greet-<branch>: its record and its Lambda function,
// whose environment is the construct's (model.Function.Environment) plus
// extra, whose Timeout is timeout seconds (0: none), and whose
// GoBuildFlags are flags.
func writeAssembly(t *testing.T, fn model.Function, branch string, timeout int, extra map[string]any, flags ...string) string {
	t.Helper()
	dir := t.TempDir()
	b := model.Backend{Prefix: "/amplify", AppID: appID, Branch: branch}
	vars := map[string]any{}
	for k, v := range fn.Environment(b, "5m0s", greetLiterals) {
		vars[k] = v
	}
	for k, v := range extra {
		vars[k] = v
	}
	rec := model.Record{Backend: b, Function: fn, Path: "Greet-" + b.BranchLevel() + "/Greet", GoBuildFlags: flags}
	if err := assembly.WriteFake(dir, assembly.FakeFunction{Record: rec, Environment: vars, Timeout: timeout}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// invokeEnv is a tenv whose working directory is the user's module m.
func invokeEnv(t *testing.T, m *usermod.Module) *tenv {
	t.Helper()
	e := newEnv(t)
	e.dir = m.Dir
	e.cacheDir = t.TempDir() // the user's cache is not the tests'
	return e
}

// TestInvoke runs a function of a user's module with each branch's
// configuration and real secrets in moto: each branch resolves its own
// value and the shared one; events come from a file and from stdin; a
// handler error, a missing secret, a timeout and an assembly of another
// branch fail with exit 1 and say why; the module is left as it was.
func TestInvoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a handler in a user's module")
	}
	m := invokeModule(t)
	e := invokeEnv(t, m)
	before := m.Files()
	fn := greetFunction()
	mainKey, loginKey, shared := fake("main", 1), fake("feature/login", 2), fake("shared", 3)
	e.put("/amplify/testapp/main/API_KEY", mainKey)
	e.put("/amplify/testapp/-feature-login-5712f05b4f/API_KEY", loginKey)
	e.put("/amplify/shared/testapp/SHARED_TOKEN", shared)
	e.put("/legacy/greet/token", fake("legacy", 4))
	if _, err := e.ssm.PutParameter(context.Background(), &ssm.PutParameterInput{Name: aws.String("/legacy/greet/api-url"),
		Value: aws.String("https://api.example.test/v1"), Type: ssmtypes.ParameterTypeString, Overwrite: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	mainAsm := writeAssembly(t, fn, "main", 0, nil)
	loginAsm := writeAssembly(t, fn, "feature/login", 0, nil)
	eventFile := filepath.Join(t.TempDir(), "event.json")
	writeFile(t, eventFile, `{"customer": "cus_file"}`)

	type reply struct {
		Greeting string          `json:"greeting"`
		Port     int             `json:"port"`
		APIKey   string          `json:"apiKey"`
		Shared   string          `json:"shared"`
		Event    json.RawMessage `json:"event"`
		Function string          `json:"function"`
		Tagged   bool            `json:"tagged"`
	}
	decode := func(t *testing.T, r result) reply {
		t.Helper()
		var got reply
		if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
			t.Fatalf("stdout is not the handler's JSON response (%v):\n%s\nstderr:\n%s", err, r.stdout, r.stderr)
		}
		return got
	}

	t.Run("main, event from a file", func(t *testing.T) {
		r := e.mustRun(0, "", "invoke", "greet", "--branch", "main", "--assembly", mainAsm, "--event", eventFile)
		got := decode(t, r)
		want := reply{Greeting: "hello", Port: 8080, APIKey: resolver.NewSecret(mainKey).String(), Shared: resolver.NewSecret(shared).String(),
			Event: json.RawMessage(`{"customer":"cus_file"}`), Function: "Greet-main-GreetFunction1A2B3C4D"}
		if diff := cmp.Diff(got, want); diff != "" {
			t.Errorf("response (-got +want):\n%s", diff)
		}
		wantContains(t, "stderr (the handler's logs)", r.stderr, "greet: handling an event of 24 bytes")
	})
	t.Run("feature/login, event from stdin", func(t *testing.T) {
		r := e.mustRun(0, `{"customer": "cus_stdin"}`, "invoke", "greet", "--branch", "feature/login", "--assembly", loginAsm, "--event", "-")
		got := decode(t, r)
		if got.APIKey != resolver.NewSecret(loginKey).String() || got.Shared != resolver.NewSecret(shared).String() || string(got.Event) != `{"customer":"cus_stdin"}` {
			t.Errorf("response %+v: want the branch's own API_KEY (%s), the shared token and the event from stdin", got, resolver.NewSecret(loginKey).String())
		}
	})
	t.Run("default event", func(t *testing.T) {
		got := decode(t, e.mustRun(0, "", "invoke", "greet", "--branch", "main", "--assembly", mainAsm))
		if string(got.Event) != "{}" {
			t.Errorf("event = %s, want {}", got.Event)
		}
	})
	t.Run("the function's GoBuildFlags", func(t *testing.T) {
		asm := writeAssembly(t, fn, "main", 0, nil, "-tags=greet_tagged", "-ldflags=-X main.unused=1")
		if got := decode(t, e.mustRun(0, "", "invoke", "greet", "--branch", "main", "--assembly", asm)); !got.Tagged {
			t.Errorf("tagged = false: the record's -tags=greet_tagged did not reach the build")
		}
		if got := decode(t, e.mustRun(0, "", "invoke", "greet", "--branch", "main", "--assembly", mainAsm)); got.Tagged {
			t.Errorf("tagged = true without the flag: the cached build was reused across flags")
		}
	})
	t.Run("handler error", func(t *testing.T) {
		r := e.mustRun(1, `{"fail": true}`, "invoke", "greet", "--branch", "main", "--assembly", mainAsm, "--event", "-")
		wantContains(t, "stderr", r.stderr, "fnenv: function greet returned an error: errorString: greet: asked to fail")
		if r.stdout != "" {
			t.Errorf("stdout = %q, want nothing", r.stdout)
		}
	})
	t.Run("missing secret", func(t *testing.T) {
		asm := writeAssembly(t, fn, "empty", 0, nil)
		r := e.mustRun(1, "", "invoke", "greet", "--branch", "empty", "--assembly", asm)
		wantContains(t, "stderr", r.stderr, "fnenv: function greet: init failed: its process exited (exit status 2) before asking for an event:\n"+
			`fnenv: function "greet": 1 secret is not set in SSM Parameter Store, neither on branch "empty" nor shared:`+"\n"+
			"  API_KEY (for API_KEY): tried /amplify/testapp/empty/API_KEY and /amplify/shared/testapp/API_KEY; set it with `fnenv secret set API_KEY --branch empty`")
	})
	t.Run("timeout", func(t *testing.T) {
		asm := writeAssembly(t, fn, "main", 1, nil)
		r := e.mustRun(1, `{"sleep": "10s"}`, "invoke", "greet", "--branch", "main", "--assembly", asm, "--event", "-")
		wantContains(t, "stderr", r.stderr, `fnenv: function greet: timed out after 1s, its timeout (Lambda: "Task timed out after 1.00 seconds")`)
	})
	t.Run("assembly of another branch", func(t *testing.T) {
		r := e.mustRun(1, "", "invoke", "greet", "--branch", "feature/login", "--assembly", mainAsm)
		wantContains(t, "stderr", r.stderr, `was synthesized for branch "main", not "feature/login"`, "cdk synth -c branch=feature/login")
	})
	t.Run("CDK token", func(t *testing.T) {
		asm := writeAssembly(t, fn, "main", 0, map[string]any{"TABLE": map[string]any{"Ref": "Table1234"}})
		r := e.mustRun(1, "", "invoke", "greet", "--branch", "main", "--assembly", asm)
		wantContains(t, "stderr", r.stderr, `TABLE = {"Ref":"Table1234"}`, "--deployed")
	})
	t.Run("bad input", func(t *testing.T) {
		r := e.mustRun(2, "not json", "invoke", "greet", "--branch", "main", "--assembly", mainAsm, "--event", "-")
		wantContains(t, "stderr", r.stderr, "--event: standard input is not JSON")
		r = e.mustRun(2, "", "invoke", "nope", "--branch", "main", "--assembly", mainAsm)
		wantContains(t, "stderr", r.stderr, `no function "nope" in the cloud assembly`, "its functions: greet")
	})
	t.Run("env", func(t *testing.T) {
		r := e.mustRun(0, "", "env", "greet", "--branch", "feature/login", "--assembly", loginAsm)
		want := [][]string{
			{"VARIABLE", "TYPE", "SOURCE", "VALUE"},
			{"API_KEY", "string", "branch", "/amplify/testapp/-feature-login-5712f05b4f/API_KEY", resolver.NewSecret(loginKey).String()},
			{"API_URL", "string", "parameter", "/legacy/greet/api-url", "https://api.example.test/v1"}, // not a secret: shown
			{"GREETING", "string", "literal", "hello"},
			{"LEGACY_TOKEN", "string", "parameter", "/legacy/greet/token", resolver.NewSecret(fake("legacy", 4)).String()},
			{"PORT", "int", "literal", "8080"},
			{"SHARED_TOKEN", "string", "shared", "/amplify/shared/testapp/SHARED_TOKEN", resolver.NewSecret(shared).String()},
		}
		var got [][]string
		for l := range strings.Lines(r.stdout) {
			got = append(got, strings.Fields(l))
		}
		if diff := cmp.Diff(got, want); diff != "" {
			t.Errorf("fnenv env (-got +want):\n%s", diff)
		}
		r = e.mustRun(0, "", "env", "greet", "--branch", "main", "--assembly", mainAsm, "--reveal")
		wantContains(t, "stdout", r.stdout, mainKey, shared)
		// A value not of its type fails Load, as at a cold start, for env and
		// invoke alike.
		badPort := writeAssembly(t, fn, "main", 0, map[string]any{"PORT": "80a"})
		for _, cmd := range []string{"env", "invoke"} {
			r = e.mustRun(1, "", cmd, "greet", "--branch", "main", "--assembly", badPort)
			wantContains(t, cmd+"'s stderr", r.stderr, `fnenv: function "greet": 1 variable is not of its type (values not shown):`+"\n  PORT (literal) is not a valid int")
		}
		// --app-id moves the secrets' paths, as for every other command.
		r = e.mustRun(1, "", "env", "greet", "--branch", "main", "--assembly", mainAsm, "--app-id", "otherapp")
		wantContains(t, "stderr", r.stderr, "tried /amplify/otherapp/main/API_KEY and /amplify/shared/otherapp/API_KEY")
		r = e.mustRun(1, "", "env", "greet", "--branch", "empty", "--assembly", writeAssembly(t, fn, "empty", 0, nil))
		wantContains(t, "stderr", r.stderr, "fnenv: function greet: Load failed, as it would at a cold start:\n"+
			`fnenv: function "greet": 1 secret is not set in SSM Parameter Store, neither on branch "empty" nor shared:`)
	})
	if diff := cmp.Diff(m.Files(), before); diff != "" {
		t.Errorf("invoke and env changed the module's files (-got +want):\n%s", diff)
	}
}

// TestResolverDeclarationMatchesGenerated: fnenv env resolves with the
// declaration the function's generated env package holds, variable for
// variable.
func TestResolverDeclarationMatchesGenerated(t *testing.T) {
	fn := model.NewFunction("mixed", "functions/mixed", map[string]model.Variable{
		"GREETING":    {Kind: model.Literal},
		"PORT":        {Kind: model.Literal, Type: envtype.Int},
		"API_KEY":     {Kind: model.Secret, Secret: "MY_API_KEY"},
		"LEGACY_PW":   {Kind: model.Secret, Secret: "/legacy/db/password"},
		"API_URL":     {Kind: model.Parameter, Parameter: "/legacy/payments/api-url"},
		"DB_PASSWORD": {Kind: model.SecretsManager, SecretsManager: &model.SecretsManagerRef{Secret: "DbCredential", ID: "app/main/db", Field: "password"}},
		"LICENSE":     {Kind: model.SecretsManager, SecretsManager: &model.SecretsManagerRef{Secret: "License", ID: "app/license"}},
	})
	src, err := codegen.Generate(fn)
	if err != nil {
		t.Fatal(err)
	}
	d := ResolverDeclaration(fn)
	if d.Function != "mixed" || d.SecretsManager == nil || len(d.Vars) != len(fn.Variables) {
		t.Fatalf("declaration %+v: want function mixed, a Secrets Manager factory and %d variables", d, len(fn.Variables))
	}
	for _, v := range d.Vars {
		lit := fmt.Sprintf("{Name: %q", v.Name)
		if v.Secret != "" {
			lit += fmt.Sprintf(", Secret: %q", v.Secret)
		}
		if v.Parameter != "" {
			lit += fmt.Sprintf(", Parameter: %q", v.Parameter)
		}
		if v.SecretsManager != "" {
			lit += fmt.Sprintf(", SecretsManager: %q", v.SecretsManager)
			if v.JSONField != "" {
				lit += fmt.Sprintf(", JSONField: %q", v.JSONField)
			}
		}
		if !strings.Contains(string(src), "\t\t"+lit+"},\n") {
			t.Errorf("the generated package does not declare %s}:\n%s", lit, src)
		}
	}
}
