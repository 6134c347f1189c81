package cli

import "testing"

// TestCommandName: the executables `go tool fnenv` runs (first from a
// build's work directory, then from the build cache) say "go tool fnenv";
// an installed one, or a test binary, "fnenv".
func TestCommandName(t *testing.T) {
	for exe, want := range map[string]string{
		"/tmp/go-build2856313153/b001/exe/fnenv":                                                            "go tool fnenv",
		"/root/.cache/go-build/ee/ee2eb0ff04ef5496b7bbfcc691950d32968ef914ec926765a38d9da533d7850c-d/fnenv": "go tool fnenv",
		"/custom/gocache/0a/0a2eb0ff04ef5496b7bbfcc691950d32968ef914ec926765a38d9da533d7850c-d/fnenv":       "go tool fnenv",
		"/home/me/go/bin/fnenv":                       "fnenv",
		"/usr/local/bin/fnenv":                        "fnenv",
		"/tmp/go-build123/b001/cli.test":              "fnenv",
		"/home/me/exe/fnenv":                          "fnenv", // an exe directory outside a go build
		"/root/.cache/go-build/ee/not-a-hash-d/fnenv": "fnenv",
	} {
		if got := CommandName(exe); got != want {
			t.Errorf("CommandName(%q) = %q, want %q", exe, got, want)
		}
	}
}
