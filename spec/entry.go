package spec

import (
	"errors"
	"fmt"
	"go/build"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// The entry rules, the one place the construct, the generator and the CLI
// read them from: how an entry is spelled (CleanEntry), where the app's
// module root is (ModuleRoot) and which Go module builds a handler
// (ResolveEntry).

// CleanEntry returns the canonical form of a function's entry: the
// handler's main package directory, relative to the module root and
// slash-separated, without "./" or a trailing slash. A path ending in
// ".go" names a file of the package; its directory is the entry. So
// "./lambda/orders", "lambda/orders/", "lambda/orders/main.go" and
// "lambda/orders" are one entry, "lambda/orders".
//
// It fails when entry is empty, absolute, uses '\' or leaves the module
// root (".."), or names the module root itself, which holds the CDK app's
// own main package.
func CleanEntry(entry string) (string, error) {
	switch {
	case entry == "":
		return "", errors.New("must not be empty: give the handler's main package (a directory or its main.go), relative to the module root")
	case strings.Contains(entry, `\`):
		return "", fmt.Errorf("%q must be clean and slash-separated: write %q", entry, path.Clean(strings.ReplaceAll(entry, `\`, "/")))
	case path.IsAbs(entry) || filepath.IsAbs(entry):
		return "", fmt.Errorf("%q must be a path relative to the module root, inside it", entry)
	}
	e := path.Clean(entry)
	if strings.HasSuffix(e, ".go") {
		e = path.Dir(e)
	}
	switch {
	case e == ".." || strings.HasPrefix(e, "../"):
		return "", fmt.Errorf("%q must be a path relative to the module root, inside it", entry)
	case e == ".":
		return "", fmt.Errorf("%q is the module root, which holds the CDK app: give the handler's own directory, like \"app/functions/say-hello\"", entry)
	}
	return e, nil
}

// ModuleRoot returns the nearest directory at or above dir holding a
// go.mod file: the module root entries are relative to.
func ModuleRoot(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if d, ok := findGoMod(abs, ""); ok {
		return d, nil
	}
	return "", fmt.Errorf("no go.mod in %s or any parent: run the CDK app from inside its Go module", abs)
}

// findGoMod walks up from dir, stopping after stop ("" for the file
// system's root), to the first directory holding go.mod.
func findGoMod(dir, stop string) (string, bool) {
	for d := dir; ; {
		if fi, err := os.Stat(filepath.Join(d, "go.mod")); err == nil && !fi.IsDir() {
			return d, true
		}
		parent := filepath.Dir(d)
		if parent == d || d == stop {
			return "", false
		}
		d = parent
	}
}

// ResolveEntry checks that entry, in the form CleanEntry returns, is a
// directory under root holding a Go main package (as built for Lambda:
// linux, no cgo, tag lambda.norpc), and returns the handler's Go module:
// the directory of the nearest go.mod at or above the entry, relative to
// root and slash-separated ("." when it is root's own). A handler in a
// nested module (workers/go.mod) is built in that module; a go.work above
// it is honoured by the go command.
func ResolveEntry(root, entry string) (module string, err error) {
	dir := filepath.Join(root, filepath.FromSlash(entry))
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return "", fmt.Errorf("directory %s does not exist (Entry is relative to the module root %s)", entry, root)
	}
	ctx := build.Default
	ctx.GOOS, ctx.CgoEnabled, ctx.BuildTags = "linux", false, []string{"lambda.norpc"}
	pkg, err := ctx.ImportDir(dir, 0)
	var noGo *build.NoGoError
	switch {
	case errors.As(err, &noGo):
		return "", fmt.Errorf("%s holds no Go files: Entry must be the handler's main package", entry)
	case err != nil:
		return "", fmt.Errorf("%s: %v", entry, err)
	case pkg.Name != "main":
		return "", fmt.Errorf("%s is package %s, not a main package: Entry must be the handler's main package", entry, pkg.Name)
	}
	mod, ok := findGoMod(dir, filepath.Clean(root))
	if !ok {
		return "", fmt.Errorf("no go.mod in %s or above it up to %s", entry, root)
	}
	rel, err := filepath.Rel(root, mod)
	if err != nil {
		return "", err
	}
	return filepath.ToSlash(rel), nil
}
