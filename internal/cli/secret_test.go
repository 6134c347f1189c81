package cli

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/google/go-cmp/cmp"

	"github.com/fnenv/fnenv/internal/ssmproxy"
	"github.com/fnenv/fnenv/model"
)

func TestSetFromStdin(t *testing.T) {
	e := newEnv(t)
	v := fake("main", 1)
	tests := []struct {
		name, stdin string
		args        []string
		path, want  string
	}{
		{"LF removed", v + "\n", []string{"--branch", "main"}, "/amplify/testapp/main/STRIPE_KEY", v},
		{"CRLF removed", v + "\r\n", []string{"--branch", "main"}, "/amplify/testapp/main/STRIPE_KEY", v},
		{"one newline only", v + "\n\n", []string{"--branch", "main"}, "/amplify/testapp/main/STRIPE_KEY", v + "\n"},
		{"no newline", v, []string{"--branch", "main"}, "/amplify/testapp/main/STRIPE_KEY", v},
		{"inner newline kept", v + "\nline2\n", []string{"--branch", "main"}, "/amplify/testapp/main/STRIPE_KEY", v + "\nline2"},
		{"branch with a slash", v, []string{"--branch", "feature/login"}, "/amplify/testapp/-feature-login-5712f05b4f/STRIPE_KEY", v},
		{"amplify's paths", v, []string{"--branch", "feature/login", "--paths", "amplify"}, "/amplify/testapp/featurelogin-branch-ef70eb138f/STRIPE_KEY", v},
		{"amplify's shared path", v, []string{"--shared", "--paths", "amplify"}, "/amplify/shared/testapp/STRIPE_KEY", v},
		{"shared", v, []string{"--shared"}, "/amplify/shared/testapp/STRIPE_KEY", v},
		{"kms key", v, []string{"--shared", "--kms-key", "alias/aws/ssm"}, "/amplify/shared/testapp/STRIPE_KEY", v},
		{"prefix", v, []string{"--branch", "main", "--prefix", "/acme"}, "/acme/testapp/main/STRIPE_KEY", v},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := e.param(tt.path)
			r := e.mustRun(0, tt.stdin, append([]string{"secret", "set", "STRIPE_KEY"}, tt.args...)...)
			p, ok := e.param(tt.path)
			if !ok {
				t.Fatalf("%s not written", tt.path)
			}
			if got := *p.Value; got != tt.want {
				t.Errorf("stored %q, want %q", got, tt.want)
			}
			if p.Type != "SecureString" {
				t.Errorf("type %s, want SecureString", p.Type)
			}
			if p.Version != before.Version+1 {
				t.Errorf("version %d, want %d", p.Version, before.Version+1)
			}
			wantContains(t, "stdout", r.stdout, tt.path, fmt.Sprintf("version %d", p.Version))
		})
	}
}

func TestSetFromTerminal(t *testing.T) {
	v := fake("main", 2)
	tests := []struct {
		name      string
		passwords []string
		code      int
		stderr    string
	}{
		{"typed twice", []string{v, v}, 0, ""},
		{"mismatch", []string{v, v + "x"}, 2, "differ"},
		{"empty", []string{""}, 2, "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			ft := &fakeTerm{passwords: tt.passwords}
			e.term = ft
			r := e.mustRun(tt.code, "stdin is not read on a terminal\n", "secret", "set", "API_KEY", "--branch", "main")
			wantContains(t, "stderr", r.stderr, tt.stderr)
			got := e.params()
			want := map[string]string{}
			if tt.code == 0 {
				want["/amplify/testapp/main/API_KEY"] = v
			}
			if diff := cmp.Diff(got, want); diff != "" {
				t.Errorf("parameters (-got +want):\n%s", diff)
			}
			if len(ft.prompts) == 0 || !strings.Contains(ft.prompts[0], "API_KEY") {
				t.Errorf("prompts %q do not name the secret", ft.prompts)
			}
		})
	}
}

// TestBadInputWritesNothing: every bad input is a usage error naming the
// input and the rule, and nothing reaches SSM.
func TestBadInputWritesNothing(t *testing.T) {
	v := fake("main", 3)
	tests := []struct {
		name   string
		stdin  string
		args   []string
		vars   map[string]string
		cdk    string
		code   int
		stderr []string
	}{
		{"slash in name", v, []string{"secret", "set", "bad/name", "--branch", "main"}, nil, "", 2, []string{`"bad/name"`, "[a-zA-Z0-9_.-]+"}},
		{"space in name", v, []string{"secret", "set", "bad name", "--branch", "main"}, nil, "", 2, []string{`"bad name"`, "[a-zA-Z0-9_.-]+"}},
		{"empty name", v, []string{"secret", "set", "", "--branch", "main"}, nil, "", 2, []string{`""`}},
		{"name too long", v, []string{"secret", "set", strings.Repeat("A", 1000), "--branch", "main"}, nil, "", 2, []string{"SSM allows 1011"}},
		{"branch and shared", v, []string{"secret", "set", "OK", "--branch", "main", "--shared"}, nil, "", 2, []string{"--branch and --shared"}},
		{"empty stdin", "", []string{"secret", "set", "OK", "--branch", "main"}, nil, "", 2, []string{"empty"}},
		{"only a newline", "\n", []string{"secret", "set", "OK", "--branch", "main"}, nil, "", 2, []string{"empty"}},
		{"value too big", strings.Repeat("x", 4097), []string{"secret", "set", "OK", "--branch", "main"}, nil, "", 2, []string{"4097 bytes", "4 KB", "--advanced"}},
		{"value too big for Advanced", strings.Repeat("x", 8193), []string{"secret", "set", "OK", "--branch", "main", "--advanced"}, nil, "", 2, []string{"8193 bytes", "8 KB"}},
		{"2 MiB value", strings.Repeat("x", 2<<20) + "\n", []string{"secret", "set", "OK", "--branch", "main"}, nil, "", 2, []string{"is 2097152 bytes", "8 KB"}},
		{"reserved prefix", v, []string{"secret", "set", "OK", "--branch", "main", "--prefix", "/aws"}, nil, "", 2, []string{`"/aws/testapp/main/OK"`, `reserves names beginning with "aws" or "ssm"`}},
		{"reserved prefix, any case", v, []string{"secret", "set", "OK", "--shared", "--prefix", "/SSM-team"}, nil, "", 2, []string{`starts with "SSM-team"`}},
		{"copy under a reserved prefix", "", []string{"secret", "copy", "--from-branch", "main", "--to-branch", "b", "--prefix", "/aws"}, nil, "", 2, []string{"--to-branch", "reserves"}},
		{"bad timeout", v, []string{"secret", "set", "OK", "--branch", "main", "--timeout", "0s"}, nil, "", 2, []string{"--timeout 0s"}},
		{"no branch", v, []string{"secret", "set", "OK"}, nil, "", 2, []string{"no branch", "--branch", "AWS_BRANCH"}},
		{"no app id", v, []string{"secret", "set", "OK", "--branch", "main"}, nil, `{"context": {}}`, 2, []string{"no app id", "--app-id", "AWS_APP_ID"}},
		{"bad app id", v, []string{"secret", "set", "OK", "--branch", "main", "--app-id", "a/b"}, nil, "", 2, []string{`app id "a/b"`}},
		{"bad prefix", v, []string{"secret", "set", "OK", "--branch", "main", "--prefix", "amplify"}, nil, "", 2, []string{`prefix "amplify"`}},
		{"context not a string", v, []string{"secret", "set", "OK", "--branch", "main"}, nil, `{"context": {"appId": 7}}`, 2, []string{`cdk.json: context appId must be a string, got 7 (a number)`}},
		{"two names", v, []string{"secret", "set", "A1", "B1", "--branch", "main"}, nil, "", 2, []string{"exactly one"}},
		{"unknown flag", v, []string{"secret", "set", "OK", "--brnch", "main"}, nil, "", 2, []string{"--brnch"}},
		{"unknown command", v, []string{"secret", "sett", "OK"}, nil, "", 2, []string{"sett"}},
		{"remove names and all", "", []string{"secret", "remove", "A1", "--all", "--yes", "--branch", "main"}, nil, "", 2, []string{"--all"}},
		{"remove without name", "", []string{"secret", "remove", "--yes", "--branch", "main"}, nil, "", 2, []string{"NAME or --all"}},
		{"remove bad name", "", []string{"secret", "remove", "a b", "--yes", "--branch", "main"}, nil, "", 2, []string{`"a b"`}},
		{"get bad name", "", []string{"secret", "get", "a:b", "--branch", "main"}, nil, "", 2, []string{`"a:b"`}},
		{"copy without target", "", []string{"secret", "copy", "--from-branch", "main"}, nil, "", 2, []string{"--to-branch"}},
		{"copy onto itself", "", []string{"secret", "copy", "--from-branch", "main", "--to-branch", "main"}, nil, "", 2, []string{"same path"}},
		{"copy from a path onto itself", "", []string{"secret", "copy", "--from-path", "/amplify/testapp/main", "--to-branch", "main"}, nil, "", 2, []string{"same path /amplify/testapp/main/"}},
		{"copy from a branch and a path", "", []string{"secret", "copy", "--from-branch", "x", "--from-path", "/amplify/testapp/main", "--to-branch", "y"}, nil, "", 2, []string{"one of --from-branch or --from-path"}},
		{"copy from a relative path", "", []string{"secret", "copy", "--from-path", "amplify/testapp/main", "--to-branch", "y"}, nil, "", 2, []string{"starting with '/'"}},
		{"copy from a path with ..", "", []string{"secret", "copy", "--from-path", "/amplify/testapp/../x", "--to-branch", "y"}, nil, "", 2, []string{`level ".." is refused`}},
		{"app id shared", v, []string{"secret", "set", "OK", "--branch", "otherapp", "--app-id", "shared"}, nil, "", 2, []string{`app id "shared" is refused`, "shared secrets of every app"}},
		{"remove --all under app id shared", "", []string{"secret", "remove", "--all", "--yes", "--branch", "otherapp", "--app-id", "shared"}, nil, "", 2, []string{`app id "shared" is refused`}},
		{"app id ..", v, []string{"secret", "set", "OK", "--branch", "main", "--app-id", ".."}, nil, "", 2, []string{`app id ".." is refused`}},
		{"secret name ..", v, []string{"secret", "set", "..", "--branch", "main"}, nil, "", 2, []string{`secret name ".." is refused`}},
		{"secret name .", "", []string{"secret", "get", ".", "--branch", "main"}, nil, "", 2, []string{`secret name "." is refused`}},
		{"branch ..", v, []string{"secret", "set", "OK", "--branch", ".."}, nil, "", 2, []string{`branch ".." is refused`}},
		{"unknown paths", v, []string{"secret", "set", "OK", "--branch", "main", "--paths", "gen2"}, nil, "", 2, []string{`paths "gen2": must be "fnenv" (the default) or "amplify"`}},
		{"amplify paths with a prefix", v, []string{"secret", "set", "OK", "--branch", "main", "--paths", "amplify", "--prefix", "/teams"}, nil, "", 2, []string{`prefix "/teams" cannot be used with paths "amplify"`}},
		{"amplify paths from cdk.json with a prefix", v, []string{"secret", "set", "OK", "--branch", "main"}, nil, `{"context": {"appId": "testapp", "fnenvPaths": "amplify", "fnenvPrefix": "/teams"}}`, 2, []string{`prefix "/teams" cannot be used`}},
		{"list branch and shared", "", []string{"secret", "list", "--branch", "main", "--shared"}, nil, "", 2, []string{"--branch and --shared"}},
		{"timeout 1ms", v, []string{"secret", "set", "OK", "--branch", "main", "--timeout", "1ms"}, nil, "", 1, []string{"overall timeout of 1ms (--timeout)"}},
		// Branch names git refuses (git check-ref-format --branch), from any source.
		{"branch a..b", v, []string{"secret", "set", "OK", "--branch", "a..b"}, nil, "", 2, []string{`branch "a..b" is refused: it holds ".."`, "git check-ref-format --branch", "git branch --show-current"}},
		{"branch feat/", v, []string{"secret", "set", "OK", "--branch", "feat/"}, nil, "", 2, []string{`branch "feat/" is refused: it has an empty level`}},
		{"branch a@{b", "", []string{"secret", "list", "--branch", "a@{b"}, nil, "", 2, []string{`branch "a@{b" is refused: it holds "@{"`}},
		{"branch HEAD", "", []string{"secret", "get", "OK", "--branch", "HEAD"}, nil, "", 2, []string{`branch "HEAD" is refused`}},
		{"branch -x", v, []string{"secret", "set", "OK", "--branch=-x"}, nil, "", 2, []string{`branch "-x" is refused: it starts with '-'`}},
		{"branch with a space", "", []string{"secret", "remove", "OK", "--yes", "--branch", "a b"}, nil, "", 2, []string{`branch "a b" is refused: it holds ' ' at byte 1`}},
		{"AWS_BRANCH with a newline", v, []string{"secret", "set", "OK"}, map[string]string{"AWS_BRANCH": "main\nx"}, "", 2, []string{`branch "main\nx" is refused: it holds the control character '\n' at byte 4`}},
		{"copy to a branch ending in .lock", "", []string{"secret", "copy", "--from-branch", "main", "--to-branch", "x.lock"}, nil, "", 2, []string{`--to-branch: branch "x.lock" is refused`}},
		// Values that are not UTF-8: SSM would store U+FFFD for each bad byte.
		{"Latin-1 value", "caf\xe9\n", []string{"secret", "set", "OK", "--branch", "main"}, nil, "", 2, []string{"not UTF-8 text", "offset 3 (counting from 0)", "base64 < FILE | fnenv secret set OK --branch main", "nothing was written"}},
		{"binary value", "\xff\xfe\x00\x01", []string{"secret", "set", "OK", "--shared", "--app-id", "testapp"}, nil, "", 2, []string{"offset 0", "base64 < FILE | fnenv secret set OK --shared --app-id testapp"}},
		{"bad byte after multi-byte text", "ключ\xe9", []string{"secret", "set", "OK", "--branch", "feature/x"}, nil, "", 2, []string{"offset 8", "fnenv secret set OK --branch feature/x"}},
		{"cut multi-byte character at the end", "key-\xf0\x9f\x94", []string{"secret", "set", "OK", "--branch", "main"}, nil, "", 2, []string{"offset 4"}},
		{"4097 bytes of 2049 characters", strings.Repeat("é", 2048) + "x", []string{"secret", "set", "OK", "--branch", "main"}, nil, "", 2, []string{"is 4097 bytes", "4 KB"}},
		{"8193 bytes of multi-byte text, --advanced", strings.Repeat("€", 2731), []string{"secret", "set", "OK", "--branch", "main", "--advanced"}, nil, "", 2, []string{"is 8193 bytes", "8 KB"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			if tt.cdk != "" {
				writeFile(t, e.dir+"/cdk.json", tt.cdk)
			}
			for k, v := range tt.vars {
				e.vars[k] = v
			}
			e.put("/amplify/testapp/main/KEEP", fake("main", 99))
			r := e.mustRun(tt.code, tt.stdin, tt.args...)
			wantContains(t, "stderr", r.stderr, tt.stderr...)
			if diff := cmp.Diff(e.params(), map[string]string{"/amplify/testapp/main/KEEP": fake("main", 99)}); diff != "" {
				t.Errorf("parameters changed (-got +want):\n%s", diff)
			}
		})
	}
}

func TestResolution(t *testing.T) {
	v := fake("res", 0)
	tests := []struct {
		name string
		cdk  string
		vars map[string]string
		args []string
		want string
	}{
		{"flags win", `{"context": {"appId": "ctxapp", "branch": "ctxbranch"}}`, map[string]string{"AWS_APP_ID": "envapp", "AWS_BRANCH": "envbranch"},
			[]string{"--app-id", "flagapp", "--branch", "flagbranch"}, "/amplify/flagapp/flagbranch/K1"},
		{"cdk.json context next", `{"context": {"appId": "ctxapp", "branch": "ctxbranch", "fnenvPrefix": "/ctx"}}`, map[string]string{"AWS_APP_ID": "envapp", "AWS_BRANCH": "envbranch"},
			nil, "/ctx/ctxapp/ctxbranch/K1"},
		{"environment last", `{"context": {}}`, map[string]string{"AWS_APP_ID": "envapp", "AWS_BRANCH": "env/branch"},
			nil, "/amplify/envapp/-env-branch-f585fe1e14/K1"},
		{"paths from cdk.json", `{"context": {"appId": "testapp", "fnenvPaths": "amplify"}}`, nil,
			[]string{"--branch", "main"}, "/amplify/testapp/main-branch-1887305634/K1"},
		{"--paths wins over cdk.json", `{"context": {"appId": "testapp", "fnenvPaths": "amplify"}}`, nil,
			[]string{"--branch", "main", "--paths", "fnenv"}, "/amplify/testapp/main/K1"},
		{"--cdk-json elsewhere", "", nil, []string{"--cdk-json", "other/cdk.json"}, "/amplify/otherapp/otherbranch/K1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			if tt.cdk != "" {
				writeFile(t, e.dir+"/cdk.json", tt.cdk)
			}
			writeFile(t, e.dir+"/other/cdk.json", `{"context": {"appId": "otherapp", "branch": "otherbranch"}}`)
			e.vars = tt.vars
			e.mustRun(0, v, append([]string{"secret", "set", "K1"}, tt.args...)...)
			if diff := cmp.Diff(e.params(), map[string]string{tt.want: v}); diff != "" {
				t.Errorf("parameters (-got +want):\n%s", diff)
			}
		})
	}
	t.Run("missing --cdk-json", func(t *testing.T) {
		e := newEnv(t)
		r := e.mustRun(2, v, "secret", "set", "K1", "--branch", "main", "--cdk-json", "nope.json")
		wantContains(t, "stderr", r.stderr, "--cdk-json", "nope.json")
	})
}

func TestResolutionFromGit(t *testing.T) {
	e := newEnv(t)
	gitInit(t, e.dir, "feature/git-branch")
	v := fake("git", 0)
	a, out, errb := e.app(v)
	a.NoGit = false
	args := []string{"secret", "set", "K1"}
	e.finish(a.Run(t.Context(), args), out, errb, args)
	if diff := cmp.Diff(e.params(), map[string]string{"/amplify/testapp/-feature-git-branch-263827811e/K1": v}); diff != "" {
		t.Errorf("parameters (-got +want):\n%s\nstderr: %s", diff, errb)
	}
}

func TestGet(t *testing.T) {
	e := newEnv(t)
	branch := e.seed("main", "ONLY_BRANCH", "BOTH")
	shared := e.seed("", "ONLY_SHARED", "BOTH")
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout []string
		not    []string
	}{
		{"branch", []string{"ONLY_BRANCH", "--branch", "main"}, 0,
			[]string{"/amplify/testapp/main/ONLY_BRANCH", "branch main", "version:", "last modified:", "hidden"}, nil},
		{"branch wins", []string{"BOTH", "--branch", "main"}, 0, []string{"/amplify/testapp/main/BOTH", "source:         branch main"}, nil},
		{"shared fallback", []string{"ONLY_SHARED", "--branch", "main"}, 0,
			[]string{"/amplify/shared/testapp/ONLY_SHARED", "shared (not set on branch main)"}, nil},
		{"--shared", []string{"BOTH", "--shared"}, 0, []string{"/amplify/shared/testapp/BOTH"}, []string{"/amplify/testapp/main/BOTH"}},
		{"--reveal", []string{"BOTH", "--branch", "main", "--reveal"}, 0, []string{"value:          " + branch["BOTH"]}, []string{shared["BOTH"]}},
		{"--reveal shared", []string{"BOTH", "--shared", "--reveal"}, 0, []string{shared["BOTH"]}, []string{branch["BOTH"]}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.mustRun(tt.code, "", append([]string{"secret", "get"}, tt.args...)...)
			wantContains(t, "stdout", r.stdout, tt.stdout...)
			for _, n := range tt.not {
				if strings.Contains(r.stdout, n) {
					t.Errorf("stdout contains %q:\n%s", n, r.stdout)
				}
			}
		})
	}
	t.Run("not found", func(t *testing.T) {
		r := e.mustRun(1, "", "secret", "get", "NOPE", "--branch", "main")
		wantContains(t, "stderr", r.stderr, "NOPE is not set", "/amplify/testapp/main/NOPE", "/amplify/shared/testapp/NOPE", "fnenv secret set NOPE --branch main")
		if strings.Contains(r.stderr, "app id") {
			t.Errorf("the app id is known, yet:\n%s", r.stderr)
		}
	})
	t.Run("unknown app id", func(t *testing.T) {
		r := e.mustRun(1, "", "secret", "get", "BOTH", "--branch", "main", "--app-id", "testap")
		wantContains(t, "stderr", r.stderr, `app id "testap" (from --app-id) may be wrong`)
	})
}

// TestList lists 30 branch and 28 shared secrets (5 in both) across pages.
func TestList(t *testing.T) {
	e := newEnv(t)
	br := append(names("BRANCH", 25), names("BOTH", 5)...)
	sh := append(names("SHARED", 23), names("BOTH", 5)...)
	e.seed("main", br...)
	e.seed("", sh...)
	e.seed("other", names("OTHER", 3)...) // another branch: not listed
	r := e.mustRun(0, "", "secret", "list", "--branch", "main")
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		f := regexp.MustCompile(`\s{2,}`).Split(l, -1)
		if len(f) == 4 && f[0] != "NAME" {
			got = append(got, f[0]+" "+f[1]+" v"+f[2])
		}
	}
	var want []string
	for _, n := range names("BOTH", 5) {
		want = append(want, n+" branch (overrides shared) v1", n+" shared (overridden on branch) v1")
	}
	for _, n := range names("BRANCH", 25) {
		want = append(want, n+" branch v1")
	}
	for _, n := range names("SHARED", 23) {
		want = append(want, n+" shared v1")
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("rows (-got +want):\n%s\nstdout:\n%s", diff, r.stdout)
	}
	wantContains(t, "stdout", r.stdout, "30 on branch main, 28 shared, 5 shared overridden by the branch")

	t.Run("--shared", func(t *testing.T) {
		r := e.mustRun(0, "", "secret", "list", "--shared")
		if n := strings.Count(r.stdout, "  shared  "); n != 28 {
			t.Errorf("%d shared rows, want 28:\n%s", n, r.stdout)
		}
		if strings.Contains(r.stdout, "BRANCH_") {
			t.Errorf("branch secrets listed with --shared:\n%s", r.stdout)
		}
	})
	t.Run("empty branch of a known app", func(t *testing.T) {
		e := newEnv(t)
		e.seed("other", "K1")
		r := e.mustRun(0, "", "secret", "list", "--branch", "main")
		wantContains(t, "stdout", r.stdout, "no secrets on branch main")
	})
	t.Run("unknown app id", func(t *testing.T) {
		r := e.mustRun(1, "", "secret", "list", "--branch", "main", "--app-id", "nosuchapp")
		wantContains(t, "stderr", r.stderr, "/amplify/nosuchapp/", `app id "nosuchapp" (from --app-id) may be wrong`)
	})
}

func TestRemove(t *testing.T) {
	t.Run("names in chunks, some not found", func(t *testing.T) {
		e := newEnv(t)
		e.seed("main", names("S", 26)...)
		shared := e.seed("", names("S", 3)...)
		args := append([]string{"secret", "remove", "--branch", "main", "--yes", "NOPE_1", "NOPE_2"}, names("S", 12)...)
		r := e.mustRun(1, "", args...)
		wantContains(t, "stdout", r.stdout, "removed 12 from branch main", "not found on branch main (/amplify/testapp/main/): NOPE_1, NOPE_2")
		wantContains(t, "stderr", r.stderr, "2 of 14 secrets were not found")
		got := e.params()
		if len(got) != 26-12+3 {
			t.Errorf("%d parameters left, want %d", len(got), 26-12+3)
		}
		for n, v := range shared {
			if got["/amplify/shared/testapp/"+n] != v {
				t.Errorf("shared %s touched", n)
			}
		}
	})
	t.Run("--all removes the branch's only", func(t *testing.T) {
		e := newEnv(t)
		e.seed("main", names("S", 27)...)
		e.seed("", names("S", 26)...)
		e.seed("other", "S_00")
		p := ssmproxy.New(t, srv.URL)
		t.Setenv("AWS_ENDPOINT_URL", p.URL)
		r := e.mustRun(0, "", "secret", "remove", "--all", "--branch", "main", "--yes")
		wantContains(t, "stdout", r.stdout, "removed 27 from branch main")
		var sizes []int
		for _, req := range p.Requests() {
			if req.Target == "AmazonSSM.DeleteParameters" {
				sizes = append(sizes, len(req.Names))
			}
		}
		if diff := cmp.Diff(sizes, []int{10, 10, 7}); diff != "" {
			t.Errorf("DeleteParameters names per call (-got +want), SSM allows 10:\n%s", diff)
		}
		got := e.params()
		if len(got) != 27 {
			t.Errorf("%d parameters left, want 26 shared + 1 of branch other", len(got))
		}
		for p := range got {
			if strings.HasPrefix(p, "/amplify/testapp/main/") {
				t.Errorf("%s left", p)
			}
		}
	})
	t.Run("--all --shared removes the shared only", func(t *testing.T) {
		e := newEnv(t)
		e.seed("main", names("S", 11)...)
		e.seed("", names("S", 21)...)
		r := e.mustRun(0, "", "secret", "remove", "--all", "--shared", "--yes")
		wantContains(t, "stdout", r.stdout, "removed 21 from shared")
		got := e.params()
		if len(got) != 11 {
			t.Errorf("%d parameters left, want the branch's 11", len(got))
		}
	})
	t.Run("no terminal, no --yes: refused", func(t *testing.T) {
		e := newEnv(t)
		e.seed("main", "S_00")
		r := e.mustRun(2, "y\n", "secret", "remove", "S_00", "--branch", "main")
		wantContains(t, "stderr", r.stderr, "--yes", "not a terminal")
		if len(e.params()) != 1 {
			t.Error("removed without confirmation")
		}
	})
	for _, tt := range []struct {
		answer string
		code   int
		left   int
	}{{"y", 0, 0}, {"yes", 0, 0}, {"n", 1, 2}, {"", 1, 2}} {
		t.Run("terminal answers "+tt.answer, func(t *testing.T) {
			e := newEnv(t)
			e.seed("main", "S_00", "S_01")
			ft := &fakeTerm{lines: []string{tt.answer}}
			e.term = ft
			e.mustRun(tt.code, "", "secret", "remove", "--all", "--branch", "main")
			if got := len(e.params()); got != tt.left {
				t.Errorf("%d left, want %d", got, tt.left)
			}
			if len(ft.prompts) != 1 || !strings.Contains(ft.prompts[0], "/amplify/testapp/main/") {
				t.Errorf("prompts %q do not say what is removed", ft.prompts)
			}
		})
	}
	t.Run("--all on an empty branch", func(t *testing.T) {
		e := newEnv(t)
		e.seed("", "S_00")
		r := e.mustRun(0, "", "secret", "remove", "--all", "--branch", "main", "--yes")
		wantContains(t, "stdout", r.stdout, "nothing removed")
	})
	t.Run("--all under an unknown app id", func(t *testing.T) {
		e := newEnv(t)
		e.seed("main", "S_00")
		r := e.mustRun(1, "", "secret", "remove", "--all", "--branch", "main", "--yes", "--app-id", "other")
		wantContains(t, "stderr", r.stderr, "may be wrong")
		if len(e.params()) != 1 {
			t.Error("removed something")
		}
	})
}

// TestRoundTrip: what set and copy store is, byte for byte, what was
// given: multi-byte UTF-8, inner and trailing whitespace, and values at
// the tiers' limits in bytes (not characters). From standard input exactly
// one trailing "\n" or "\r\n" is dropped.
func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name, stdin string
		args        []string
		want        string
	}{
		{"multi-byte UTF-8", "fake-ключ-🔑-密钥-main\n", nil, "fake-ключ-🔑-密钥-main"},
		{"CRLF dropped once", "fake\r\n\r\n", nil, "fake\r\n"},
		{"lone CR kept", "fake\r", nil, "fake\r"},
		{"CR LF inside kept", "a\r\nb\r\n", nil, "a\r\nb"},
		{"spaces and tabs kept", "  fake \t\n", nil, "  fake \t"},
		{"NUL kept", "fa\x00ke", nil, "fa\x00ke"},
		{"4096 bytes of 2-byte characters", strings.Repeat("é", 2048) + "\n", nil, strings.Repeat("é", 2048)},
		{"4096 bytes ending in a 4-byte character", strings.Repeat("x", 4092) + "🔑", nil, strings.Repeat("x", 4092) + "🔑"},
		{"8192 bytes of 3-byte characters and 2 bytes, --advanced", strings.Repeat("€", 2730) + "xy\r\n", []string{"--advanced"}, strings.Repeat("€", 2730) + "xy"},
	}
	e := newEnv(t)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fakes[tt.want] = true
			name := fmt.Sprintf("RT_%02d", i)
			e.mustRun(0, tt.stdin, append([]string{"secret", "set", name, "--branch", "main"}, tt.args...)...)
			if got := e.params()["/amplify/testapp/main/"+name]; got != tt.want {
				t.Errorf("stored %d bytes %q, want %d bytes %q", len(got), got, len(tt.want), tt.want)
			}
		})
	}
	t.Run("from the terminal", func(t *testing.T) {
		v := "fake-ключ-🔑-terminal \t"
		fakes[v] = true
		e.term = &fakeTerm{passwords: []string{v, v}}
		defer func() { e.term = nil }()
		e.mustRun(0, "", "secret", "set", "RT_TERM", "--branch", "main")
		if got := e.params()["/amplify/testapp/main/RT_TERM"]; got != v {
			t.Errorf("stored %q, want %q", got, v)
		}
	})
	t.Run("copy", func(t *testing.T) {
		before := e.params()
		e.mustRun(0, "", "secret", "copy", "--from-branch", "main", "--to-branch", "feature/rt")
		got := e.params()
		n := 0
		for p, v := range before {
			name := strings.TrimPrefix(p, "/amplify/testapp/main/")
			if c := got["/amplify/testapp/"+model.BranchName("feature/rt")+"/"+name]; c != v {
				t.Errorf("copy of %s: %d bytes %q, want %d bytes %q", name, len(c), c, len(v), v)
			}
			n++
		}
		if n != len(tests)+1 {
			t.Errorf("copied %d, want %d", n, len(tests)+1)
		}
	})
}

func TestCopy(t *testing.T) {
	e := newEnv(t)
	src := e.seed("main", names("S", 26)...)
	dst := map[string]string{"S_00": fake("feature", 0), "S_01": fake("feature", 1), "EXTRA": fake("feature", 2)}
	for n, v := range dst {
		e.put("/amplify/testapp/-feature-x-57c3e5c959/"+n, v)
	}
	r := e.mustRun(0, "", "secret", "copy", "--from-branch", "main", "--to-branch", "feature/x")
	wantContains(t, "stdout", r.stdout, "copied 24 secrets", "24 new, 0 overwritten, 2 skipped", "S_00, S_01")
	got := e.params()
	for n, v := range src {
		want := v
		if dv, ok := dst[n]; ok {
			want = dv
		}
		if g := got["/amplify/testapp/-feature-x-57c3e5c959/"+n]; g != want {
			t.Errorf("feature-x/%s = %q, want %q", n, g, want)
		}
	}
	if p, _ := e.param("/amplify/testapp/-feature-x-57c3e5c959/S_05"); p.Type != "SecureString" {
		t.Errorf("copy is %s, want SecureString", p.Type)
	}
	r = e.mustRun(0, "", "secret", "copy", "--from-branch", "main", "--to-branch", "feature/x", "--overwrite")
	wantContains(t, "stdout", r.stdout, "0 new, 26 overwritten, 0 skipped")
	got = e.params()
	for n, v := range src {
		if g := got["/amplify/testapp/-feature-x-57c3e5c959/"+n]; g != v {
			t.Errorf("after --overwrite feature-x/%s = %q, want %q", n, g, v)
		}
	}
	if got["/amplify/testapp/-feature-x-57c3e5c959/EXTRA"] != dst["EXTRA"] {
		t.Error("EXTRA, absent from the source, was touched")
	}
	t.Run("empty source", func(t *testing.T) {
		r := e.mustRun(1, "", "secret", "copy", "--from-branch", "nothing-here", "--to-branch", "x2")
		wantContains(t, "stderr", r.stderr, "branch nothing-here has no secrets", "nothing to copy")
	})
	t.Run("empty source path", func(t *testing.T) {
		r := e.mustRun(1, "", "secret", "copy", "--from-path", "/amplify/testapp/nothing-here", "--to-branch", "x2")
		wantContains(t, "stderr", r.stderr, "path /amplify/testapp/nothing-here/ has no secrets", "nothing to copy")
	})
}

// A branch whose secrets an older fnenv kept under its old path level
// ("feature_x" as it was) moves with --from-path; the same way, a branch
// moves to Amplify Gen 2's paths.
func TestCopyFromPath(t *testing.T) {
	e := newEnv(t)
	e.put("/amplify/testapp/feature_x/API_KEY", fake("old", 0))
	e.put("/amplify/testapp/feature_x/DB_URL", fake("old", 1))
	r := e.mustRun(0, "", "secret", "copy", "--from-path", "/amplify/testapp/feature_x/", "--to-branch", "feature_x")
	wantContains(t, "stdout", r.stdout, "copied 2 secrets from path /amplify/testapp/feature_x/ to branch feature_x (/amplify/testapp/-feature-x-31835eb5c3/): 2 new")
	r = e.mustRun(0, "", "secret", "copy", "--paths", "amplify", "--from-path", "/amplify/testapp/-feature-x-31835eb5c3", "--to-branch", "feature_x")
	wantContains(t, "stdout", r.stdout, "to branch feature_x (/amplify/testapp/featurex-branch-")
	ha := "2d62a8ded0" // sha512("testapp" + "feature_x")[:10]
	want := map[string]string{
		"/amplify/testapp/feature_x/API_KEY": fake("old", 0), "/amplify/testapp/feature_x/DB_URL": fake("old", 1),
		"/amplify/testapp/-feature-x-31835eb5c3/API_KEY": fake("old", 0), "/amplify/testapp/-feature-x-31835eb5c3/DB_URL": fake("old", 1),
		"/amplify/testapp/featurex-branch-" + ha + "/API_KEY": fake("old", 0), "/amplify/testapp/featurex-branch-" + ha + "/DB_URL": fake("old", 1),
	}
	if diff := cmp.Diff(e.params(), want); diff != "" {
		t.Errorf("parameters (-got +want):\n%s", diff)
	}
	// THEN every command reads the branch at Amplify's path with --paths amplify
	r = e.mustRun(0, "", "secret", "list", "--branch", "feature_x", "--paths", "amplify")
	wantContains(t, "stdout", r.stdout, "API_KEY", "DB_URL")
	r = e.mustRun(0, "", "secret", "remove", "--all", "--yes", "--branch", "feature_x", "--paths", "amplify")
	delete(want, "/amplify/testapp/featurex-branch-"+ha+"/API_KEY")
	delete(want, "/amplify/testapp/featurex-branch-"+ha+"/DB_URL")
	if diff := cmp.Diff(e.params(), want); diff != "" {
		t.Errorf("after remove --all --paths amplify (-got +want):\n%s", diff)
	}
}

// TestSetTier: a value keeps the tier it needs: Standard up to 4 KB,
// Advanced with --advanced up to 8 KB.
func TestSetTier(t *testing.T) {
	tests := []struct {
		name string
		size int
		args []string
		tier string
	}{
		{"small", 100, nil, "Standard"},
		{"4 KB exactly", 4096, nil, "Standard"},
		{"5000 bytes, --advanced", 5000, []string{"--advanced"}, "Advanced"},
		{"8 KB exactly, --advanced", 8192, []string{"--advanced"}, "Advanced"},
		{"small, --advanced", 10, []string{"--advanced"}, "Advanced"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			v := strings.Repeat("v", tt.size)
			fakes[v] = true
			e.mustRun(0, v+"\n", append([]string{"secret", "set", "K1", "--branch", "main"}, tt.args...)...)
			out, err := e.ssm.DescribeParameters(t.Context(), &ssm.DescribeParametersInput{})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Parameters) != 1 || string(out.Parameters[0].Tier) != tt.tier {
				t.Errorf("parameters %+v, want one of tier %s", out.Parameters, tt.tier)
			}
			if got := e.params()["/amplify/testapp/main/K1"]; got != v {
				t.Errorf("stored %d bytes, want %d", len(got), len(v))
			}
		})
	}
}

// TestUsageHintSpellsFnenvAsRun: the "Run '… --help'" line after a usage
// error spells fnenv as the user ran it, like every other hint.
func TestUsageHintSpellsFnenvAsRun(t *testing.T) {
	e := newEnv(t)
	for _, args := range [][]string{{"secret", "diff", "main"}, {"secret", "get", "--nosuchflag"}} {
		r, _ := e.runWith(t.Context(), func(a *App) { a.Name = "go tool fnenv" }, "", args...)
		if r.code != ExitUsage {
			t.Fatalf("fnenv %v: exit %d, want 2\n%s", args, r.code, r.stderr)
		}
		wantContains(t, "stderr", r.stderr, "Run 'go tool fnenv secret "+args[1]+" --help' for usage.")
	}
}
