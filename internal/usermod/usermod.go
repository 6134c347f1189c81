// Package usermod makes Go modules outside this repository that use fnenv
// as a user's module does — their own go.mod, requiring
// github.com/fnenv/fnenv through a replace directive to this checkout — and
// runs the go command and the pinned CDK CLI in them. Tests use it to try
// fnenv as a new user would.
//
//	m := usermod.New(t, usermod.Options{Name: "shop", Require: usermod.CDKRequires})
//	m.WriteFile("shop.go", src)
//	m.Tidy()
//	out := m.Synth("main") // cdk synth -c branch=main into a temp dir
//	m.Go("test", "./...")
//
// Commands run with GOTOOLCHAIN=local and GOWORK=off, the Node 22 of
// .tools first on PATH, and without AWS_APP_ID, AWS_BRANCH, CDK_OUTDIR or
// CDK_CONTEXT_JSON from the test's own environment. GOFLAGS is the test's
// (the Makefile's -buildvcs=false): no -mod=mod, so that a go.mod or go.sum
// that is not complete fails the command, as it would for a user. Call Tidy
// to complete the module.
package usermod

import (
	"bufio"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// FnenvPath is fnenv's module path.
const FnenvPath = "github.com/fnenv/fnenv"

// Require is one requirement of a go.mod.
type Require struct {
	Path, Version string
}

// CDKRequires are the requirements `cdk init app --language go` writes,
// at the versions the module proxy serves here (TOOLCHAIN.md): cdk init
// itself would write aws-cdk-go v2.275.0, which the proxy refuses.
var CDKRequires = []Require{
	{"github.com/aws/aws-cdk-go/awscdk/v2", "v2.270.0"},
	{"github.com/aws/constructs-go/constructs/v10", "v10.6.0"},
	{"github.com/aws/jsii-runtime-go", "v1.139.0"},
}

// Options configure New.
type Options struct {
	// Name is the module's directory name, which `cdk init` names the app's
	// files and stack after.
	//
	// Default: "app".
	Name string
	// Path is the module path.
	//
	// Default: Name.
	Path string
	// Require are requirements besides fnenv's.
	//
	// Default: none (fnenv's go.mod brings the pinned CDK modules). Use
	// CDKRequires for the go.mod of a `cdk init` app.
	Require []Require
	// GoVersion is go.mod's go line.
	//
	// Default: "1.26.0".
	GoVersion string
}

// Module is a Go module in a temporary directory that requires fnenv,
// replaced by this checkout. Its methods fail the test on error.
type Module struct {
	t testing.TB
	// Dir is the module root: <temp dir>/<Name>.
	Dir string
	// Path is the module path.
	Path string
	// Repo is the root of the fnenv checkout the replace directive points at.
	Repo string
	// CDK is the pinned CDK CLI: $CDK_CLI, else Repo/.tools/node_modules/.bin/cdk.
	CDK string
	// Env is the environment commands run with; append to change it.
	Env []string
}

// New writes go.mod in a new temporary directory: the module requires
// fnenv v0.0.0, replaced by this checkout, and o.Require. It writes no
// go.sum: call Tidy, or let the code under test complete the module.
func New(t testing.TB, o Options) *Module {
	t.Helper()
	if o.Name == "" {
		o.Name = "app"
	}
	if o.Path == "" {
		o.Path = o.Name
	}
	if o.GoVersion == "" {
		o.GoVersion = "1.26.0"
	}
	repo, err := Repo()
	if err != nil {
		t.Fatal(err)
	}
	m := &Module{t: t, Dir: filepath.Join(t.TempDir(), o.Name), Path: o.Path, Repo: repo, CDK: os.Getenv("CDK_CLI"), Env: Environ(repo)}
	if m.CDK == "" {
		m.CDK = filepath.Join(repo, ".tools", "node_modules", ".bin", "cdk")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "module %s\n\ngo %s\n\nrequire (\n\t%s v0.0.0\n", o.Path, o.GoVersion, FnenvPath)
	for _, r := range o.Require {
		fmt.Fprintf(&b, "\t%s %s\n", r.Path, r.Version)
	}
	fmt.Fprintf(&b, ")\n\nreplace %s => %s\n", FnenvPath, repo)
	if err := os.MkdirAll(m.Dir, 0o755); err != nil {
		t.Fatal(err)
	}
	m.WriteFile("go.mod", b.String())
	return m
}

// Repo returns the root of the fnenv checkout: the nearest directory at or
// above the working directory whose go.mod declares module
// github.com/fnenv/fnenv (a test's working directory is its package's).
func Repo() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; {
		if isFnenvRoot(d) {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
	}
	// Outside the checkout (a test binary run elsewhere): this file's own.
	if _, file, _, ok := runtime.Caller(0); ok {
		if d := filepath.Dir(filepath.Dir(filepath.Dir(file))); isFnenvRoot(d) {
			return d, nil
		}
	}
	return "", fmt.Errorf("usermod: no go.mod of module %s at or above %s", FnenvPath, wd)
}

func isFnenvRoot(dir string) bool {
	f, err := os.Open(filepath.Join(dir, "go.mod"))
	if err != nil {
		return false
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if fs := strings.Fields(s.Text()); len(fs) == 2 && fs[0] == "module" {
			return strings.Trim(fs[1], `"`) == FnenvPath
		}
	}
	return false
}

// Environ returns the environment for commands in a user's module: the
// process's, without the variables that would steer the app's identity or
// output from outside (AWS_APP_ID, AWS_BRANCH, CDK_OUTDIR,
// CDK_CONTEXT_JSON) or pick another toolchain or workspace, plus
// GOTOOLCHAIN=local, GOWORK=off, CDK_DISABLE_VERSION_CHECK=1, jsii's Node
// warnings silenced, and the Node 22 under repo/.tools first on PATH.
func Environ(repo string) []string {
	drop := []string{"AWS_APP_ID=", "AWS_BRANCH=", "CDK_OUTDIR=", "CDK_CONTEXT_JSON=", "GOTOOLCHAIN=", "GOWORK=", "PATH="}
	var env []string
next:
	for _, kv := range os.Environ() {
		for _, p := range drop {
			if strings.HasPrefix(kv, p) {
				continue next
			}
		}
		env = append(env, kv)
	}
	path := os.Getenv("PATH")
	for _, arch := range []string{"arm64", "x64"} {
		if bin := filepath.Join(repo, ".tools", "node_modules", "node-linux-"+arch, "bin"); isDir(bin) {
			path = bin + string(os.PathListSeparator) + path
		}
	}
	return append(env, "PATH="+path, "GOTOOLCHAIN=local", "GOWORK=off", "CDK_DISABLE_VERSION_CHECK=1",
		"JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION=1", "JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION=1")
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// WriteFile writes content to rel (slash-separated, relative to Dir),
// creating its directory.
func (m *Module) WriteFile(rel, content string) {
	m.t.Helper()
	p := filepath.Join(m.Dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		m.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		m.t.Fatal(err)
	}
}

// ReadFile returns the content of rel (slash-separated, relative to Dir).
func (m *Module) ReadFile(rel string) string {
	m.t.Helper()
	b, err := os.ReadFile(filepath.Join(m.Dir, filepath.FromSlash(rel)))
	if err != nil {
		m.t.Fatal(err)
	}
	return string(b)
}

// Files returns every regular file under Dir, by slash-separated relative
// path, with its content and mode: to check that a command changed nothing.
func (m *Module) Files() map[string]string {
	m.t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(m.Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(m.Dir, p)
		if d.IsDir() {
			if rel != "." {
				files[filepath.ToSlash(rel)+"/"] = "dir"
			}
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files[filepath.ToSlash(rel)] = fmt.Sprintf("%v\n%s", fi.Mode(), b)
		return nil
	})
	if err != nil {
		m.t.Fatal(err)
	}
	return files
}

// Command returns the command name args, to run in Dir with Env.
func (m *Module) Command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Dir, cmd.Env = m.Dir, m.Env
	return cmd
}

// Run runs name args in Dir with Env and returns its combined output;
// err describes the command and its exit status.
func (m *Module) Run(name string, args ...string) (string, error) {
	out, err := m.Command(name, args...).CombinedOutput()
	if err != nil {
		err = fmt.Errorf("%s %s (in %s): %w", filepath.Base(name), strings.Join(args, " "), m.Dir, err)
	}
	return string(out), err
}

// must runs name args and fails the test, showing the output, on error.
func (m *Module) must(name string, args ...string) string {
	m.t.Helper()
	out, err := m.Run(name, args...)
	if err != nil {
		m.t.Fatalf("%v\n%s", err, out)
	}
	return out
}

// Go runs the go command with args and returns its combined output.
func (m *Module) Go(args ...string) string {
	m.t.Helper()
	return m.must("go", args...)
}

// Tidy runs `go mod tidy`: the requirements and go.sum the module's
// imports need, at the versions fnenv's go.mod selects unless go.mod asks
// for more.
func (m *Module) Tidy() {
	m.t.Helper()
	m.Go("mod", "tidy")
}

// CDKRun runs the pinned CDK CLI with args and returns its combined output.
// It fails the test when the CLI is not installed.
func (m *Module) CDKRun(args ...string) (string, error) {
	m.t.Helper()
	if _, err := os.Stat(m.CDK); err != nil {
		m.t.Fatalf("CDK CLI not found (%v): run `make deps` or set CDK_CLI", err)
	}
	return m.Run(m.CDK, args...)
}

// Synth runs `cdk synth --quiet -c branch=<branch> -o <temp dir>` and
// extra args, and returns the cloud assembly's directory.
func (m *Module) Synth(branch string, extra ...string) string {
	m.t.Helper()
	out := m.t.TempDir()
	args := append([]string{"synth", "--quiet", "-c", "branch=" + branch, "-o", out}, extra...)
	if o, err := m.CDKRun(args...); err != nil {
		m.t.Fatalf("%v\n%s", err, o)
	}
	return out
}

// Template returns the template of stack in the cloud assembly outdir.
func (m *Module) Template(outdir, stack string) []byte {
	m.t.Helper()
	b, err := os.ReadFile(filepath.Join(outdir, stack+".template.json"))
	if err != nil {
		m.t.Fatalf("stack %s: %v", stack, err)
	}
	return b
}
