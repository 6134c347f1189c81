package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"

	"github.com/fnenv/fnenv/internal/moto"
)

// srv is the package's moto server; each test starts from srv.Reset.
var srv *moto.Server

func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == ResolveCommand { // fnenv env's child: this binary stands in for fnenv
		os.Exit((&App{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}).Run(context.Background(), os.Args[1:]))
	}
	s, err := moto.Start(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	srv = s
	for _, kv := range s.Env() {
		k, v, _ := strings.Cut(kv, "=")
		os.Setenv(k, v)
	}
	code := m.Run()
	s.Stop()
	os.Exit(code)
}

const appID = "testapp"

// fakes are every fake secret value a test stored or typed; no command
// output may contain one, except under --reveal.
var fakes = map[string]bool{}

func fake(branch string, i int) string {
	v := fmt.Sprintf("sk_test_fake_%s_%04d", strings.ReplaceAll(branch, "/", "-"), i)
	fakes[v] = true
	return v
}

// fakeTerm is a Terminal that answers from lists and records its prompts.
type fakeTerm struct {
	passwords, lines []string
	prompts          []string
}

func (f *fakeTerm) IsTerminal() bool { return true }

func (f *fakeTerm) ReadPassword(_ context.Context, prompt string) (string, error) {
	f.prompts = append(f.prompts, prompt)
	if len(f.passwords) == 0 {
		return "", fmt.Errorf("fakeTerm: no password left")
	}
	p := f.passwords[0]
	f.passwords = f.passwords[1:]
	return p, nil
}

func (f *fakeTerm) ReadLine(_ context.Context, prompt string) (string, error) {
	f.prompts = append(f.prompts, prompt)
	if len(f.lines) == 0 {
		return "", fmt.Errorf("fakeTerm: no line left")
	}
	l := f.lines[0]
	f.lines = f.lines[1:]
	return l, nil
}

// tenv is one test's working directory (with a cdk.json), environment and
// terminal.
type tenv struct {
	t    *testing.T
	dir  string
	vars map[string]string
	term Terminal
	ssm  *ssm.Client
	// cacheDir is App.CacheDir: "" for the default.
	cacheDir string
}

func newEnv(t *testing.T) *tenv {
	t.Helper()
	if err := srv.Reset(); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "cdk.json"), `{"app": "false", "context": {"appId": "`+appID+`"}}`)
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return &tenv{t: t, dir: dir, vars: map[string]string{}, ssm: ssm.NewFromConfig(cfg)}
}

func writeFile(t *testing.T, p, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

type result struct {
	stdout, stderr string
	code           int
}

func (e *tenv) app(stdin string) (*App, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	return &App{
		Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Term: e.term,
		Getenv: func(k string) string { return e.vars[k] }, Dir: e.dir, NoGit: true,
		MaxBackoff: time.Millisecond, CacheDir: e.cacheDir,
	}, &out, &errb
}

// run drives the root command in-process and checks that no fake value
// reached the output unless --reveal was given.
func (e *tenv) run(stdin string, args ...string) result {
	e.t.Helper()
	a, out, errb := e.app(stdin)
	return e.finish(a.Run(context.Background(), args), out, errb, args)
}

func (e *tenv) finish(code int, out, errb *bytes.Buffer, args []string) result {
	e.t.Helper()
	r := result{out.String(), errb.String(), code}
	reveal := false
	for _, a := range args {
		reveal = reveal || a == "--reveal"
	}
	if !reveal {
		for v := range fakes {
			if strings.Contains(r.stdout, v) || strings.Contains(r.stderr, v) {
				e.t.Errorf("fnenv %s printed the secret value %q:\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), v, r.stdout, r.stderr)
			}
		}
	}
	if ft, ok := e.term.(*fakeTerm); ok {
		for _, p := range ft.prompts {
			for v := range fakes {
				if strings.Contains(p, v) {
					e.t.Errorf("prompt %q holds a secret value", p)
				}
			}
		}
	}
	return r
}

// mustRun runs and fails the test unless the exit code is want.
func (e *tenv) mustRun(want int, stdin string, args ...string) result {
	e.t.Helper()
	r := e.run(stdin, args...)
	if r.code != want {
		e.t.Fatalf("fnenv %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, want, r.stdout, r.stderr)
	}
	return r
}

// once makes a call that is not idempotent (CreateStack, PutParameter,
// which adds a version) take effect once. call makes one attempt, without
// the SDK's retries: when an answer is lost on its way back (seen under
// load against moto: the 200 arrives, reading its body fails), a retry
// gets AlreadyExists for what the first attempt made, or adds a version
// the tests count. So after a failure that is not the service's answer,
// landed looks whether the call took effect before it is made again.
func (e *tenv) once(what string, call func() error, landed func() bool) {
	e.t.Helper()
	for attempt := 1; ; attempt++ {
		err := call()
		var ae smithy.APIError
		switch {
		case err == nil:
			return
		case errors.As(err, &ae) || attempt == 3:
			e.t.Fatalf("%s (attempt %d): %v", what, attempt, err)
		}
		if landed() {
			return
		}
	}
}

// put stores value at path as a SecureString, as one new version.
func (e *tenv) put(path, value string) {
	e.t.Helper()
	in := &ssm.PutParameterInput{
		Name: aws.String(path), Value: aws.String(value), Type: types.ParameterTypeSecureString, Overwrite: aws.Bool(true),
	}
	e.once("putting "+path, func() error {
		_, err := e.ssm.PutParameter(context.Background(), in, func(o *ssm.Options) { o.RetryMaxAttempts = 1 })
		return err
	}, func() bool {
		out, err := e.ssm.GetParameter(context.Background(), &ssm.GetParameterInput{Name: aws.String(path), WithDecryption: aws.Bool(true)})
		return err == nil && aws.ToString(out.Parameter.Value) == value
	})
}

// params returns every parameter in moto, name → decrypted value.
func (e *tenv) params() map[string]string {
	e.t.Helper()
	out := map[string]string{}
	pg := ssm.NewGetParametersByPathPaginator(e.ssm, &ssm.GetParametersByPathInput{
		Path: aws.String("/"), Recursive: aws.Bool(true), WithDecryption: aws.Bool(true),
	})
	for pg.HasMorePages() {
		page, err := pg.NextPage(context.Background())
		if err != nil {
			e.t.Fatal(err)
		}
		for _, p := range page.Parameters {
			out[aws.ToString(p.Name)] = aws.ToString(p.Value)
		}
	}
	return out
}

func (e *tenv) param(path string) (types.Parameter, bool) {
	e.t.Helper()
	out, err := e.ssm.GetParameter(context.Background(), &ssm.GetParameterInput{Name: aws.String(path), WithDecryption: aws.Bool(true)})
	if err != nil {
		var nf *types.ParameterNotFound
		if asErr(err, &nf) {
			return types.Parameter{}, false
		}
		e.t.Fatal(err)
	}
	return *out.Parameter, true
}

// seed stores n secrets SECRET_00.. on the branch (branch != "") or shared,
// and returns name → value.
func (e *tenv) seed(branch string, names ...string) map[string]string {
	e.t.Helper()
	vals := map[string]string{}
	for i, n := range names {
		src := branch
		path := "/amplify/" + appID + "/" + strings.ReplaceAll(branch, "/", "-") + "/" + n
		if branch == "" {
			src, path = "shared", "/amplify/shared/"+appID+"/"+n
		}
		v := fake(src, i)
		e.put(path, v)
		vals[n] = v
	}
	return vals
}

func names(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s_%02d", prefix, i)
	}
	return out
}

func sorted(ss []string) []string {
	ss = append([]string(nil), ss...)
	sort.Strings(ss)
	return ss
}

func wantContains(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s does not contain %q:\n%s", what, w, got)
		}
	}
}

func asErr(err error, target any) bool { return errors.As(err, target) }
