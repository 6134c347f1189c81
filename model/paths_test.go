package model

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var (
	stackNameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]*$`)
	paramNameRE = regexp.MustCompile(`^[a-zA-Z0-9_.\-/]+$`)
)

// longBranch is a 145-character branch with slashes, dots and underscores.
var longBranch = "feature/" + strings.Join([]string{
	"segment00-with_parts.x", "segment01-with_parts.x", "segment02-with_parts.x",
	"segment03-with_parts.x", "segment04-with_parts.x", "segment05-with_parts.x"}, "/")

func TestBranchName(t *testing.T) {
	tests := []struct{ branch, want string }{
		{"main", "main"},
		{"feature-login", "feature-login"},
		{"Release-2024-11", "Release-2024-11"},
		{"a--b-", "a--b-"},
		{strings.Repeat("a", 100), strings.Repeat("a", 100)},
		{"feature/login", "-feature-login-" + hash("feature/login")},
		{"release/1.2", "-release-1-2-" + hash("release/1.2")},
		{"feature_x", "-feature-x-" + hash("feature_x")},
		{"dependabot/go_modules/golang.org/x/net-0.31.0", "-dependabot-go-modules-golang-org-x-net-0-31-0-" + hash("dependabot/go_modules/golang.org/x/net-0.31.0")},
		{"fix/über", "-fix-ber-" + hash("fix/über")},
		{"@", "--" + hash("@")},
		{"-x", "-x-" + hash("-x")},
		{strings.Repeat("a", 101), "-" + strings.Repeat("a", 88) + "-" + hash(strings.Repeat("a", 101))},
		{longBranch, "-feature-segment00-with-parts-x-segment01-with-parts-x-segment02-with-parts-x-segment03-w-" + hash(longBranch)},
	}
	for _, tt := range tests {
		if got := BranchName(tt.branch); got != tt.want {
			t.Errorf("BranchName(%q) = %q, want %q", tt.branch, got, tt.want)
		}
	}
}

func TestStackName(t *testing.T) {
	long120 := "release/" + strings.Repeat("x", 112)
	tests := []struct{ base, branch, want, wantErr string }{
		{base: "Payments", branch: "main", want: "Payments-main"},
		{base: "Payments", branch: "feature/login", want: "Payments--feature-login-" + hash("feature/login")},
		{base: "Payments", branch: "release/1.2", want: "Payments--release-1-2-" + hash("release/1.2")},
		{base: "Payments", branch: long120, want: "Payments--release-" + strings.Repeat("x", 80) + "-" + hash(long120)},
		// a long stack id leaves less room: the branch's part is cut to fit 128
		{base: strings.Repeat("S", 100), branch: "feature/login", want: strings.Repeat("S", 100) + "--feature-login-" + hash("feature/login")},
		{base: strings.Repeat("S", 105), branch: "feature/login", want: strings.Repeat("S", 105) + "--feature-lo-" + hash("feature/login")},
		{base: strings.Repeat("S", 100), branch: strings.Repeat("k", 27), want: strings.Repeat("S", 100) + "-" + strings.Repeat("k", 27)},
		{base: strings.Repeat("S", 100), branch: strings.Repeat("k", 28), want: strings.Repeat("S", 100) + "--" + strings.Repeat("k", 15) + "-" + hash(strings.Repeat("k", 28))},
		{base: strings.Repeat("S", 116), branch: "main", want: strings.Repeat("S", 116) + "-main"},
		{base: strings.Repeat("S", 116), branch: "feature/login", wantErr: "too long to carry the branch"},
		{base: "Pay_ments", branch: "main", wantErr: "must match [A-Za-z][A-Za-z0-9-]*"},
		{base: "1Payments", branch: "main", wantErr: "must match [A-Za-z][A-Za-z0-9-]*"},
		{base: "Paymentś", branch: "main", wantErr: "must match"},
	}
	for _, tt := range tests {
		got, err := StackName(tt.base, tt.branch)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), fmt.Sprintf("%q", tt.branch)) {
				t.Errorf("StackName(%q, %q) = %q, %v; want an error naming the branch and saying %q", tt.base, tt.branch, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("StackName(%q, %q) = %q, %v; want %q", tt.base, tt.branch, got, err, tt.want)
		}
		if len(got) > MaxStackNameLength || !stackNameRE.MatchString(got) {
			t.Errorf("StackName(%q, %q) = %q is not a valid stack name", tt.base, tt.branch, got)
		}
	}
}

func TestPaths(t *testing.T) {
	fnenv := Backend{AppID: "d1abc", Branch: "feature/login", Paths: PathsFnenv}
	amplify := Backend{AppID: "d1abc", Branch: "feature/login", Paths: PathsAmplify}
	custom := Backend{AppID: "d1abc", Branch: "main", Prefix: "/teams/pay/"}
	h := hash("feature/login")
	ha := hash("d1abc" + "feature/login")
	got := [][]string{
		{fnenv.BranchPath("K"), fnenv.SharedPath("K"), fnenv.AppPrefix(), fnenv.BranchLevel()},
		{amplify.BranchPath("K"), amplify.SharedPath("K"), amplify.AppPrefix(), amplify.BranchLevel()},
		{custom.BranchPath("K"), custom.SharedPath("K"), custom.AppPrefix(), custom.BranchLevel()},
	}
	want := [][]string{
		{"/amplify/d1abc/-feature-login-" + h + "/K", "/amplify/shared/d1abc/K", "/amplify/d1abc/", "-feature-login-" + h},
		{"/amplify/d1abc/featurelogin-branch-" + ha + "/K", "/amplify/shared/d1abc/K", "/amplify/d1abc/", "featurelogin-branch-" + ha},
		{"/teams/pay/d1abc/main/K", "/teams/pay/shared/d1abc/K", "/teams/pay/d1abc/", "main"},
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("paths (-got +want):\n%s", diff)
	}
}

// amplifyVector is one case of testdata/amplify_paths.json, which
// testdata/amplify_paths.mjs computes with Node's crypto from Amplify's
// own rules.
type amplifyVector struct {
	AppID      string `json:"appId"`
	Branch     string `json:"branch"`
	BranchPath string `json:"branchPath"`
	SharedPath string `json:"sharedPath"`
}

func readVectors(t *testing.T) ([]byte, []amplifyVector) {
	t.Helper()
	data, err := os.ReadFile("testdata/amplify_paths.json")
	if err != nil {
		t.Fatal(err)
	}
	var vs []amplifyVector
	if err := json.Unmarshal(data, &vs); err != nil {
		t.Fatal(err)
	}
	if len(vs) < 20 {
		t.Fatalf("only %d vectors", len(vs))
	}
	return data, vs
}

func TestAmplifyPathsMatchAmplify(t *testing.T) {
	_, vs := readVectors(t)
	// Amplify's own test: parameter_path_conversions.test.ts, "removes
	// non-alphanumeric chars from namespace and name".
	vs = append(vs, amplifyVector{
		AppID: `t-_e.s,@ t--T@,,  !@#$%^&*(){}:":<>?/|\[]   H/I. .S`, Branch: `t-_h.i,@ ng1-&&%2@@3-   _`,
		BranchPath: "/amplify/testTHIS/thing123-branch-70899a9dd1/SECRET",
		SharedPath: `/amplify/shared/t-_e.s,@ t--T@,,  !@#$%^&*(){}:":<>?/|\[]   H/I. .S/SECRET`,
	})
	for _, v := range vs {
		b := Backend{AppID: v.AppID, Branch: v.Branch, Paths: PathsAmplify, Prefix: DefaultPrefix}
		if got := b.BranchPath("SECRET"); got != v.BranchPath {
			t.Errorf("app %q, branch %q: BranchPath = %q, want %q", v.AppID, v.Branch, got, v.BranchPath)
		}
		if got := b.SharedPath("SECRET"); got != v.SharedPath {
			t.Errorf("app %q, branch %q: SharedPath = %q, want %q", v.AppID, v.Branch, got, v.SharedPath)
		}
		if got, want := b.BranchPrefix(), strings.TrimSuffix(v.BranchPath, "SECRET"); got != want {
			t.Errorf("app %q, branch %q: BranchPrefix = %q, want %q", v.AppID, v.Branch, got, want)
		}
		if !strings.HasPrefix(b.BranchPrefix(), b.AppPrefix()) {
			t.Errorf("app %q, branch %q: BranchPrefix %q is not under AppPrefix %q", v.AppID, v.Branch, b.BranchPrefix(), b.AppPrefix())
		}
	}
}

// TestAmplifyVectorsFromNode recomputes testdata/amplify_paths.json with
// Node, so that the vectors stay those of Amplify's rules.
func TestAmplifyVectorsFromNode(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not on PATH; the committed vectors are checked by TestAmplifyPathsMatchAmplify")
	}
	data, vs := readVectors(t)
	in := make([]map[string]string, len(vs))
	for i, v := range vs {
		in[i] = map[string]string{"appId": v.AppID, "branch": v.Branch}
	}
	stdin, _ := json.Marshal(in)
	cmd := exec.Command(node, "testdata/amplify_paths.mjs")
	cmd.Stdin = bytes.NewReader(stdin)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node testdata/amplify_paths.mjs: %v", err)
	}
	if diff := cmp.Diff(string(out), string(data)); diff != "" {
		t.Errorf("Node's vectors differ from testdata/amplify_paths.json (-node +file); regenerate with\n  node model/testdata/amplify_paths.mjs < cases > model/testdata/amplify_paths.json\n%s", diff)
	}
}

// checkMapped checks what every branch must map to: a valid stack name and
// valid parameter paths in both layouts.
func checkMapped(t *testing.T, branch string) {
	t.Helper()
	for _, base := range []string{"Payments", strings.Repeat("S", 100), strings.Repeat("S", 115)} {
		name, err := StackName(base, branch)
		if err != nil {
			t.Errorf("StackName(%q, %q): %v", base, branch, err)
			continue
		}
		if len(name) > MaxStackNameLength || !stackNameRE.MatchString(name) {
			t.Errorf("StackName(%q, %q) = %q: not a valid stack name", base, branch, name)
		}
	}
	if l := BranchName(branch); len(l) > MaxBranchName || keeps(branch) && len(branch) <= MaxBranchName && l != branch {
		t.Errorf("BranchName(%q) = %q", branch, l)
	}
	for _, paths := range []Paths{PathsFnenv, PathsAmplify} {
		b := Backend{AppID: "d1a2b3c4d5e6f7", Branch: branch, Paths: paths}
		p := b.BranchPath("A_SECRET_NAME")
		if !paramNameRE.MatchString(p) || strings.Contains(p, "//") || strings.Count(p, "/") != 4 || len(p) > 1011 {
			t.Errorf("%s: BranchPath for %q = %q: not a valid 4-level parameter name", paths, branch, p)
		}
		if strings.Contains(p, "/./") || strings.Contains(p, "/../") {
			t.Errorf("%s: BranchPath for %q = %q has a relative level", paths, branch, p)
		}
		if strings.HasPrefix(p, b.SharedPrefix()) || strings.HasPrefix(p, "/amplify/shared/") {
			t.Errorf("%s: BranchPath for %q = %q is a shared path", paths, branch, p)
		}
	}
}

// FuzzBranchMapping checks, for any two branch names, that each maps to a
// valid stack name and valid paths, and that different names map apart.
func FuzzBranchMapping(f *testing.F) {
	pairs := [][2]string{
		{"feature/login", "feature-login"}, {"feature/login", "feature_login"}, {"feature/login", "-feature-login-" + hash("feature/login")},
		{"release/1.2", "release-1-2"}, {"a/b", "a//b"}, {"main", "Main"}, {"x", "-x"},
		{strings.Repeat("a", 100), strings.Repeat("a", 101)}, {longBranch, longBranch + "y"},
		{"dependabot/go_modules/golang.org/x/net-0.31.0", "dependabot/go_modules/golang.org/x/net-0.31.1"},
	}
	for _, p := range pairs {
		f.Add(p[0], p[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		checkMapped(t, a)
		checkMapped(t, b)
		if a == b {
			return
		}
		if BranchName(a) == BranchName(b) {
			t.Errorf("branches %q and %q both map to %q", a, b, BranchName(a))
		}
		for _, base := range []string{"Payments", strings.Repeat("S", 110)} {
			sa, _ := StackName(base, a)
			sb, _ := StackName(base, b)
			if sa == sb {
				t.Errorf("branches %q and %q both get stack name %q", a, b, sa)
			}
		}
		ba, bb := Backend{AppID: "app", Branch: a, Paths: PathsAmplify}, Backend{AppID: "app", Branch: b, Paths: PathsAmplify}
		if ba.BranchPrefix() == bb.BranchPrefix() {
			t.Errorf("amplify: branches %q and %q both map to %q", a, b, ba.BranchPrefix())
		}
	})
}

// TestBranchMappingIsInjective maps every string of up to 5 characters
// over an alphabet of the characters the mapping treats differently, and
// long names around the limits, and finds no two with one stack name.
func TestBranchMappingIsInjective(t *testing.T) {
	alphabet := []string{"a", "B", "1", "-", "/", "_", ".", "ü"}
	var names []string
	level := []string{""}
	for n := 1; n <= 5; n++ {
		var next []string
		for _, p := range level {
			for _, c := range alphabet {
				next = append(next, p+c)
			}
		}
		names, level = append(names, next...), next
	}
	for n := 95; n <= 130; n++ {
		names = append(names, strings.Repeat("a", n), strings.Repeat("a", n-1)+"/", "x/"+strings.Repeat("a", n-2))
	}
	seen := map[string]string{}
	seenStack := map[string]string{}
	for _, b := range names {
		checkMapped(t, b)
		l := BranchName(b)
		if o, ok := seen[l]; ok {
			t.Fatalf("branches %q and %q both map to %q", o, b, l)
		}
		seen[l] = b
		s, _ := StackName(strings.Repeat("S", 105), b)
		if o, ok := seenStack[s]; ok {
			t.Fatalf("branches %q and %q both get stack name %q", o, b, s)
		}
		seenStack[s] = b
	}
	if len(seen) < 30000 {
		t.Fatalf("only %d names tried", len(seen))
	}
}

func TestValidateBackend(t *testing.T) {
	tests := []struct {
		name string
		b    Backend
		want []string // substrings of the error, "" for none
	}{
		{"fnenv", Backend{AppID: "d1abc", Branch: "feature/login"}, nil},
		{"amplify", Backend{AppID: "d1abc", Branch: "feature/login", Paths: PathsAmplify, Prefix: "/amplify"}, nil},
		{"app id shared", Backend{AppID: "shared", Branch: "main"}, []string{`app id "shared" is refused`, "shared secrets of every app"}},
		{"app id resource_reference", Backend{AppID: "resource_reference", Branch: "main"}, []string{`app id "resource_reference" is refused`}},
		{"amplify: app id that keeps shared", Backend{AppID: "sha-red", Branch: "main", Paths: PathsAmplify}, []string{`app id "sha-red" is refused`, `makes "shared" a level`}},
		{"amplify: app id without letters", Backend{AppID: "_-.", Branch: "main", Paths: PathsAmplify}, []string{"no letter or digit"}},
		{"app id .", Backend{AppID: ".", Branch: "main"}, []string{`app id "." is refused`, "relative path level"}},
		{"app id ..", Backend{AppID: "..", Branch: "main"}, []string{`app id ".." is refused`}},
		{"app id with a slash", Backend{AppID: "a/b", Branch: "main"}, []string{`app id "a/b" must match [a-zA-Z0-9_.-]+`}},
		{"branch .", Backend{AppID: "app", Branch: "."}, []string{`branch "." is refused`}},
		{"branch ..", Backend{AppID: "app", Branch: ".."}, []string{`branch ".." is refused`}},
		{"everything at once", Backend{AppID: "..", Branch: "", Paths: "x"}, []string{`paths "x": must be "fnenv"`, `app id ".."`, `branch "" is refused: it is empty`}},
		{"branch a..b", Backend{AppID: "app", Branch: "a..b"}, []string{`branch "a..b" is refused: it holds ".."`, "git check-ref-format --branch", "git branch --show-current"}},
		{"branch with a newline", Backend{AppID: "app", Branch: "a\nb"}, []string{`branch "a\nb" is refused: it holds the control character '\n' at byte 1`}},
		{"branch HEAD", Backend{AppID: "app", Branch: "HEAD"}, []string{`branch "HEAD" is refused: "HEAD" names the current commit`}},
		{"prefix with ..", Backend{AppID: "app", Branch: "main", Prefix: "/a/../b"}, []string{`parameter prefix "/a/../b"`}},
		{"prefix without a slash", Backend{AppID: "app", Branch: "main", Prefix: "amplify"}, []string{"must start with '/'"}},
		{"prefix /", Backend{AppID: "app", Branch: "main", Prefix: "/"}, []string{"at least one level"}},
		{"amplify with another prefix", Backend{AppID: "app", Branch: "main", Prefix: "/teams", Paths: PathsAmplify}, []string{`parameter prefix "/teams" cannot be used with paths "amplify"`}},
		{"amplify with /amplify/", Backend{AppID: "app", Branch: "main", Prefix: "/amplify/", Paths: PathsAmplify}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateBackend(tt.b)
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("ValidateBackend(%+v) = %v, want nil", tt.b, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("ValidateBackend(%+v) = nil, want an error saying %q", tt.b, tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("ValidateBackend(%+v) = %q, want it to say %q", tt.b, err, w)
				}
			}
		})
	}
}

// TestValidateBranchAsGit: ValidateBranch accepts exactly the names
// `git check-ref-format --branch` accepts (run outside a repository, so
// that git expands nothing), over names that break each rule, names near
// them that do not, and generated ones.
func TestValidateBranchAsGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	names := []string{
		"main", "feature/login", "release/1.2", "feature_x", "a-b", "é", "日本/ブランチ", "@", "a/@", "@/a", "a@b",
		"a{b", "a}b", "a]b", "x.lockx", "a./b", "head", "a/HEAD", "HEAD/a", "a/-x", "refs/heads/x", "a.b", "a/b/c",
		"", "HEAD", "-x", "--", "-", "a..b", "..", ".", "a/./b", "a/../b", "feat/", "/feat", "a//b", "a@{b", "@{",
		"@{-1}", "a b", " a", "a ", "a\nb", "a\tb", "a\x00b", "a\x1fb", "a\x7fb", "a~b", "a^b", "a:b", "a?b", "a*b",
		"a[b", "a\\b", "a.", "a/b.", ".a", "a/.b", "a.lock", "a.lock/b", "a/b.lock", ".lock", "a.lock.lock",
		"a/.lock", "~", "^", "a/", "/", "//", "...", "a...b", "a.lock.", "a@{", "@{a}", "a\x80b", "\xff",
	}
	// Every two-character name over a set of the bytes the rules name.
	const alphabet = "a.-/@{}~^:?*[\\ \t\x7f"
	for i := 0; i < len(alphabet); i++ {
		for j := 0; j < len(alphabet); j++ {
			names = append(names, alphabet[i:i+1]+alphabet[j:j+1], "x"+alphabet[i:i+1]+alphabet[j:j+1]+"y")
		}
	}
	dir := t.TempDir() // not a repository
	tried, refused := 0, 0
	for _, n := range names {
		cmd := exec.Command("git", "check-ref-format", "--branch", n)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CEILING_DIRECTORIES="+dir)
		// An argument cannot hold NUL: git never sees such a name, and
		// ValidateBranch must refuse it (a control character).
		gitOK := !strings.ContainsRune(n, 0) && cmd.Run() == nil
		err := ValidateBranch(n)
		tried++
		if err != nil {
			refused++
		}
		if gitOK != (err == nil) {
			t.Errorf("ValidateBranch(%q) = %v; git check-ref-format --branch accepts it: %v", n, err, gitOK)
		}
		if err != nil && !strings.Contains(err.Error(), fmt.Sprintf("branch %q is refused: ", n)) {
			t.Errorf("ValidateBranch(%q) = %q, want it to name the branch", n, err)
		}
	}
	t.Logf("%d names tried, %d refused by both", tried, refused)
}

func TestValidateLevel(t *testing.T) {
	for _, s := range []string{"STRIPE_KEY", "a.b", "-x", "..."} {
		if err := ValidateLevel("secret name", s); err != nil {
			t.Errorf("ValidateLevel(%q) = %v", s, err)
		}
	}
	for _, s := range []string{"", ".", "..", "a/b", "a b", "ü"} {
		if err := ValidateLevel("secret name", s); err == nil || !strings.HasPrefix(err.Error(), "secret name") {
			t.Errorf("ValidateLevel(%q) = %v, want an error naming the secret name", s, err)
		}
	}
}

func TestParsePaths(t *testing.T) {
	for in, want := range map[string]Paths{"": PathsFnenv, "fnenv": PathsFnenv, "amplify": PathsAmplify} {
		if got, err := ParsePaths(in); got != want || err != nil {
			t.Errorf("ParsePaths(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParsePaths("Amplify"); err == nil || !strings.Contains(err.Error(), `"amplify"`) {
		t.Errorf("ParsePaths(Amplify) = %v, want an error naming the values", err)
	}
}
