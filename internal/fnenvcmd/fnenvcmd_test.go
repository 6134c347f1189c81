package fnenvcmd

import (
	"os"
	"path/filepath"
	"testing"
)

// TestFromExecutable: the executables `go tool fnenv` runs (first from a
// build's work directory, then from the build cache) say "go tool fnenv";
// an installed one, or a test binary, "fnenv".
func TestFromExecutable(t *testing.T) {
	for exe, want := range map[string]string{
		"/tmp/go-build2856313153/b001/exe/fnenv":                                                            Tool,
		"/root/.cache/go-build/ee/ee2eb0ff04ef5496b7bbfcc691950d32968ef914ec926765a38d9da533d7850c-d/fnenv": Tool,
		"/custom/gocache/0a/0a2eb0ff04ef5496b7bbfcc691950d32968ef914ec926765a38d9da533d7850c-d/fnenv":       Tool,
		"/home/me/go/bin/fnenv":                       Installed,
		"/usr/local/bin/fnenv":                        Installed,
		"/tmp/go-build123/b001/cli.test":              Installed,
		"/home/me/exe/fnenv":                          Installed, // an exe directory outside a go build
		"/root/.cache/go-build/ee/not-a-hash-d/fnenv": Installed,
	} {
		if got := FromExecutable(exe); got != want {
			t.Errorf("FromExecutable(%q) = %q, want %q", exe, got, want)
		}
	}
}

// TestFromModule: a module whose go.mod has fnenv's command as a tool says
// "go tool fnenv", from its root or a directory below; others "fnenv".
func TestFromModule(t *testing.T) {
	write := func(dir, gomod string) string {
		t.Helper()
		if err := os.MkdirAll(filepath.Join(dir, "functions", "hello"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	tool := write(t.TempDir(), "module example.com/shop\n\ngo 1.26.0\n\ntool github.com/fnenv/fnenv/cmd/fnenv\n")
	other := write(t.TempDir(), "module example.com/shop\n\ngo 1.26.0\n\ntool golang.org/x/tools/cmd/stringer\n")
	broken := write(t.TempDir(), "module\n")
	for dir, want := range map[string]string{
		tool: Tool, filepath.Join(tool, "functions", "hello"): Tool,
		other: Installed, broken: Installed, t.TempDir(): Installed,
	} {
		if got := FromModule(dir); got != want {
			t.Errorf("FromModule(%s) = %q, want %q", dir, got, want)
		}
	}
}
