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
				e.put("/amplify/checkapp/-feature-login-5712f05b4f/"+s, fake("feature", i))
			}
		}
		e.put("/amplify/checkapp/main/DB_PASSWORD", fake("main", 1)) // another branch's does not count
		r := e.mustRun(1, "", "secret", "check", "--branch", "feature/login")
		wantContains(t, "stdout", r.stdout,
			"3 of 25 secrets referenced by 4 functions are not set for branch feature/login",
			"DB_PASSWORD — not at /amplify/checkapp/-feature-login-5712f05b4f/DB_PASSWORD nor /amplify/shared/checkapp/DB_PASSWORD",
			"used by charge (Payments-main/Charge), notify (Stage/Notify-main/Notify), refund (Payments-main/Refund)",
			"fnenv secret set DB_PASSWORD --branch feature/login\n",
			"fnenv secret set DB_PASSWORD --shared\n",
			"REPORT_SECRET_07 —", "used by report (Team-main/Report)",
			"SLACK_TOKEN —", "used by notify (Stage/Notify-main/Notify)",
		)
		if n := strings.Count(r.stdout, "set it:"); n != 3 {
			t.Errorf("%d secrets listed, want 3:\n%s", n, r.stdout)
		}
		wantContains(t, "stderr", r.stderr, "synthesized for branch \"main\"", "check failed")
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
		wantContains(t, "stdout", r.stdout, "reference no secret")
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
