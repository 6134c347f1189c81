package codegen_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fnenv/fnenv/codegen"
	"github.com/fnenv/fnenv/model"
	"github.com/fnenv/fnenv/resolver/envtype"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func readSpec(t *testing.T, file string) model.Function {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var fn model.Function
	if err := json.Unmarshal(data, &fn); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return fn
}

// TestGolden generates each testdata/<case>/spec.json and compares it with
// testdata/<case>/env.go; -update rewrites env.go.
func TestGolden(t *testing.T) {
	dirs, err := filepath.Glob("testdata/*/spec.json")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	for _, specFile := range dirs {
		dir := filepath.Dir(specFile)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			got, err := codegen.Generate(readSpec(t, specFile))
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join(dir, "env.go")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./codegen -update)", err)
			}
			if diff := cmp.Diff(string(got), string(want)); diff != "" {
				t.Errorf("%s (-got +want):\n%s", golden, diff)
			}
			if first, _, _ := strings.Cut(string(got), "\n"); first != codegen.Header {
				t.Errorf("first line = %q, want %q", first, codegen.Header)
			}
		})
	}
}

// The output depends on the function's name and variables only, not on
// their order nor on how an unset type is written ("" is String). Literal
// values, which may differ per branch, are not part of the declaration.
func TestGenerateDeterministic(t *testing.T) {
	a := model.NewFunction("say-hello", "app/functions/say-hello", map[string]model.Variable{
		"NAME":    {Kind: model.Literal},
		"API_KEY": {Kind: model.Secret, Secret: "MY_API_KEY"},
	})
	b := model.NewFunction("say-hello", "app/functions/say-hello", map[string]model.Variable{
		"NAME":    {Kind: model.Literal, Type: envtype.String},
		"API_KEY": {Kind: model.Secret, Secret: "MY_API_KEY"},
	})
	b.Variables[0], b.Variables[1] = b.Variables[1], b.Variables[0]
	ga, err := codegen.Generate(a)
	if err != nil {
		t.Fatal(err)
	}
	gb, err := codegen.Generate(b)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(ga), string(gb)); diff != "" {
		t.Errorf("literal values or order changed the output (-a +b):\n%s", diff)
	}
	if bytes.Contains(ga, []byte("World")) {
		t.Errorf("a literal's value reached the generated code")
	}
}

// Generate refuses what spec's rules refuse, with spec's messages: one
// place for each rule.
func TestGenerateErrors(t *testing.T) {
	tests := []struct {
		name string
		fn   model.Function
		want string
	}{
		{
			name: "every problem at once",
			fn: model.Function{Name: "bad name", Entry: "app/f", Variables: []model.Variable{
				{Name: "A", Kind: model.Literal},
				{Name: "LAMBDA", Kind: model.Literal},
				{Name: "API_KEY", Kind: model.Secret, Secret: "MY/KEY"},
				{Name: "api_key", Kind: model.Literal},
				{Name: "OTHER", Kind: "value"},
				{Name: "PORT", Kind: model.Literal, Type: "integer"},
			}},
			want: `codegen: function "bad name": name: must match [a-zA-Z0-9_-]{1,64} (Lambda's rule for function names)
codegen: function "bad name": env key "A": must match [a-zA-Z][a-zA-Z0-9_]+ (Lambda's rule: a letter first, 2 characters at least)
codegen: function "bad name": env key "LAMBDA": maps to Go field Lambda, which the generated Env struct reserves
codegen: function "bad name": env key "API_KEY": ` + func() string { _, err := model.ParseRef("MY/KEY"); return err.Error() }() + `
codegen: function "bad name": env key "OTHER": kind "value" is not one of "literal", "secret", "parameter", "secretsmanager"
codegen: function "bad name": env key "PORT": type "integer" is not one of string, int, bool, float, duration, url, stringlist, json
codegen: function "bad name": env keys "API_KEY", "api_key": map to the same Go field APIKey`,
		},
		{
			name: "a field that is no Go identifier",
			fn:   model.Function{Name: "f", Entry: "app/f", Variables: []model.Variable{{Name: "X1", Field: "x-1", Kind: model.Literal}}},
			want: `codegen: function "f": env key "X1": maps to Go field "x-1", which is not an exported Go identifier`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := codegen.Generate(tt.fn)
			if got != nil || err == nil {
				t.Fatalf("Generate = %d bytes, %v; want an error", len(got), err)
			}
			if diff := cmp.Diff(err.Error(), tt.want); diff != "" {
				t.Errorf("error (-got +want):\n%s", diff)
			}
			var p *model.Problem
			if !errors.As(err, &p) {
				t.Errorf("the error wraps no *model.Problem: %#v", err)
			}
			if cerr := tt.fn.Check(); cerr == nil {
				t.Errorf("spec's Check accepts what Generate refuses")
			}
		})
	}
}

// A literal's value is not the generator's business: a declaration read
// from the cloud assembly (no values) generates, whatever its types.
func TestGenerateIgnoresLiteralValues(t *testing.T) {
	fn := model.NewFunction("typed", "app/typed", map[string]model.Variable{
		"PORT": {Kind: model.Literal, Type: envtype.Int},
	})
	if _, err := codegen.Generate(fn); err != nil {
		t.Errorf("Generate = %v, want no error", err)
	}
}

func TestWrite(t *testing.T) {
	root := t.TempDir()
	fn := readSpec(t, "testdata/say-hello/spec.json")
	file := filepath.Join(root, "app/functions/say-hello/env/env.go")
	other := filepath.Join(root, "app/functions/say-hello/env/keep.txt")

	// First write creates the env directory and the file.
	changed, err := codegen.Write(root, fn)
	if err != nil || !changed {
		t.Fatalf("first Write = %v, %v; want changed", changed, err)
	}
	want, _ := codegen.Generate(fn)
	if got, _ := os.ReadFile(file); !bytes.Equal(got, want) {
		t.Fatalf("%s does not hold Generate's output", file)
	}
	if err := os.WriteFile(other, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}

	// Same bytes: untouched, mtime too.
	old := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := os.Chtimes(file, old, old); err != nil {
		t.Fatal(err)
	}
	changed, err = codegen.Write(root, fn)
	if err != nil || changed {
		t.Errorf("second Write = %v, %v; want unchanged", changed, err)
	}
	if st, _ := os.Stat(file); !st.ModTime().Equal(old) {
		t.Errorf("mtime changed to %v though the bytes were the same", st.ModTime())
	}

	// New bytes: replaced, the rest of the directory kept, no temp file left.
	fn.Variables = append(fn.Variables, model.Variable{Name: "TOKEN", Field: "Token", Kind: model.Secret, Secret: "TOKEN"})
	changed, err = codegen.Write(root, fn)
	if err != nil || !changed {
		t.Errorf("third Write = %v, %v; want changed", changed, err)
	}
	if got, _ := os.ReadFile(file); !bytes.Contains(got, []byte(`v.Get("TOKEN")`)) {
		t.Errorf("%s was not rewritten", file)
	}
	if st, _ := os.Stat(file); st.Mode().Perm() != 0o644 {
		t.Errorf("mode = %v, want 0644", st.Mode().Perm())
	}
	entries, _ := os.ReadDir(filepath.Dir(file))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if diff := cmp.Diff(names, []string{"env.go", "keep.txt"}); diff != "" {
		t.Errorf("env dir (-got +want):\n%s", diff)
	}
}

func TestWriteErrors(t *testing.T) {
	root := t.TempDir()
	for _, entry := range []string{"", "/abs/fn", "../outside", "app/../../x", "app/fn/", "./app/fn", ".", `app\fn`} {
		fn := model.Function{Name: "f", Entry: entry}
		changed, err := codegen.Write(root, fn)
		want := (&model.Problem{Function: "f", Subject: "entry", Rule: fmt.Sprint(model.ValidateEntry(entry))}).Error()
		if changed || err == nil || err.Error() != "codegen: "+want {
			t.Errorf("Write(entry %q) = %v, %v; want codegen: %s", entry, changed, err, want)
		}
	}
	if entries, _ := os.ReadDir(root); len(entries) != 0 {
		t.Errorf("a failed Write left %d entries in the module root", len(entries))
	}

	// A spec Generate refuses writes nothing.
	fn := model.Function{Name: "f", Entry: "app/f", Variables: []model.Variable{{Name: "A", Kind: model.Literal}}}
	if changed, err := codegen.Write(root, fn); changed || err == nil {
		t.Errorf("Write(bad spec) = %v, %v; want an error", changed, err)
	}
	if _, err := os.Stat(filepath.Join(root, "app")); !os.IsNotExist(err) {
		t.Errorf("a failed Write created the entry's directory")
	}
}

// TestWriteRefusesASymlinkOut: an entry, or its env directory, that is a
// symbolic link leading out of the module gets no env package: an error
// naming the function and where the path resolves, and nothing written
// outside.
func TestWriteRefusesASymlinkOut(t *testing.T) {
	for _, link := range []string{"app/functions/say-hello", "app/functions/say-hello/env"} {
		t.Run(link, func(t *testing.T) {
			root, outside := t.TempDir(), t.TempDir()
			if err := os.MkdirAll(filepath.Join(root, filepath.Dir(link)), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(outside, filepath.Join(root, link)); err != nil {
				t.Fatal(err)
			}
			fn := readSpec(t, "testdata/say-hello/spec.json")
			changed, err := codegen.Write(root, fn)
			realOutside, _ := filepath.EvalSymlinks(outside)
			if changed || err == nil || !strings.Contains(err.Error(), `codegen: function "say-hello": entry app/functions/say-hello/env resolves to `+realOutside) ||
				!strings.Contains(err.Error(), "outside the module root") {
				t.Errorf("Write = %v, %v; want an error naming the function and where the entry resolves", changed, err)
			}
			if entries, _ := os.ReadDir(outside); len(entries) != 0 {
				t.Errorf("Write left %d entries outside the module", len(entries))
			}
		})
	}
}
