package cli

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"text/template"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/fnenv/fnenv/codegen"
	"github.com/fnenv/fnenv/model"
)

//go:embed inittmpl/*.tmpl
var initFS embed.FS

var initTmpl = template.Must(template.New("").ParseFS(initFS, "inittmpl/*.tmpl"))

// fnenvModule is fnenv's module path: the app requires it.
const fnenvModule = "github.com/fnenv/fnenv"

// initFunction is the spec of the function `fnenv init` writes; it must
// match the function.New call in inittmpl/app.go.tmpl (the init test
// checks that synth leaves the env package as init wrote it).
var initFunction = model.NewFunction("hello", "functions/hello", map[string]model.Variable{
	"GREETING": {Kind: model.Literal},
	"API_KEY":  {Kind: model.Secret, Secret: "API_KEY"},
})

// initGitignore are the lines `fnenv init` makes sure .gitignore has: the
// build cache of handlers and the cloud assembly.
var initGitignore = []string{".fnenv/", "cdk.out/"}

func (r *runner) initCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "init",
		Short: "Write a new CDK app with one fnenv function into the Go module here",
		Long: `Write a ready CDK app into the Go module whose go.mod is in the working
directory, laid out as 'cdk init app --language go' lays it out:

  cdk.json                  the CDK app (go run .), appId in its context
  <dir>.go                  main: one team stack (backend.NewStack) with one
                            function mixing a literal and a secret
  <dir>_test.go             a unit test of the stack (GIVEN / WHEN / THEN)
  functions/hello/main.go   the function's handler
  functions/hello/env/      its generated env package

<dir> is the directory's name. .gitignore gets .fnenv/ and cdk.out/, and
'go mod tidy' completes go.mod and go.sum, so that 'cdk synth -c branch=main'
and 'go test ./...' work with no other step. go.mod must require
github.com/fnenv/fnenv, unless this fnenv was installed at a version
(go install ...@vX), which is then required.

Nothing is changed when a file it would write exists, or when the module
root already holds Go files (the app's main package goes there).`,
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error { return r.init(c.Context()) },
	}
}

// initApp is what fills the templates.
type initApp struct {
	Module string // the module path
	File   string // base name of the main package's file: "my-shop"
	Name   string // Go name of the stack: "MyShop"
	AppID  string // cdk.json's appId: "my-shop"
	Fnenv  string // fnenv as the user runs it, for comments: "go tool fnenv"; "" is "fnenv"
}

// newInitApp names the app after the directory dir, as cdk init does: its
// words (runs of letters and digits) joined with '-' name the files and the
// app id, and in Pascal case the stack.
func newInitApp(dir, module string) initApp {
	words := strings.FieldsFunc(filepath.Base(dir), func(r rune) bool {
		return r > unicode.MaxASCII || !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	a := initApp{Module: module, File: strings.ToLower(strings.Join(words, "-"))}
	for _, w := range words {
		a.Name += strings.ToUpper(w[:1]) + w[1:]
	}
	if a.File == "" {
		a.File = "app"
	}
	if a.Name == "" || !unicode.IsLetter(rune(a.Name[0])) {
		a.Name = "App" + a.Name
	}
	a.AppID = a.File
	if model.ValidateBackend(model.Backend{AppID: a.AppID, Branch: "main"}) != nil {
		a.AppID = a.File + "-app" // "shared" is reserved
	}
	return a
}

// initFile is a file `fnenv init` writes.
type initFile struct {
	path string // slash-separated, relative to the module root
	data []byte
}

func (r *runner) init(ctx context.Context) error {
	dir, err := filepath.Abs(r.app.Dir)
	if err != nil {
		return failed("init: %v", err)
	}
	gomod := filepath.Join(dir, "go.mod")
	if _, err := os.Stat(gomod); err != nil {
		return usage("init: no go.mod in %s: run %s in the root of a Go module (go mod init example.com/app)", dir, r.command("init"))
	}
	mod, err := r.readGoMod(ctx, dir)
	if err != nil {
		return err
	}
	requireFnenv := ""
	if !slices.ContainsFunc(mod.Require, func(r goModRequire) bool { return r.Path == fnenvModule }) {
		if requireFnenv = fnenvVersion(); requireFnenv == "" {
			return usage("init: go.mod does not require %s: run 'go get %s@<version>' (or 'go get -tool %s/cmd/fnenv@<version>') first",
				fnenvModule, fnenvModule, fnenvModule)
		}
	}

	a := newInitApp(dir, mod.Module.Path)
	a.Fnenv = r.command()
	files, err := initFiles(a)
	if err != nil {
		return failed("init: %v", err)
	}

	// Refuse before writing anything.
	var exist []string
	for _, f := range files {
		if _, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(f.path))); err == nil {
			exist = append(exist, f.path)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return failed("init: %v", err)
		}
	}
	if len(exist) > 0 {
		return failed("init: %s already exist in %s: %s writes a new app and overwrites nothing; nothing was changed", strings.Join(exist, ", "), dir, r.command("init"))
	}
	if goFiles, _ := filepath.Glob(filepath.Join(dir, "*.go")); len(goFiles) > 0 {
		for i := range goFiles {
			goFiles[i] = filepath.Base(goFiles[i])
		}
		return failed("init: the module root %s already holds Go files (%s), and the app's main package goes there: run %s in a new module; nothing was changed", dir, strings.Join(goFiles, ", "), r.command("init"))
	}

	// Write, keeping what is needed to undo it all on a failure.
	var undo []func()
	done := false
	defer func() {
		if !done {
			for i := len(undo) - 1; i >= 0; i-- {
				undo[i]()
			}
		}
	}()
	for _, name := range []string{"go.mod", "go.sum"} {
		p := filepath.Join(dir, name)
		if old, err := os.ReadFile(p); err == nil {
			undo = append(undo, func() { _ = os.WriteFile(p, old, 0o644) })
		} else {
			undo = append(undo, func() { _ = os.Remove(p) })
		}
	}
	for _, f := range files {
		made, err := writeNew(dir, f)
		undo = append(undo, made...)
		if err != nil {
			return failed("init: %v; nothing was changed", err)
		}
	}
	if requireFnenv != "" {
		if err := r.goCmd(ctx, dir, "get", fnenvModule+"@"+requireFnenv); err != nil {
			return err
		}
	}
	if err := r.goCmd(ctx, dir, "mod", "tidy"); err != nil {
		return err
	}
	added, err := addGitignore(dir)
	if err != nil {
		return failed("init: .gitignore: %v; nothing was changed", err)
	}
	done = true
	for _, f := range files {
		fmt.Fprintf(r.app.Stdout, "wrote %s\n", f.path)
	}
	if len(added) > 0 {
		fmt.Fprintf(r.app.Stdout, "added %s to .gitignore\n", strings.Join(added, " "))
	}
	if initGitRepo(ctx, dir) {
		fmt.Fprintln(r.app.Stdout, "initialized a git repository (git init): without -c branch=…, the app deploys the current git branch")
	}
	fmt.Fprintln(r.app.Stdout, "go.mod and go.sum are complete (go mod tidy)")
	fmt.Fprintln(r.app.Stdout, "\nNext:")
	next := [][2]string{
		{"go test ./...", "the stack's unit test"},
		{r.command("secret", "set", "API_KEY", "--branch", "main"), "or --shared, for every branch"},
		{"cdk synth -c branch=main", "build the handler, write the templates"},
		{"cdk bootstrap", "once per account and region"},
		{"cdk deploy --all -c branch=main", ""},
	}
	width := 0
	for _, n := range next {
		width = max(width, len(n[0]))
	}
	for _, n := range next {
		if n[1] == "" {
			fmt.Fprintf(r.app.Stdout, "  %s\n", n[0])
		} else {
			fmt.Fprintf(r.app.Stdout, "  %-*s # %s\n", width, n[0], n[1])
		}
	}
	return nil
}

// initGitRepo makes dir a git repository, as `cdk init` does, when it is not
// inside a git work tree and git is installed, and reports whether it did.
// The branch of a synth without -c branch=… comes from git: without a
// repository, `cdk bootstrap` (which runs the app) fails for want of one.
// Its first branch is the user's init.defaultBranch, else main, the branch
// the README's and init's commands name (git's built-in default is still
// master). A failure leaves the app as written: the repository is a
// convenience.
func initGitRepo(ctx context.Context, dir string) bool {
	if _, err := exec.LookPath("git"); err != nil {
		return false
	}
	in := exec.CommandContext(ctx, "git", "rev-parse", "--is-inside-work-tree")
	in.Dir = dir
	if out, err := in.Output(); err == nil && strings.TrimSpace(string(out)) == "true" {
		return false
	}
	args := []string{"init", "--quiet"}
	def := exec.CommandContext(ctx, "git", "config", "--get", "init.defaultBranch")
	def.Dir = dir
	if out, err := def.Output(); err != nil || strings.TrimSpace(string(out)) == "" {
		args = append(args, "--initial-branch=main")
	}
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	return cmd.Run() == nil
}

// initFiles returns the files of the app a, in the order they are written.
func initFiles(a initApp) ([]initFile, error) {
	var files []initFile
	for _, t := range []struct{ tmpl, path string }{
		{"cdk.json.tmpl", "cdk.json"},
		{"app.go.tmpl", a.File + ".go"},
		{"app_test.go.tmpl", a.File + "_test.go"},
		{"handler.go.tmpl", initFunction.Entry + "/main.go"},
	} {
		var b bytes.Buffer
		if err := initTmpl.ExecuteTemplate(&b, t.tmpl, a); err != nil {
			return nil, err
		}
		files = append(files, initFile{t.path, b.Bytes()})
	}
	env, err := codegen.Generate(initFunction)
	if err != nil {
		return nil, err
	}
	return append(files, initFile{codegen.Path(initFunction), env}), nil
}

// writeNew creates f under dir, with its missing directories, and never
// replaces a file. It returns how to undo what it made, even on error.
func writeNew(dir string, f initFile) (undo []func(), err error) {
	p := filepath.Join(dir, filepath.FromSlash(f.path))
	// Directories to create, outermost first, so that undo removes them
	// innermost first.
	var dirs []string
	for d := filepath.Dir(p); d != dir; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); err == nil {
			break
		}
		dirs = append([]string{d}, dirs...)
	}
	for _, d := range dirs {
		if err := os.Mkdir(d, 0o755); err != nil {
			return undo, err
		}
		undo = append(undo, func() { _ = os.Remove(d) })
	}
	out, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return undo, err
	}
	undo = append(undo, func() { _ = os.Remove(p) })
	if _, err := out.Write(f.data); err != nil {
		out.Close()
		return undo, fmt.Errorf("writing %s: %w", f.path, err)
	}
	return undo, out.Close()
}

// addGitignore appends to dir/.gitignore the lines of initGitignore it
// lacks (creating it), and returns them.
func addGitignore(dir string) ([]string, error) {
	p := filepath.Join(dir, ".gitignore")
	old, err := os.ReadFile(p)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	have := map[string]bool{}
	for _, l := range strings.Split(string(old), "\n") {
		l = strings.TrimSpace(l)
		have[strings.TrimPrefix(strings.TrimSuffix(l, "/"), "/")] = true
	}
	var add []string
	for _, l := range initGitignore {
		if !have[strings.TrimSuffix(l, "/")] {
			add = append(add, l)
		}
	}
	if len(add) == 0 {
		return nil, nil
	}
	b := bytes.NewBuffer(old)
	if len(old) > 0 && !bytes.HasSuffix(old, []byte("\n")) {
		b.WriteByte('\n')
	}
	for _, l := range add {
		b.WriteString(l + "\n")
	}
	return add, os.WriteFile(p, b.Bytes(), 0o644)
}

type goModRequire struct{ Path, Version string }

// goMod is what `go mod edit -json` prints that init reads.
type goMod struct {
	Module  struct{ Path string }
	Require []goModRequire
}

func (r *runner) readGoMod(ctx context.Context, dir string) (*goMod, error) {
	cmd := exec.CommandContext(ctx, "go", "mod", "edit", "-json")
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, failed("init: reading go.mod (go mod edit -json, in %s): %v\n%s", dir, err, strings.TrimSpace(stderr.String()))
	}
	var m goMod
	if err := json.Unmarshal(out, &m); err != nil || m.Module.Path == "" {
		return nil, failed("init: reading go.mod in %s: no module path", dir)
	}
	return &m, nil
}

// goCmd runs the go command in dir, its output to Stderr.
func (r *runner) goCmd(ctx context.Context, dir string, args ...string) error {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = r.app.Stderr, r.app.Stderr
	if err := cmd.Run(); err != nil {
		return failed("init: go %s (in %s): %v; nothing was changed", strings.Join(args, " "), dir, err)
	}
	return nil
}

// fnenvVersion is the version of fnenv this binary was built from when it
// was installed at one (go install …@vX), else "".
func fnenvVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	if bi.Main.Path == fnenvModule && strings.HasPrefix(bi.Main.Version, "v") {
		return bi.Main.Version
	}
	return ""
}
