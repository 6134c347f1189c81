package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fnenv/fnenv/codegen"
	"github.com/fnenv/fnenv/model"
)

// recordingWriter stands in for codegen.Write: it records what it is asked
// to write and reports entries in changed as changed.
type recordingWriter struct {
	root    string
	fns     []model.Function
	changed map[string]bool
}

func (w *recordingWriter) write(root string, fn model.Function) (bool, error) {
	w.root = root
	w.fns = append(w.fns, fn)
	return w.changed[fn.Entry], nil
}

func genEnv(t *testing.T, app string) (*tenv, *recordingWriter) {
	e := newEnv(t)
	writeFile(t, filepath.Join(e.dir, "go.mod"), "module example.com/app\n")
	cdk, err := json.Marshal(map[string]any{"app": app, "context": map[string]any{"appId": "checkapp", "other": 42}})
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(e.dir, "cdk.json"), string(cdk))
	return e, &recordingWriter{changed: map[string]bool{"app/functions/charge": true, "app/functions/report": true}}
}

func (e *tenv) runGen(w *recordingWriter, args ...string) result {
	e.t.Helper()
	a, out, errb := e.app("")
	a.WriteEnv = w.write
	args = append([]string{"gen"}, args...)
	return e.finish(a.Run(e.t.Context(), args), out, errb, args)
}

func TestGen(t *testing.T) {
	fixture, err := filepath.Abs(filepath.Join("testdata", "cdk.out"))
	if err != nil {
		t.Fatal(err)
	}
	recs := fixtureRecords()
	wantFns := []model.Function{recs["charge"].Function, recs["notify"].Function, recs["refund"].Function, recs["report"].Function}
	wantOut := "wrote app/functions/charge/env/env.go\nwrote app/functions/report/env/env.go\n4 env packages, 2 changed\n"

	t.Run("synthesizes the app as the CDK CLI does", func(t *testing.T) {
		// The "app" copies the fixture into CDK_OUTDIR and keeps the
		// context it was given, as a CDK app's synth would read it.
		e, w := genEnv(t, `cp -R "`+fixture+`/." "$CDK_OUTDIR" && printf %s "$CDK_CONTEXT_JSON" > context.json && echo synth-noise`)
		r := e.runGen(w)
		if r.code != 0 {
			t.Fatalf("exit %d\n%s", r.code, r.stderr)
		}
		if diff := cmp.Diff(r.stdout, wantOut); diff != "" {
			t.Errorf("stdout (-got +want):\n%s", diff)
		}
		wantContains(t, "stderr", r.stderr, "synth-noise")
		if diff := cmp.Diff(w.fns, wantFns); diff != "" {
			t.Errorf("functions written (-got +want):\n%s", diff)
		}
		if w.root != e.dir {
			t.Errorf("module root %s, want %s", w.root, e.dir)
		}
		data, err := os.ReadFile(filepath.Join(e.dir, "context.json"))
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]any
		if err := json.Unmarshal(data, &got); err != nil {
			t.Fatal(err)
		}
		want := map[string]any{"aws:cdk:bundling-stacks": []any{}, "branch": GenBranch, "appId": "checkapp", "other": float64(42), "fnenvCodegen": false, "fnenvCheckSecrets": false}
		if diff := cmp.Diff(got, want); diff != "" {
			t.Errorf("CDK_CONTEXT_JSON (-got +want):\n%s", diff)
		}
	})
	t.Run("resolved branch is passed", func(t *testing.T) {
		e, w := genEnv(t, `cp -R "`+fixture+`/." "$CDK_OUTDIR" && printf %s "$CDK_CONTEXT_JSON" > context.json`)
		if r := e.runGen(w, "--branch", "feature/x"); r.code != 0 {
			t.Fatalf("exit %d\n%s", r.code, r.stderr)
		}
		data, _ := os.ReadFile(filepath.Join(e.dir, "context.json"))
		var got map[string]any
		_ = json.Unmarshal(data, &got)
		if got["branch"] != "feature/x" {
			t.Errorf("branch %v, want feature/x", got["branch"])
		}
	})
	t.Run("--assembly", func(t *testing.T) {
		e, w := genEnv(t, "false")
		r := e.runGen(w, "--assembly", fixture)
		if r.code != 0 {
			t.Fatalf("exit %d\n%s", r.code, r.stderr)
		}
		if diff := cmp.Diff(r.stdout, wantOut); diff != "" {
			t.Errorf("stdout (-got +want):\n%s", diff)
		}
	})
	t.Run("module root above the working directory", func(t *testing.T) {
		e, w := genEnv(t, "false")
		sub := filepath.Join(e.dir, "deploy")
		writeFile(t, filepath.Join(sub, "cdk.json"), `{"app": "false"}`)
		e.dir = sub
		if r := e.runGen(w, "--assembly", fixture); r.code != 0 {
			t.Fatalf("exit %d\n%s", r.code, r.stderr)
		}
		if want := filepath.Dir(sub); w.root != want {
			t.Errorf("module root %s, want %s", w.root, want)
		}
	})
	for _, tt := range []struct {
		name, app string
		args      []string
		code      int
		stderr    []string
	}{
		{"app fails", "echo compile error >&2; exit 3", nil, 1, []string{"compile error", "synthesizing the CDK app", "exit status 3"}},
		{"app writes nothing", "true", nil, 1, []string{"no cloud assembly"}},
		{"no app", "", nil, 2, []string{`needs "app"`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e, w := genEnv(t, tt.app)
			r := e.runGen(w, tt.args...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d\n%s", r.code, tt.code, r.stderr)
			}
			wantContains(t, "stderr", r.stderr, tt.stderr...)
			if len(w.fns) > 0 {
				t.Errorf("wrote %d env packages", len(w.fns))
			}
		})
	}
	t.Run("one entry, two specs", func(t *testing.T) {
		e, w := genEnv(t, "false")
		a, b := recs["charge"], recs["refund"]
		b.Function.Entry = a.Function.Entry
		md := map[string]any{}
		for _, r := range []model.Record{a, b} {
			data, _ := json.Marshal(r)
			md["/"+r.Path] = []any{map[string]any{"type": model.MetadataType, "data": string(data)}}
		}
		m, _ := json.Marshal(map[string]any{"artifacts": map[string]any{"S": map[string]any{"type": "aws:cloudformation:stack", "metadata": md}}})
		writeFile(t, filepath.Join(e.dir, "asm", "manifest.json"), string(m))
		r := e.runGen(w, "--assembly", "asm")
		if r.code != 1 {
			t.Fatalf("exit %d, want 1\n%s", r.code, r.stderr)
		}
		wantContains(t, "stderr", r.stderr, "share entry \"app/functions/charge\"")
		if len(w.fns) > 0 {
			t.Errorf("wrote %d env packages", len(w.fns))
		}
	})
}

// TestGenCheck: --check writes nothing; it lists each env package that is
// missing or differs from what gen writes and exits 1, else exits 0.
func TestGenCheck(t *testing.T) {
	fixture, err := filepath.Abs(filepath.Join("testdata", "cdk.out"))
	if err != nil {
		t.Fatal(err)
	}
	recs := fixtureRecords()
	// GIVEN a module whose env packages are what gen writes
	e, _ := genEnv(t, "false")
	for _, name := range []string{"charge", "notify", "refund", "report"} {
		if _, err := codegen.Write(e.dir, recs[name].Function); err != nil {
			t.Fatal(err)
		}
	}
	snapshot := func() map[string]string {
		files := map[string]string{}
		err := filepath.WalkDir(e.dir, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			files[p] = string(b)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return files
	}
	// WHEN checked THEN all are current
	r := e.mustRun(0, "", "gen", "--check", "--assembly", fixture)
	if diff := cmp.Diff(r.stdout, "4 env packages, all current\n"); diff != "" {
		t.Errorf("stdout (-got +want):\n%s", diff)
	}

	// GIVEN one package from before a key was added, and one removed
	old := recs["charge"].Function
	old.Variables = old.Variables[:len(old.Variables)-1]
	if _, err := codegen.Write(e.dir, old); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(e.dir, "app", "functions", "report", "env", "env.go")); err != nil {
		t.Fatal(err)
	}
	before := snapshot()
	// WHEN checked THEN it names both, exits 1 and writes nothing
	r = e.mustRun(1, "", "gen", "--check", "--assembly", fixture)
	if diff := cmp.Diff(r.stdout, "stale app/functions/charge/env/env.go (function charge)\nmissing app/functions/report/env/env.go (function report)\n"); diff != "" {
		t.Errorf("stdout (-got +want):\n%s", diff)
	}
	if diff := cmp.Diff(r.stderr, "fnenv: gen --check: 2 of 4 env packages differ from what gen writes: run fnenv gen and commit them\n"); diff != "" {
		t.Errorf("stderr (-got +want):\n%s", diff)
	}
	if diff := cmp.Diff(snapshot(), before); diff != "" {
		t.Errorf("gen --check changed files (-got +want):\n%s", diff)
	}
	// WHEN gen runs THEN --check passes again
	e.mustRun(0, "", "gen", "--assembly", fixture)
	e.mustRun(0, "", "gen", "--check", "--assembly", fixture)
}
