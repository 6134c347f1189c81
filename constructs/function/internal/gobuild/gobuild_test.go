package gobuild

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// module writes a standard-library-only module with a main package per
// entry and a shared library package, and returns its root.
func module(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	files := map[string]string{
		"go.mod":         "module example.com/m\n\ngo 1.26\n",
		"lib/lib.go":     "package lib\n\nconst Greeting = \"hello\"\n",
		"a/main.go":      "package main\n\nimport (\n\t\"fmt\"\n\n\t\"example.com/m/lib\"\n)\n\nfunc main() { fmt.Println(lib.Greeting) }\n",
		"b/main.go":      "package main\n\nfunc main() {}\n",
		"broken/main.go": "package main\n\nfunc main() { nope() }\n",
	}
	writeFiles(t, root, files)
	return root
}

// writeFiles writes files, by slash-separated path, under root.
func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, src := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestBuildCachesAndRebuildsOnChange(t *testing.T) {
	root := module(t)
	b := &Builder{ModuleRoot: root}
	targets := []Target{{Name: "a", Entry: "a", GOARCH: "arm64"}, {Name: "b", Entry: "b", GOARCH: "arm64"}}

	first := b.Build(context.Background(), targets)
	for i, r := range first {
		if r.Err != nil || r.Cached {
			t.Fatalf("first build of %s: cached=%v err=%v", targets[i].Name, r.Cached, r.Err)
		}
		entries, _ := os.ReadDir(r.Dir)
		if len(entries) != 1 || entries[0].Name() != BinaryName {
			t.Errorf("%s: asset dir holds %v, want only %s", targets[i].Name, entries, BinaryName)
		}
	}
	binA, _ := os.ReadFile(filepath.Join(first[0].Dir, BinaryName))

	// Same source: from the cache, same key.
	second := b.Build(context.Background(), targets)
	for i, r := range second {
		if r.Err != nil || !r.Cached || r.Key != first[i].Key {
			t.Errorf("second build of %s: cached=%v key %s→%s err=%v", targets[i].Name, r.Cached, first[i].Key, r.Key, r.Err)
		}
	}

	// A change in a package a imports rebuilds a, not b.
	if err := os.WriteFile(filepath.Join(root, "lib/lib.go"), []byte("package lib\n\nconst Greeting = \"hi\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	third := b.Build(context.Background(), targets)
	if third[0].Key == first[0].Key || third[0].Cached {
		t.Errorf("a after a change in lib: key unchanged or cached")
	}
	if third[1].Key != first[1].Key || !third[1].Cached {
		t.Errorf("b after a change in lib (not imported): key changed or rebuilt")
	}

	// Reproducible: the same source in a fresh cache gives the same bytes.
	if err := os.WriteFile(filepath.Join(root, "lib/lib.go"), []byte("package lib\n\nconst Greeting = \"hello\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fresh := (&Builder{ModuleRoot: root, CacheDir: t.TempDir()}).Build(context.Background(), targets[:1])
	again, _ := os.ReadFile(filepath.Join(fresh[0].Dir, BinaryName))
	if fresh[0].Key != first[0].Key || !bytes.Equal(again, binA) {
		t.Errorf("rebuild of the same source: key %s vs %s, equal bytes %v", fresh[0].Key, first[0].Key, bytes.Equal(again, binA))
	}
}

func TestCompileErrorNamesTheFunctionAndShowsTheCompiler(t *testing.T) {
	root := module(t)
	res := (&Builder{ModuleRoot: root}).Build(context.Background(), []Target{
		{Name: "broken-fn", Entry: "broken", GOARCH: "amd64"},
		{Name: "fine", Entry: "b", GOARCH: "amd64"},
	})
	var ce *CompileError
	if !errors.As(res[0].Err, &ce) {
		t.Fatalf("got %v, want a *CompileError", res[0].Err)
	}
	msg := ce.Error()
	for _, want := range []string{`function "broken-fn": build: go build ./broken failed:`, "undefined: nope"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	if res[1].Err != nil {
		t.Errorf("fine: %v", res[1].Err)
	}
}

func TestBuildFlagsMergeTagsAndLdflags(t *testing.T) {
	tests := []struct {
		name  string
		extra []string
		want  []string
	}{
		{"none", nil, []string{"-trimpath", "-buildvcs=false", "-tags", "lambda.norpc", "-ldflags=-s -w -buildid="}},
		{"tags and ldflags with =", []string{"-tags=prod,eu", "-ldflags=-X main.version=1.2.3"},
			[]string{"-trimpath", "-buildvcs=false", "-tags", "lambda.norpc,prod,eu", "-ldflags=-s -w -buildid= -X main.version=1.2.3"}},
		{"separate values and others kept", []string{"-tags", "prod", "-gcflags=all=-N", "--ldflags", "-X a.b=c"},
			[]string{"-trimpath", "-buildvcs=false", "-tags", "lambda.norpc,prod", "-ldflags=-s -w -buildid= -X a.b=c", "-gcflags=all=-N"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(BuildFlags(tt.extra), tt.want); diff != "" {
			t.Errorf("%s: BuildFlags (-got +want):\n%s", tt.name, diff)
		}
	}
	if err := CheckOptions([]string{"-o", "x", "-tags=a"}, map[string]string{"CGO_ENABLED": "1", "GOPRIVATE": "x"}); err == nil ||
		!strings.Contains(err.Error(), "-o is set by fnenv") || !strings.Contains(err.Error(), "CGO_ENABLED is set by fnenv") ||
		strings.Contains(err.Error(), "GOPRIVATE") {
		t.Errorf("CheckOptions = %v", err)
	}
}

func TestBuildWithTagsLdflagsAndANestedModule(t *testing.T) {
	root := module(t)
	files := map[string]string{
		// a main package whose tags pick the greeting, and -X sets a version
		"tagged/main.go": "package main\n\nimport \"fmt\"\n\nvar version = \"dev\"\n\nfunc main() { fmt.Println(greeting, version) }\n",
		"tagged/dev.go":  "//go:build !prod\n\npackage main\n\nconst greeting = \"dev\"\n",
		"tagged/prod.go": "//go:build prod\n\npackage main\n\nconst greeting = \"prod\"\n",
		// a nested module with its own go.mod
		"workers/go.mod":         "module example.com/workers\n\ngo 1.26\n",
		"workers/orders/main.go": "package main\n\nfunc main() {}\n",
	}
	writeFiles(t, root, files)
	b := &Builder{ModuleRoot: root}
	targets := []Target{
		{Name: "dev", Entry: "tagged", GOARCH: runtime.GOARCH},
		{Name: "prod", Entry: "tagged", GOARCH: runtime.GOARCH, Flags: []string{"-tags=prod", "-ldflags=-X main.version=1.2.3"}},
		{Name: "orders", Entry: "workers/orders", Module: "workers", GOARCH: "arm64"},
	}
	res := b.Build(context.Background(), targets)
	for i, r := range res {
		if r.Err != nil {
			t.Fatalf("%s: %v", targets[i].Name, r.Err)
		}
	}
	if res[0].Key == res[1].Key {
		t.Errorf("flags are not part of the key: both %s", res[0].Key)
	}
	if runtime.GOOS == "linux" {
		for i, want := range []string{"dev dev\n", "prod 1.2.3\n"} {
			out, err := exec.Command(filepath.Join(res[i].Dir, BinaryName)).Output()
			if err != nil || string(out) != want {
				t.Errorf("%s prints %q, %v; want %q", targets[i].Name, out, err, want)
			}
		}
	}
}

func TestBuildPrunesUnusedEntries(t *testing.T) {
	root := module(t)
	b := &Builder{ModuleRoot: root, KeepUnused: 24 * time.Hour}
	cache := filepath.Join(root, ".fnenv", "build")
	old := time.Now().Add(-48 * time.Hour)
	for _, name := range []string{"stale-key", "fresh-key", ".tmp-crashed"} {
		dir := filepath.Join(cache, name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if name != "fresh-key" {
			if err := os.Chtimes(dir, old, old); err != nil {
				t.Fatal(err)
			}
		}
	}
	target := []Target{{Name: "b", Entry: "b", GOARCH: "arm64"}}
	res := b.Build(context.Background(), target)
	if res[0].Err != nil {
		t.Fatal(res[0].Err)
	}
	// The entry just built is old too by the time of a later build: it is
	// spared because that build uses it.
	if err := os.Chtimes(res[0].Dir, old, old); err != nil {
		t.Fatal(err)
	}
	if res = b.Build(context.Background(), target); res[0].Err != nil || !res[0].Cached {
		t.Fatalf("second build = %+v, want a cache hit", res[0])
	}
	var got []string
	entries, _ := os.ReadDir(cache)
	for _, e := range entries {
		got = append(got, e.Name())
	}
	want := []string{"fresh-key", res[0].Key}
	sort.Strings(want)
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("cache entries after pruning (-got +want):\n%s", diff)
	}
}

// The uncached handlers of one architecture are built by one go build, so
// that an empty GOCACHE compiles the shared dependencies once.
func TestBuildOneInvocationPerArch(t *testing.T) {
	root := module(t)
	log := filepath.Join(t.TempDir(), "go.log")
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	wrapper := filepath.Join(t.TempDir(), "go")
	script := "#!/bin/sh\necho \"$1\" >> " + log + "\nexec " + goBin + " \"$@\"\n"
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	res := (&Builder{ModuleRoot: root, Go: wrapper}).Build(context.Background(), []Target{
		{Name: "a", Entry: "a", GOARCH: "arm64"}, {Name: "b", Entry: "b", GOARCH: "arm64"}, {Name: "a-x86", Entry: "a", GOARCH: "amd64"},
	})
	for _, r := range res {
		if r.Err != nil || r.Cached {
			t.Fatalf("build: cached=%v err=%v", r.Cached, r.Err)
		}
	}
	data, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	builds := strings.Count(string(data), "build\n")
	if builds != 2 { // arm64: a and b together; amd64: a alone
		t.Errorf("go build ran %d times, want 2 (one per architecture):\n%s", builds, data)
	}
}

func TestAnIncompleteModuleNamesTheCommand(t *testing.T) {
	// GIVEN a handler importing a module its go.mod does not require
	root := module(t)
	writeFiles(t, root, map[string]string{
		"needs/main.go": "package main\n\nimport _ \"example.org/not/required\"\n\nfunc main() {}\n",
	})

	// WHEN it builds
	res := (&Builder{ModuleRoot: root}).Build(context.Background(), []Target{{Name: "needs", Entry: "needs", GOARCH: "arm64"}})

	// THEN the error names the command that completes the module
	if res[0].Err == nil || !strings.Contains(res[0].Err.Error(), "cd "+root+" && go mod tidy") {
		t.Errorf("error = %v, want it to name `cd %s && go mod tidy`", res[0].Err, root)
	}
}

func TestBuildHonoursGoWork(t *testing.T) {
	// GIVEN a workspace of the module and a nested one whose handler
	// imports the first module's package, which its go.mod does not require
	t.Setenv("GOWORK", "")
	root := module(t)
	writeFiles(t, root, map[string]string{
		"go.work":                "go 1.26\n\nuse (\n\t.\n\t./workers\n)\n",
		"workers/go.mod":         "module example.com/workers\n\ngo 1.26\n",
		"workers/orders/main.go": "package main\n\nimport \"example.com/m/lib\"\n\nfunc main() { println(lib.Greeting) }\n",
	})
	b := &Builder{ModuleRoot: root}
	target := []Target{{Name: "orders", Entry: "workers/orders", Module: "workers", GOARCH: "arm64"}}

	// WHEN it builds, THEN the workspace resolves the import
	res := b.Build(context.Background(), target)
	if res[0].Err != nil {
		t.Fatalf("build in a workspace: %v", res[0].Err)
	}
	// and go.work is part of the key
	writeFiles(t, root, map[string]string{"go.work": "go 1.26\n\nuse (\n\t./workers\n\t.\n)\n"})
	if again := b.Build(context.Background(), target); again[0].Err != nil || again[0].Key == res[0].Key {
		t.Errorf("after go.work changed: key %s (was %s), err %v", again[0].Key, res[0].Key, again[0].Err)
	}
}
