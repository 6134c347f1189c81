// Package fnenvcmd decides how the commands fnenv prints as hints spell
// fnenv — "go tool fnenv" or "fnenv" — so that a hint runs as written: the
// CLI's hints by how the CLI itself was run (FromExecutable), a synth's by
// how the app's module runs it (FromModule).
package fnenvcmd

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/mod/modfile"

	"github.com/fnenv/fnenv/internal/srctree"
)

const (
	// Tool runs fnenv as a tool of the module (go get -tool).
	Tool = "go tool fnenv"
	// Installed runs fnenv from PATH (go install).
	Installed = "fnenv"
	// CLIPackage is fnenv's command, as a go.mod tool directive names it.
	CLIPackage = "github.com/fnenv/fnenv/cmd/fnenv"
)

// cachedExe matches the directory of an executable the go command keeps in
// its build cache (go tool, go run since Go 1.24): <GOCACHE>/xx/<64 hex
// digits of the output id>-d/<name> (cmd/go/internal/cache: fileName(out,
// "d")).
var cachedExe = regexp.MustCompile(`^[0-9a-f]{64}-d$`)

// FromExecutable is how the person running the executable exe (the CLI's
// os.Executable) runs fnenv: Tool when the go command built it on the fly
// — exe is in the go command's build cache (<GOCACHE>/xx/<hash>-d/fnenv)
// or in a build's work directory ($TMPDIR/go-build…/b001/exe/fnenv), as
// `go tool fnenv` runs it — else Installed. `go run` of the command looks
// the same; `go tool fnenv` is the documented way (go get -tool).
func FromExecutable(exe string) string {
	dir := filepath.Dir(exe)
	if cachedExe.MatchString(filepath.Base(dir)) {
		return Tool
	}
	if filepath.Base(dir) == "exe" {
		for d := filepath.Dir(dir); d != filepath.Dir(d); d = filepath.Dir(d) {
			if strings.HasPrefix(filepath.Base(d), "go-build") {
				return Tool
			}
		}
	}
	return Installed
}

// Executable is FromExecutable of this process's executable.
func Executable() string {
	exe, err := os.Executable()
	if err != nil {
		return Installed
	}
	return FromExecutable(exe)
}

// FromModule is how the developers of the Go module at or above dir run
// fnenv: Tool when its go.mod declares fnenv's command as a tool (`tool
// github.com/fnenv/fnenv/cmd/fnenv`, which go get -tool writes), else
// Installed — also when there is no go.mod or it does not parse. A synth
// (the process of the user's CDK app, not fnenv's) spells its hints so.
func FromModule(dir string) string {
	root, err := srctree.ModuleRoot(dir)
	if err != nil {
		return Installed
	}
	p := filepath.Join(root, "go.mod")
	data, err := os.ReadFile(p)
	if err != nil {
		return Installed
	}
	f, err := modfile.Parse(p, data, nil)
	if err != nil {
		return Installed
	}
	if slices.ContainsFunc(f.Tool, func(t *modfile.Tool) bool { return t.Path == CLIPackage }) {
		return Tool
	}
	return Installed
}
