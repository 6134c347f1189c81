package cli

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fnenv/fnenv/codegen"
	"github.com/fnenv/fnenv/internal/usermod"
	"github.com/fnenv/fnenv/model"
)

// TestVet: in a user's module outside the repository, with env packages as
// fnenv generates them, `fnenv vet` and `go vet -vettool=fnenv` report a
// handler that reads its secret with os.Getenv and one that imports
// another function's env package, at file:line:col, and exit 1; both exit
// 0 once the handlers are fixed.
func TestVet(t *testing.T) {
	if testing.Short() {
		t.Skip("builds fnenv and type-checks a module")
	}
	// GIVEN a module whose handler's env package is not generated yet
	// WHEN vetted THEN fnenv vet passes, saying it found no function
	m := usermod.New(t, usermod.Options{Name: "shop", Path: "example.com/shop"})
	m.WriteFile("functions/charge/main.go", "package main\n\nimport \"os\"\n\nfunc main() { _ = os.Getenv(\"STRIPE_KEY\") }\n")
	{
		var out, errb bytes.Buffer
		a := &App{Stdout: &out, Stderr: &errb, Dir: m.Dir, NoGit: true, Name: "fnenv"}
		if code := a.Run(t.Context(), []string{"vet"}); code != ExitOK || out.String() != "" {
			t.Errorf("fnenv vet before gen: exit %d, stdout %q", code, out.String())
		}
		if diff := cmp.Diff(errb.String(), "fnenv: vet: no package of ./... belongs to a function (no generated env package, env/env.go, in its directory or above): synthesize the app or run fnenv gen first\n"); diff != "" {
			t.Errorf("stderr (-got +want):\n%s", diff)
		}
	}

	// GIVEN two functions whose env packages are generated
	for _, fn := range []model.Function{
		model.NewFunction("charge", "functions/charge", map[string]model.Variable{
			"STRIPE_KEY": {Kind: model.Secret, Secret: "STRIPE_KEY"},
			"CURRENCY":   {Kind: model.Literal},
		}),
		model.NewFunction("refund", "functions/refund", map[string]model.Variable{
			"REFUND_KEY": {Kind: model.Secret, Secret: "REFUND_KEY"},
		}),
	} {
		if _, err := codegen.Write(m.Dir, fn); err != nil {
			t.Fatal(err)
		}
	}
	// … and handlers with the two mistakes (a literal read with os.Getenv
	// is fine)
	charge := `package main

import (
	"context"
	"fmt"
	"os"

	"example.com/shop/functions/charge/env"
)

func main() {
	e := env.MustLoad(context.Background())
	fmt.Println(os.Getenv("CURRENCY"), len(os.Getenv("STRIPE_KEY")), e.Currency)
}
`
	refund := `package main

import (
	"context"

	chargeenv "example.com/shop/functions/charge/env"
	"example.com/shop/functions/refund/env"
)

func main() {
	_ = env.MustLoad(context.Background())
	_ = chargeenv.MustLoad(context.Background())
}
`
	m.WriteFile("functions/charge/main.go", charge)
	m.WriteFile("functions/refund/main.go", refund)
	m.Tidy()
	want := "functions/charge/main.go:13:41: os.Getenv(\"STRIPE_KEY\") returns \"\" in Lambda: STRIPE_KEY is a secret of function \"charge\", resolved by its env package, not an environment variable; read it from env.Load(ctx), field StripeKey\n" +
		"functions/refund/main.go:6:2: imports example.com/shop/functions/charge/env, the env package of another function: its Load reads that function's configuration, which this function (env package example.com/shop/functions/refund/env) does not have; import example.com/shop/functions/refund/env and declare the variables this function needs in its own function.New\n"

	// WHEN fnenv vet runs THEN it reports both and exits 1
	vet := func(wantCode int, args ...string) string {
		t.Helper()
		var out, errb bytes.Buffer
		a := &App{Stdout: &out, Stderr: &errb, Dir: m.Dir, NoGit: true}
		if code := a.Run(t.Context(), append([]string{"vet"}, args...)); code != wantCode {
			t.Fatalf("fnenv vet %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, wantCode, out.String(), errb.String())
		}
		return out.String()
	}
	for _, args := range [][]string{nil, {"./..."}, {"./functions/charge", "./functions/refund"}} {
		if diff := cmp.Diff(vet(ExitFailed, args...), want); diff != "" {
			t.Errorf("fnenv vet %v (-got +want):\n%s", args, diff)
		}
	}
	if got := vet(ExitOK, "./functions/charge/env"); got != "" {
		t.Errorf("fnenv vet of an env package reports:\n%s", got)
	}

	// WHEN go vet runs fnenv as its vettool THEN it reports both and
	// fails
	bin := filepath.Join(t.TempDir(), "fnenv")
	build := exec.Command("go", "build", "-o", bin, "./cmd/fnenv")
	build.Dir, build.Env = m.Repo, m.Env
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build fnenv: %v\n%s", err, out)
	}
	out, err := m.Run("go", "vet", "-vettool="+bin, "./...")
	if err == nil {
		t.Errorf("go vet -vettool=fnenv passed:\n%s", out)
	}
	for _, l := range strings.Split(strings.TrimSpace(want), "\n") {
		if !strings.Contains(out, l) {
			t.Errorf("go vet -vettool=fnenv does not report\n%s\nin:\n%s", l, out)
		}
	}

	// WHEN the handlers are fixed THEN both pass
	m.WriteFile("functions/charge/main.go", strings.Replace(charge, `len(os.Getenv("STRIPE_KEY"))`, "len(e.StripeKey.Reveal())", 1))
	m.WriteFile("functions/refund/main.go", strings.Replace(strings.Replace(refund, "\tchargeenv \"example.com/shop/functions/charge/env\"\n", "", 1), "\t_ = chargeenv.MustLoad(context.Background())\n", "", 1))
	if got := vet(ExitOK); got != "" {
		t.Errorf("fnenv vet of fixed handlers reports:\n%s", got)
	}
	if out, err := m.Run("go", "vet", "-vettool="+bin, "./..."); err != nil {
		t.Errorf("go vet -vettool=fnenv of fixed handlers: %v\n%s", err, out)
	}
}
