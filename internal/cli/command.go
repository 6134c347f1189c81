package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// cachedExe matches the directory of an executable the go command keeps in
// its build cache (go tool, go run since Go 1.24): <GOCACHE>/xx/<64 hex
// digits of the output id>-d/<name> (cmd/go/internal/cache: fileName(out,
// "d")).
var cachedExe = regexp.MustCompile(`^[0-9a-f]{64}-d$`)

// CommandName is how the person running this binary runs fnenv, for the
// commands fnenv prints as hints: "go tool fnenv" when the go command built
// it on the fly — its executable is in the go command's build cache
// (<GOCACHE>/xx/<hash>-d/fnenv) or in a build's work directory
// ($TMPDIR/go-build…/b001/exe/fnenv), as `go tool fnenv` runs it — else
// "fnenv" (installed with go install, on PATH). `go run` of the command
// looks the same; `go tool fnenv` is the documented way (go get -tool).
// exe is the path of the executable (os.Executable).
func CommandName(exe string) string {
	dir := filepath.Dir(exe)
	if cachedExe.MatchString(filepath.Base(dir)) {
		return "go tool fnenv"
	}
	if filepath.Base(dir) == "exe" {
		for d := filepath.Dir(dir); d != filepath.Dir(d); d = filepath.Dir(d) {
			if strings.HasPrefix(filepath.Base(d), "go-build") {
				return "go tool fnenv"
			}
		}
	}
	return "fnenv"
}

// executableCommand is CommandName of this process's executable.
func executableCommand() string {
	exe, err := os.Executable()
	if err != nil {
		return "fnenv"
	}
	return CommandName(exe)
}

// command is the command line that runs fnenv with args, as the person
// running this one runs fnenv (App.Name): "go tool fnenv secret set X".
// args are already quoted for a shell where needed.
func (r *runner) command(args ...string) string {
	return strings.Join(append([]string{r.app.Name}, args...), " ")
}
