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
