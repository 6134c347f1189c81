// Package srctree reads the user's source tree: the module root a
// function's entry is relative to, the Go module a handler builds in, and
// the current git branch. The construct and the CLI use it; it is apart
// from package model because it runs git and go/build (os/exec, regexp),
// which handlers, linking model for the wire format, must not link.
package srctree

import (
	"context"
	"errors"
	"fmt"
	"go/build"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

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

// ResolveEntry checks that entry, in the form model.CleanEntry returns, is a
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
	if _, err := ResolveInside(root, entry); err != nil {
		return "", err
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

// ResolveInside returns where rel (slash-separated, relative to root)
// resolves with every symbolic link followed (filepath.EvalSymlinks; a
// part that does not exist yet is taken as it is), and an error when that
// is outside root, itself resolved: fnenv writes a function's env package
// under its entry, which must not lead out of the module.
func ResolveInside(root, rel string) (string, error) {
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return "", err
	}
	existing, rest := filepath.Join(root, filepath.FromSlash(rel)), ""
	for {
		real, err := filepath.EvalSymlinks(existing)
		if err == nil {
			resolved := filepath.Join(real, rest)
			if r, err := filepath.Rel(realRoot, resolved); err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
				return "", fmt.Errorf("%s resolves to %s, outside the module root %s (a symbolic link on the way leads out of it): fnenv writes the env package under the entry, so the entry must resolve inside the module; give the handler's directory inside it", rel, resolved, realRoot)
			}
			return resolved, nil
		}
		parent := filepath.Dir(existing)
		if !errors.Is(err, os.ErrNotExist) || parent == existing {
			return "", err
		}
		rest = filepath.Join(filepath.Base(existing), rest)
		existing = parent
	}
}

// GitBranch returns the current git branch of dir ("" is the working
// directory), or "" when dir is not in a git work tree, git is missing or
// HEAD is detached. It is the last source of a backend's branch
// (model.Sources.GitBranch).
func GitBranch(dir string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", "symbolic-ref", "--quiet", "--short", "HEAD")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// MergeBuildFlags adds a target's own go build flags (extra) to base tags
// and ldflags: a -tags or -ldflags of extra (written "-tags=a,b" or
// "-tags", "a,b") is merged into them, since the go command keeps only the
// last of each; the other flags come back in rest, in their order. The
// function construct's build for Lambda and `fnenv invoke`'s build for
// this machine both use it.
func MergeBuildFlags(baseTags []string, baseLdflags string, extra []string) (tags []string, ldflags string, rest []string) {
	tags, ldflags = append([]string(nil), baseTags...), baseLdflags
	for i := 0; i < len(extra); i++ {
		name, val, hasVal := strings.Cut(strings.TrimLeft(extra[i], "-"), "=")
		if !strings.HasPrefix(extra[i], "-") || (name != "tags" && name != "ldflags") {
			rest = append(rest, extra[i])
			continue
		}
		if !hasVal && i+1 < len(extra) {
			i++
			val = extra[i]
		}
		if name == "tags" {
			tags = append(tags, strings.FieldsFunc(val, func(r rune) bool { return r == ',' || r == ' ' })...)
		} else if val != "" {
			ldflags = strings.TrimSpace(ldflags + " " + val)
		}
	}
	return tags, ldflags, rest
}
