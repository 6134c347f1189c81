package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fnenv/fnenv/internal/assembly"
	"github.com/fnenv/fnenv/model"
)

// fixtureSecrets are the 25 distinct secrets of testdata/cdk.out.
func fixtureSecrets() []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range fixtureRecords() {
		for _, s := range r.Function.Secrets() {
			if !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	return sorted(out)
}

func checkEnv(t *testing.T) *tenv {
	e := newEnv(t)
	writeFile(t, filepath.Join(e.dir, "cdk.json"), `{"app": "false", "context": {"appId": "checkapp"}}`)
	if err := os.CopyFS(filepath.Join(e.dir, "cdk.out"), os.DirFS(filepath.Join("testdata", "cdk.out"))); err != nil {
		t.Fatal(err)
	}
	return e
}

func TestCheck(t *testing.T) {
	all := fixtureSecrets()
	if len(all) != 25 {
		t.Fatalf("the fixture has %d secrets, want 25", len(all))
	}
	t.Run("all set, branch or shared", func(t *testing.T) {
		e := checkEnv(t)
		for i, s := range all {
			if i%3 == 0 {
				e.put("/amplify/shared/checkapp/"+s, fake("shared", i))
			} else {
				e.put("/amplify/checkapp/main/"+s, fake("main", i))
			}
		}
		r := e.mustRun(0, "", "secret", "check", "--branch", "main")
		if diff := cmp.Diff(r.stdout, "ok: all 25 secrets referenced by 4 functions are set for branch main (16 on the branch, 9 shared)\n"); diff != "" {
			t.Error(diff)
		}
	})
	t.Run("missing", func(t *testing.T) {
		e := checkEnv(t)
		missing := map[string]bool{"DB_PASSWORD": true, "REPORT_SECRET_07": true, "SLACK_TOKEN": true}
		for i, s := range all {
			if !missing[s] {
				e.put("/amplify/checkapp/main/"+s, fake("main", i))
			}
		}
		e.put("/amplify/checkapp/release/DB_PASSWORD", fake("release", 1)) // another branch's does not count
		r := e.mustRun(1, "", "secret", "check", "--branch", "main")
		wantContains(t, "stdout", r.stdout,
			"3 of 25 secrets referenced by 4 functions are not set for branch main",
			"DB_PASSWORD — not at /amplify/checkapp/main/DB_PASSWORD nor /amplify/shared/checkapp/DB_PASSWORD",
			"used by charge (Payments-main/Charge), notify (Stage/Notify-main/Notify), refund (Payments-main/Refund)",
			"fnenv secret set DB_PASSWORD --branch main\n",
			"fnenv secret set DB_PASSWORD --shared\n",
			"REPORT_SECRET_07 —", "used by report (Team-main/Report)",
			"SLACK_TOKEN —", "used by notify (Stage/Notify-main/Notify)",
		)
		if n := strings.Count(r.stdout, "set it:"); n != 3 {
			t.Errorf("%d secrets listed, want 3:\n%s", n, r.stdout)
		}
		if strings.Contains(r.stdout, "did you mean") || strings.Contains(r.stdout, "looks like") {
			t.Errorf("near misses where there are none:\n%s", r.stdout)
		}
		wantContains(t, "stderr", r.stderr, "check failed: 3 secrets not set for branch main")
	})
	t.Run("near misses", func(t *testing.T) {
		// GIVEN every secret set for main but four: one set under a name
		// one edit away, one set shared under a name that differs in case,
		// one set under another level with main's letters, one set nowhere
		// near
		e := checkEnv(t)
		writeFile(t, filepath.Join(e.dir, "cdk.json"), `{"app": "false", "context": {"appId": "checkapp", "branch": "main"}}`)
		skip := map[string]bool{"DB_PASSWORD": true, "SLACK_TOKEN": true, "STRIPE_KEY": true, "REPORT_SECRET_07": true}
		for i, s := range all {
			if !skip[s] {
				e.put("/amplify/checkapp/main/"+s, fake("main", i))
			}
		}
		e.put("/amplify/checkapp/main/DB_PASWORD", fake("main", 100))      // a typo: one edit
		e.put("/amplify/shared/checkapp/slack_token", fake("shared", 101)) // case only
		e.put("/amplify/checkapp/-main-0123456789/STRIPE_KEY", fake("x", 102))
		e.put("/amplify/checkapp/release/DB_PASSWORD", fake("release", 103)) // another branch: no near miss
		r := e.mustRun(1, "", "secret", "check")
		wantContains(t, "stdout", r.stdout,
			"4 of 25 secrets referenced by 4 functions are not set for branch main",
			"    did you mean DB_PASWORD (set on branch main)?\n    set it: fnenv secret set DB_PASSWORD --branch main\n",
			"    did you mean slack_token (set shared)?\n",
			"    set under branch level -main-0123456789 (/amplify/checkapp/-main-0123456789/STRIPE_KEY), which looks like branch main: copy that level's secrets with fnenv secret copy --from-path /amplify/checkapp/-main-0123456789/ --to-branch main\n",
		)
		if n := strings.Count(r.stdout, "did you mean"); n != 2 {
			t.Errorf("%d did-you-mean lines, want 2:\n%s", n, r.stdout)
		}
		if i := strings.Index(r.stdout, "REPORT_SECRET_07 —"); i < 0 || strings.Contains(strings.SplitN(r.stdout[i:], "\n\n", 2)[0], "did you mean") {
			t.Errorf("REPORT_SECRET_07 has a near miss, or is not listed:\n%s", r.stdout)
		}
	})
	t.Run("a branch set under another branch's look-alike name", func(t *testing.T) {
		// GIVEN the secrets set with --branch feature-login, and an
		// assembly synthesized for feature/login
		e := checkEnv(t)
		for _, f := range []string{"manifest.json", "Team-main.metadata.json", "assembly-Stage/manifest.json"} {
			p := filepath.Join(e.dir, "cdk.out", f)
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, p, strings.ReplaceAll(string(b), `\"branch\":\"main\"`, `\"branch\":\"feature/login\"`))
		}
		for i, s := range all {
			e.put("/amplify/checkapp/feature-login/"+s, fake("feature-login", i))
		}
		// WHEN checking feature/login THEN each secret names the level it
		// is set under and the command that copies it
		r := e.mustRun(1, "", "secret", "check", "--branch", "feature/login")
		wantContains(t, "stdout", r.stdout, "25 of 25 secrets referenced by 4 functions are not set for branch feature/login",
			"    set under branch level feature-login (/amplify/checkapp/feature-login/STRIPE_KEY), which looks like branch feature/login: copy that level's secrets with fnenv secret copy --from-branch feature-login --to-branch feature/login\n")
		if n := strings.Count(r.stdout, "fnenv secret copy --from-branch feature-login --to-branch feature/login"); n != 25 {
			t.Errorf("%d copy hints, want 25:\n%s", n, r.stdout)
		}
		// WHEN the user copies as told THEN the check passes
		e.mustRun(0, "", "secret", "copy", "--from-branch", "feature-login", "--to-branch", "feature/login")
		r = e.mustRun(0, "", "secret", "check", "--branch", "feature/login")
		wantContains(t, "stdout", r.stdout, "ok: all 25 secrets referenced by 4 functions are set for branch feature/login (25 on the branch, 0 shared)")
	})
	t.Run("assembly of another branch", func(t *testing.T) {
		// GIVEN an assembly synthesized for main, every secret set for both
		e := checkEnv(t)
		for i, s := range all {
			e.put("/amplify/checkapp/main/"+s, fake("main", i))
			e.put("/amplify/checkapp/-feature-cart-0b1c7f3d5e/"+s, fake("cart", i))
		}
		// WHEN checking feature/cart THEN it refuses, naming both branches
		// and the commands to run, and reports no count
		r := e.mustRun(1, "", "secret", "check", "--branch", "feature/cart")
		if diff := cmp.Diff(r.stderr, "fnenv: the cloud assembly at cdk.out was synthesized for branch \"main\", not \"feature/cart\": synthesize it for \"feature/cart\" (cdk synth -c branch=feature/cart), or pass --assembly DIR with a synth of that branch\n"); diff != "" {
			t.Errorf("stderr (-got +want):\n%s", diff)
		}
		if r.stdout != "" {
			t.Errorf("stdout = %q, want nothing", r.stdout)
		}
	})
	t.Run("app id from the records, not cdk.json", func(t *testing.T) {
		e := checkEnv(t)
		writeFile(t, filepath.Join(e.dir, "cdk.json"), `{"context": {"appId": "otherapp"}}`)
		r := e.mustRun(1, "", "secret", "check", "--branch", "main", "--assembly", filepath.Join(e.dir, "cdk.out"))
		wantContains(t, "stdout", r.stdout, "25 of 25", "/amplify/checkapp/main/STRIPE_KEY", "fnenv secret set STRIPE_KEY --branch main --app-id checkapp")
	})
	t.Run("amplify paths", func(t *testing.T) {
		e := checkEnv(t)
		for i, s := range all[1:] {
			e.put("/amplify/checkapp/main-branch-42753df9a2/"+s, fake("main", i))
		}
		e.put("/amplify/checkapp/main/"+all[0], fake("main", 0)) // fnenv's path does not count
		r := e.mustRun(1, "", "secret", "check", "--branch", "main", "--paths", "amplify")
		wantContains(t, "stdout", r.stdout, "1 of 25 secrets",
			all[0]+" — not at /amplify/checkapp/main-branch-42753df9a2/"+all[0]+" nor /amplify/shared/checkapp/"+all[0],
			"fnenv secret set "+all[0]+" --branch main --paths amplify\n")
		e.put("/amplify/shared/checkapp/"+all[0], fake("shared", 0))
		r = e.mustRun(0, "", "secret", "check", "--branch", "main", "--paths", "amplify")
		wantContains(t, "stdout", r.stdout, "ok: all 25 secrets", "(24 on the branch, 1 shared)")
	})
	t.Run("no assembly", func(t *testing.T) {
		e := newEnv(t)
		r := e.mustRun(1, "", "secret", "check", "--branch", "main")
		wantContains(t, "stderr", r.stderr, "no cloud assembly at", "cdk.out", "cdk synth")
	})
	t.Run("no records", func(t *testing.T) {
		e := newEnv(t)
		writeFile(t, filepath.Join(e.dir, "cdk.out", "manifest.json"), `{"version": "54.0.0", "artifacts": {"S": {"type": "aws:cloudformation:stack", "metadata": {"/S": [{"type": "aws:cdk:logicalId", "data": "x"}]}}}}`)
		r := e.mustRun(1, "", "secret", "check", "--branch", "main")
		wantContains(t, "stderr", r.stderr, "holds no fnenv function", model.MetadataType)
	})
	t.Run("bad record", func(t *testing.T) {
		e := newEnv(t)
		writeFile(t, filepath.Join(e.dir, "cdk.out", "manifest.json"), `{"artifacts": {"S": {"type": "aws:cloudformation:stack", "metadata": {"/S/F": [{"type": "fnenv:function", "data": "{not json"}]}}}}`)
		r := e.mustRun(1, "", "secret", "check", "--branch", "main")
		wantContains(t, "stderr", r.stderr, "/S/F", "not a function record")
	})
	t.Run("no secrets referenced", func(t *testing.T) {
		e := newEnv(t)
		rec := `{\"backend\":{\"prefix\":\"/amplify\",\"appId\":\"a\",\"branch\":\"main\"},\"function\":{\"name\":\"f\",\"entry\":\"f\",\"variables\":[]},\"path\":\"S/F\"}`
		writeFile(t, filepath.Join(e.dir, "cdk.out", "manifest.json"), `{"artifacts": {"S": {"type": "aws:cloudformation:stack", "metadata": {"/S/F": [{"type": "fnenv:function", "data": "`+rec+`"}]}}}}`)
		r := e.mustRun(0, "", "secret", "check", "--branch", "main")
		wantContains(t, "stdout", r.stdout, "ok: the 1 function in cdk.out references no secret")
	})
}

// TestCheckNeverSuggestsARefusedSet: a record naming a secret that set
// refuses (an assembly fnenv's construct did not write) gets no set
// command, but why it cannot be set; a valid missing one gets both.
func TestCheckNeverSuggestsARefusedSet(t *testing.T) {
	e := newEnv(t)
	b := model.Backend{Prefix: "/amplify", AppID: appID, Branch: "main"}
	rec := model.Record{Backend: b, Path: "S-main/Fn", Function: model.NewFunction("fn", "app/fn", map[string]model.Variable{
		"BAD": {Kind: model.Secret, Secret: "../../x"}, "GOOD": {Kind: model.Secret, Secret: "GOOD_KEY"},
	})}
	if err := os.Mkdir(filepath.Join(e.dir, "cdk.out"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := assembly.WriteFake(filepath.Join(e.dir, "cdk.out"), assembly.FakeFunction{Record: rec}); err != nil {
		t.Fatal(err)
	}
	r := e.mustRun(1, "", "secret", "check", "--branch", "main")
	wantContains(t, "stdout", r.stdout,
		`fnenv secret set cannot set it: secret name "../../x" must match [a-zA-Z0-9_.-]+`, "rename the secret in the app and synthesize again",
		"set it: fnenv secret set GOOD_KEY --branch main")
	for _, line := range strings.Split(r.stdout, "\n") {
		if strings.Contains(line, "fnenv secret set ../../x") || strings.Contains(line, "fnenv secret set '../../x'") {
			t.Errorf("check suggests a command set refuses: %s", line)
		}
	}
}

// TestBadMetadataFile: an artifact's additionalMetadataFile that is
// missing or not JSON is named with its problem, not taken for a missing
// assembly.
func TestBadMetadataFile(t *testing.T) {
	tests := []struct {
		name, file string // file "" is missing
		want       []string
	}{
		{"missing", "", []string{"S-main.metadata.json", "the additionalMetadataFile of artifact S-main", "no such file"}},
		{"not JSON", "{not json", []string{"S-main.metadata.json", "is not a metadata file", "invalid character"}},
		{"wrong shape", `{"/S-main/Fn": {"type": "x"}}`, []string{"S-main.metadata.json", "is not a metadata file", "cannot unmarshal object"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			out := filepath.Join(e.dir, "cdk.out")
			writeFile(t, filepath.Join(out, "manifest.json"), `{"version": "54.0.0", "artifacts": {"S-main": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "S-main.template.json"}, "additionalMetadataFile": "S-main.metadata.json"}}}`)
			if tt.file != "" {
				writeFile(t, filepath.Join(out, "S-main.metadata.json"), tt.file)
			}
			r := e.mustRun(1, "", "secret", "check", "--branch", "main")
			wantContains(t, "stderr", r.stderr, tt.want...)
			if strings.Contains(r.stderr, "no cloud assembly") {
				t.Errorf("taken for a missing assembly:\n%s", r.stderr)
			}
		})
	}
}
