package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"go/format"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fnenv/fnenv/internal/usermod"
)

// TestInitNewApp does what the README's "Start a new app" does, in a module
// outside the repository: the fnenv CLI as a tool of the module, `go tool
// fnenv init`, then `cdk synth -c branch=main` and `go test ./...` with no
// other step, the secret set with the command init prints, `cdk bootstrap`
// and `cdk deploy` against moto. The directory is not a git repository
// until fnenv init makes it one.
func TestInitNewApp(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go mod tidy, the CDK CLI and go test in a new module")
	}
	// GIVEN a new module (go mod init) that has fnenv's CLI as a tool, as
	// `go get -tool github.com/fnenv/fnenv/cmd/fnenv@vX` leaves it
	m := usermod.New(t, usermod.Options{Name: "my-shop", Path: "example.com/my-shop"})
	m.Go("mod", "edit", "-tool=github.com/fnenv/fnenv/cmd/fnenv")
	m.Tidy()
	m.Go("version") // the toolchain is local
	if _, err := m.Run("git", "rev-parse", "--git-dir"); err == nil {
		t.Fatal("the new module is inside a git repository: the test needs one outside")
	}

	// WHEN fnenv init runs in it
	out := m.Go("tool", "fnenv", "init")

	// THEN it made the directory a git repository, and the commands it
	// prints say `go tool fnenv`, as it was run
	wantContains(t, "fnenv init's output", out,
		"initialized a git repository (git init)",
		"\nNext:\n  go test ./...                                  # the stack's unit test\n"+
			"  go tool fnenv secret set API_KEY --branch main # or --shared, for every branch\n"+
			"  cdk synth -c branch=main                       # build the handler, write the templates\n"+
			"  cdk bootstrap                                  # once per account and region\n  cdk deploy --all -c branch=main\n")
	if strings.Contains(out, "  fnenv ") {
		t.Errorf("fnenv init prints a command without `go tool`:\n%s", out)
	}

	// THEN it wrote the app, in cdk init's layout, and said so
	for _, f := range []string{"cdk.json", "my-shop.go", "my-shop_test.go", "functions/hello/main.go", "functions/hello/env/env.go"} {
		if !strings.Contains(out, "wrote "+f+"\n") {
			t.Errorf("fnenv init did not report writing %s:\n%s", f, out)
		}
		m.ReadFile(f)
	}
	var cdkJSON struct {
		App     string
		Context map[string]any
	}
	if err := json.Unmarshal([]byte(m.ReadFile("cdk.json")), &cdkJSON); err != nil {
		t.Fatalf("cdk.json: %v", err)
	}
	if cdkJSON.Context["appId"] != "my-shop" {
		t.Errorf("cdk.json context appId = %v, want my-shop", cdkJSON.Context["appId"])
	}
	// THEN go.mod requires what the app imports at fnenv's pinned versions
	// (TOOLCHAIN.md), and go.sum is complete: the go command runs with
	// -mod=readonly below
	gomod := m.ReadFile("go.mod")
	for _, req := range []string{
		"github.com/aws/aws-cdk-go/awscdk/v2 v2.270.0",
		"github.com/aws/constructs-go/constructs/v10 v10.6.0",
		"github.com/aws/jsii-runtime-go v1.139.0",
		"github.com/aws/aws-lambda-go v1.55.1",
	} {
		if !strings.Contains(gomod, req) {
			t.Errorf("go.mod does not require %s:\n%s", req, gomod)
		}
	}
	envBefore := m.ReadFile("functions/hello/env/env.go")

	// THEN the stack's unit test passes, and writes nothing into the module
	before := m.Files()
	if out := m.Go("test", "./..."); !strings.Contains(out, "ok  \texample.com/my-shop") {
		t.Errorf("go test ./... did not run the stack's test:\n%s", out)
	}
	if diff := cmp.Diff(m.Files(), before); diff != "" {
		t.Errorf("go test ./... changed files in the module (-got +want):\n%s", diff)
	}

	// WHEN the secret is set as init says, then the app synthesized, `cdk
	// bootstrap` and `cdk deploy` run, in the README's order (against moto:
	// its change-set path is broken, so the deploy is direct)
	if err := srv.Reset(); err != nil {
		t.Fatal(err)
	}
	// (GIVEN first a typo of the secret set: synth's check names it and
	// says how to set the right one, as this module runs fnenv)
	setTypo := m.Command("go", "tool", "fnenv", "secret", "set", "API_KYE", "--branch", "main")
	setTypo.Stdin = strings.NewReader(fake("main", 2))
	if out, err := setTypo.CombinedOutput(); err != nil {
		t.Fatalf("go tool fnenv secret set: %v\n%s", err, out)
	}
	// (and a literal that looks like a credential: its warning's hint too)
	app := m.ReadFile("my-shop.go")
	m.WriteFile("my-shop.go", strings.Replace(app, `"GREETING": function.Literal("Hello"),`, `"GREETING": function.Literal("Hello"),
			"PAY_KEY": function.Literal("sk_live_`+strings.Repeat("0", 24)+`"),`, 1))
	if out, err := m.CDKRun("synth", "--quiet", "-c", "branch=main", "-c", "fnenvCheckSecrets=true", "-o", t.TempDir()); err == nil {
		t.Errorf("synth's check passed without API_KEY:\n%s", out)
	} else {
		wantContains(t, "synth's check", out, "API_KEY — not at /amplify/my-shop/main/API_KEY nor /amplify/shared/my-shop/API_KEY",
			"did you mean API_KYE (set on branch main)?", "set it: go tool fnenv secret set API_KEY --branch main",
			"the literal value of PAY_KEY looks like", "Keep it in SSM instead: go tool fnenv secret set PAY_KEY --branch main")
	}
	m.WriteFile("my-shop.go", app)
	set := m.Command("go", "tool", "fnenv", "secret", "set", "API_KEY", "--branch", "main")
	set.Stdin = strings.NewReader(fake("main", 1))
	if out, err := set.CombinedOutput(); err != nil {
		t.Fatalf("go tool fnenv secret set: %v\n%s", err, out)
	}
	// WHEN the app synthesizes for the branch main
	outdir := m.Synth("main")

	// THEN the stack carries the branch; the function has its literal and
	// reads its secret; synth rewrote the env package with the same bytes
	var tmpl struct {
		Resources map[string]struct {
			Type       string
			Properties json.RawMessage
		}
	}
	if err := json.Unmarshal(m.Template(outdir, "MyShop-main"), &tmpl); err != nil {
		t.Fatal(err)
	}
	var fns, policies []string
	for _, r := range tmpl.Resources {
		var b bytes.Buffer
		if err := json.Compact(&b, r.Properties); err != nil {
			t.Fatal(err)
		}
		switch r.Type {
		case "AWS::Lambda::Function":
			fns = append(fns, b.String())
		case "AWS::IAM::Policy":
			policies = append(policies, b.String())
		}
	}
	if len(fns) != 1 || !strings.Contains(fns[0], `"GREETING":"Hello"`) || !strings.Contains(fns[0], `"provided.al2023"`) {
		t.Errorf("want one provided.al2023 function with GREETING=Hello, got %s", fns)
	}
	if len(policies) != 1 || !strings.Contains(policies[0], "ssm:GetParameters") || !strings.Contains(policies[0], "/amplify/my-shop/main/API_KEY") {
		t.Errorf("want one policy granting ssm:GetParameters on the secret API_KEY of branch main, got %s", policies)
	}
	if diff := cmp.Diff(m.ReadFile("functions/hello/env/env.go"), envBefore); diff != "" {
		t.Errorf("synth rewrote the env package init wrote (-got +want):\n%s", diff)
	}

	if out, err := m.CDKRun("bootstrap"); err != nil {
		t.Fatalf("cdk bootstrap: %v\n%s", err, out)
	}
	if out, err := m.CDKRun("deploy", "--all", "-c", "branch=main", "--require-approval", "never", "--method=direct"); err != nil {
		t.Fatalf("cdk deploy: %v\n%s", err, out)
	} else if !strings.Contains(out, "MyShop-main") {
		t.Errorf("cdk deploy did not deploy MyShop-main:\n%s", out)
	}

	// WHEN the app runs without the CDK CLI's context (no app id)
	// THEN it fails with fnenv's message, without stack traces
	if out, err := m.Run("go", "run", "."); err == nil {
		t.Errorf("the app synthesized without an app id:\n%s", out)
	} else if !strings.Contains(out, "app id") || strings.Contains(out, "goroutine ") || strings.Contains(out, "    at ") {
		t.Errorf("the app's error is not fnenv's message alone:\n%s", out)
	}

	// THEN git ignores what synth and the build left
	status, err := m.Run("git", "status", "--porcelain", "--untracked-files=all")
	if err != nil {
		t.Fatalf("%v\n%s", err, status)
	}
	for _, l := range strings.Split(status, "\n") {
		if strings.Contains(l, ".fnenv/") || strings.Contains(l, "cdk.out/") {
			t.Errorf("git does not ignore %s", l)
		}
	}

	// WHEN fnenv init runs again THEN it refuses and changes nothing
	before = m.Files()
	if out, err := m.Run("go", "tool", "fnenv", "init"); err == nil {
		t.Errorf("a second fnenv init succeeded:\n%s", out)
	} else if !strings.Contains(out, "cdk.json, my-shop.go, my-shop_test.go, functions/hello/main.go, functions/hello/env/env.go already exist") {
		t.Errorf("a second fnenv init does not name the files that exist:\n%s", out)
	}
	if diff := cmp.Diff(m.Files(), before); diff != "" {
		t.Errorf("a refused fnenv init changed files (-got +want):\n%s", diff)
	}

	// WHEN the app is vetted, by fnenv and by go vet with fnenv as its
	// vettool (the README's way for a tool of the module) THEN the
	// handler init wrote passes
	if out, err := m.Run("go", "tool", "fnenv", "vet"); err != nil || out != "" {
		t.Errorf("go tool fnenv vet of the new app: %v\n%s", err, out)
	}
	vettool := strings.TrimSpace(m.Go("tool", "-n", "fnenv"))
	if out, err := m.Run("go", "vet", "-vettool="+vettool, "./..."); err != nil {
		t.Errorf("go vet -vettool=$(go tool -n fnenv): %v\n%s", err, out)
	}

	// WHEN a key is added to the function and the env package is not
	// regenerated THEN gen --check names it, exits 1 and writes nothing;
	// gen writes it
	app = m.ReadFile("my-shop.go")
	m.WriteFile("my-shop.go", strings.Replace(app, `"GREETING": function.Literal("Hello"),`, `"GREETING": function.Literal("Hello"),
			"CURRENCY": function.Literal("usd"),`, 1))
	before = m.Files()
	if out, err := m.Run("go", "tool", "fnenv", "gen", "--check"); err == nil {
		t.Errorf("gen --check passed with a stale env package:\n%s", out)
	} else {
		wantContains(t, "gen --check", out, "stale functions/hello/env/env.go (function hello)\n",
			"fnenv: gen --check: 1 of 1 env package differs from what gen writes: run go tool fnenv gen and commit it\n")
	}
	if diff := cmp.Diff(m.Files(), before); diff != "" {
		t.Errorf("gen --check changed files (-got +want):\n%s", diff)
	}
	wantContains(t, "gen", m.Go("tool", "fnenv", "gen"), "wrote functions/hello/env/env.go\n1 env package, 1 changed\n")
	wantContains(t, "env.go", m.ReadFile("functions/hello/env/env.go"), "\tCurrency string\n")
}

// TestInitRefuses checks that fnenv init changes nothing — no file, no
// directory, not go.mod — when it cannot write the whole app.
func TestInitRefuses(t *testing.T) {
	for _, tc := range []struct {
		name     string
		setup    func(m *usermod.Module)
		code     int
		inStderr string
	}{
		{"cdk.json exists", func(m *usermod.Module) { m.WriteFile("cdk.json", "{}\n") }, ExitFailed, "cdk.json already exist"},
		{"the main file exists", func(m *usermod.Module) { m.WriteFile("my-shop.go", "package main\n") }, ExitFailed, "my-shop.go already exist"},
		{"the test file exists", func(m *usermod.Module) { m.WriteFile("my-shop_test.go", "package main\n") }, ExitFailed, "my-shop_test.go already exist"},
		{"the handler exists", func(m *usermod.Module) { m.WriteFile("functions/hello/main.go", "package main\n") }, ExitFailed, "functions/hello/main.go already exist"},
		{"the env package exists", func(m *usermod.Module) { m.WriteFile("functions/hello/env/env.go", "package env\n") }, ExitFailed, "functions/hello/env/env.go already exist"},
		{"other Go files in the module root", func(m *usermod.Module) { m.WriteFile("lib.go", "package shop\n") }, ExitFailed, "already holds Go files (lib.go)"},
		{"no go.mod", func(m *usermod.Module) { os.Remove(filepath.Join(m.Dir, "go.mod")) }, ExitUsage, "no go.mod in"},
		{"fnenv not required", func(m *usermod.Module) { m.WriteFile("go.mod", "module example.com/my-shop\n\ngo 1.26.0\n") }, ExitUsage, "go.mod does not require github.com/fnenv/fnenv"},
		{"go mod tidy fails", func(m *usermod.Module) {
			// A requirement that cannot be fetched: tidy fails after the
			// files are written, and they are removed again.
			m.Go("mod", "edit", "-require=example.com/not-there@v1.0.0")
			m.Env = append(m.Env, "GOPROXY=off")
		}, ExitFailed, "go mod tidy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// GIVEN a new module and tc's obstacle
			m := usermod.New(t, usermod.Options{Name: "my-shop", Path: "example.com/my-shop"})
			m.WriteFile(".gitignore", "/bin/\n")
			tc.setup(m)
			for _, kv := range m.Env {
				if k, v, _ := strings.Cut(kv, "="); k == "GOPROXY" {
					t.Setenv(k, v) // init runs go in-process's environment
				}
			}
			before := m.Files()

			// WHEN fnenv init runs
			var stdout, stderr bytes.Buffer
			code := (&App{Dir: m.Dir, Stdout: &stdout, Stderr: &stderr}).Run(context.Background(), []string{"init"})

			// THEN it fails, saying why, and nothing changed
			if code != tc.code {
				t.Errorf("exit code %d, want %d; stderr:\n%s", code, tc.code, stderr.String())
			}
			if !strings.Contains(stderr.String(), tc.inStderr) {
				t.Errorf("stderr does not say %q:\n%s", tc.inStderr, stderr.String())
			}
			if tc.code == ExitFailed && !strings.Contains(stderr.String(), "nothing was changed") {
				t.Errorf("stderr does not say that nothing was changed:\n%s", stderr.String())
			}
			if diff := cmp.Diff(m.Files(), before); diff != "" {
				t.Errorf("files changed (-got +want):\n%s", diff)
			}
		})
	}
}

func TestNewInitApp(t *testing.T) {
	for _, tc := range []struct {
		dir  string
		want initApp
	}{
		{"my-shop", initApp{Module: "m", File: "my-shop", Name: "MyShop", AppID: "my-shop"}},
		{"shop", initApp{Module: "m", File: "shop", Name: "Shop", AppID: "shop"}},
		{"order_service.v2", initApp{Module: "m", File: "order-service-v2", Name: "OrderServiceV2", AppID: "order-service-v2"}},
		{"001", initApp{Module: "m", File: "001", Name: "App001", AppID: "001"}},
		{"Café", initApp{Module: "m", File: "caf", Name: "Caf", AppID: "caf"}},
		{"--", initApp{Module: "m", File: "app", Name: "App", AppID: "app"}},
		{"shared", initApp{Module: "m", File: "shared", Name: "Shared", AppID: "shared-app"}}, // identity refuses app id "shared"
	} {
		if diff := cmp.Diff(newInitApp(filepath.Join("/tmp", tc.dir), "m"), tc.want); diff != "" {
			t.Errorf("newInitApp(%q) (-got +want):\n%s", tc.dir, diff)
		}
	}
}

// TestInitTemplates checks that the app's files are gofmt'ed Go and that
// the env package init writes is the generator's for the function the app
// declares.
func TestInitTemplates(t *testing.T) {
	files, err := initFiles(newInitApp("/tmp/my-shop", "example.com/my-shop"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f.path, ".go") {
			if got, err := format.Source(f.data); err != nil {
				t.Errorf("%s: %v", f.path, err)
			} else if diff := cmp.Diff(string(got), string(f.data)); diff != "" {
				t.Errorf("%s is not gofmt'ed (-gofmt +template):\n%s", f.path, diff)
			}
		}
	}
	// The full check is TestInitNewApp's: synth writes the same env package.
	var app string
	for _, f := range files {
		if f.path == "my-shop.go" {
			app = string(f.data)
		}
	}
	want := []string{`Name:  "` + initFunction.Name + `"`, `Entry: "` + initFunction.Entry + `"`}
	for _, v := range initFunction.Variables {
		if v.Secret != "" {
			want = append(want, `"`+v.Name+`":  function.Secret("`+v.Secret+`")`)
		} else {
			want = append(want, `"`+v.Name+`": function.Literal(`)
		}
	}
	for _, w := range want {
		if !strings.Contains(app, w) {
			t.Errorf("my-shop.go does not declare the function init generates the env package of: no %s in\n%s", w, app)
		}
	}
}

// TestInitGitRepoBranch: the repository init makes starts on the user's
// init.defaultBranch, else on main, the branch init's commands name.
func TestInitGitRepoBranch(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	for _, tc := range []struct{ name, config, want string }{
		{"no default configured", "", "main"},
		{"the user's default", "[init]\n\tdefaultBranch = trunk\n", "trunk"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := filepath.Join(t.TempDir(), "gitconfig")
			writeFile(t, cfg, tc.config)
			t.Setenv("GIT_CONFIG_GLOBAL", cfg)
			t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
			dir := t.TempDir()
			if !initGitRepo(t.Context(), dir) {
				t.Fatal("initGitRepo made no repository")
			}
			cmd := exec.Command("git", "symbolic-ref", "--short", "HEAD")
			cmd.Dir = dir
			out, err := cmd.Output()
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.TrimSpace(string(out)); got != tc.want {
				t.Errorf("branch %q, want %q", got, tc.want)
			}
		})
	}
}
