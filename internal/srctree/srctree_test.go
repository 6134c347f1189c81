package srctree

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestModuleRootAndResolveEntry(t *testing.T) {
	root := t.TempDir()
	for name, src := range map[string]string{
		"go.mod":                 "module example.com/m\n\ngo 1.26\n",
		"fns/a/main.go":          "package main\n\nfunc main() {}\n",
		"fns/lib/lib.go":         "package lib\n",
		"fns/empty/README":       "",
		"workers/go.mod":         "module example.com/workers\n\ngo 1.26\n",
		"workers/orders/main.go": "package main\n\nfunc main() {}\n",
	} {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := ModuleRoot(filepath.Join(root, "fns", "lib")); err != nil || got != root {
		t.Errorf("ModuleRoot = %q, %v; want %q", got, err, root)
	}
	if _, err := ModuleRoot(t.TempDir()); err == nil {
		t.Errorf("ModuleRoot outside a module: no error")
	}
	tests := []struct{ entry, module, wantErr string }{
		{"fns/a", ".", ""},
		{"workers/orders", "workers", ""},
		{"fns/nope", "", "directory fns/nope does not exist"},
		{"fns/empty", "", "fns/empty holds no Go files"},
		{"fns/lib", "", "fns/lib is package lib, not a main package"},
	}
	for _, tt := range tests {
		got, err := ResolveEntry(root, tt.entry)
		if got != tt.module || (err == nil) != (tt.wantErr == "") || err != nil && !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("ResolveEntry(%q) = %q, %v; want %q, error containing %q", tt.entry, got, err, tt.module, tt.wantErr)
		}
	}
}

// TestResolveEntryThroughSymlinks: an entry that resolves outside the
// module (a symbolic link on the way) is refused, naming where it
// resolves; one that resolves inside is accepted.
func TestResolveEntryThroughSymlinks(t *testing.T) {
	root, outside := t.TempDir(), t.TempDir()
	for name, src := range map[string]string{
		filepath.Join(root, "go.mod"):           "module example.com/m\n\ngo 1.26\n",
		filepath.Join(root, "fns/a/main.go"):    "package main\n\nfunc main() {}\n",
		filepath.Join(outside, "fn/main.go"):    "package main\n\nfunc main() {}\n",
		filepath.Join(outside, "deep/x/go.mod"): "module example.com/x\n",
	} {
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for link, target := range map[string]string{
		"fns/out":    filepath.Join(outside, "fn"), // the entry itself
		"fns/up":     outside,                      // a directory on the way
		"fns/inside": filepath.Join(root, "fns/a"), // stays inside
	} {
		if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
			t.Fatal(err)
		}
	}
	realOutside, _ := filepath.EvalSymlinks(outside)
	for _, tt := range []struct{ entry, wantErr string }{
		{"fns/out", "fns/out resolves to " + filepath.Join(realOutside, "fn") + ", outside the module root"},
		{"fns/up/fn", "fns/up/fn resolves to " + filepath.Join(realOutside, "fn") + ", outside the module root"},
		{"fns/inside", ""},
	} {
		_, err := ResolveEntry(root, tt.entry)
		if (err == nil) != (tt.wantErr == "") || err != nil && !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("ResolveEntry(%q) = %v; want an error containing %q", tt.entry, err, tt.wantErr)
		}
	}
	// A path whose end does not exist yet resolves by its existing part.
	if _, err := ResolveInside(root, "fns/up/fn/env"); err == nil || !strings.Contains(err.Error(), "outside the module root") {
		t.Errorf("ResolveInside(fns/up/fn/env) = %v, want outside", err)
	}
	if got, err := ResolveInside(root, "fns/a/env/new"); err != nil || !strings.HasSuffix(got, filepath.Join("fns", "a", "env", "new")) {
		t.Errorf("ResolveInside(fns/a/env/new) = %q, %v", got, err)
	}
}
