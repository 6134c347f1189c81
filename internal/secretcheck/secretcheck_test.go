package secretcheck

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fnenv/fnenv/model"
)

func secretVar(name string) model.Variable { return model.Variable{Kind: model.Secret, Secret: name} }

func record(path, name, appID string, env map[string]model.Variable) model.Record {
	return model.Record{
		Backend:  model.Backend{Prefix: "/amplify", AppID: appID, Branch: "main"},
		Path:     path,
		Function: model.NewFunction(name, "app/functions/"+name, env),
	}
}

// TestCollect: every referenced secret once per backend, with its users,
// as the checked branch resolves it; no SSM involved.
func TestCollect(t *testing.T) {
	recs := []model.Record{
		record("Pay-main/Charge", "charge", "shop", map[string]model.Variable{
			"STRIPE_KEY": secretVar("STRIPE_KEY"), "DB": secretVar("DB_PASSWORD"), "CURRENCY": {Kind: model.Literal},
		}),
		record("Pay-main/Refund", "refund", "shop", map[string]model.Variable{
			"KEY": secretVar("STRIPE_KEY"), "OTHER_KEY": secretVar("STRIPE_KEY"),
		}),
		record("Ops-main/Report", "report", "ops", map[string]model.Variable{"DB": secretVar("DB_PASSWORD")}),
		record("Ops-main/Ping", "ping", "ops", map[string]model.Variable{"URL": {Kind: model.Literal}}),
	}
	feature := func(app string) model.Backend {
		return model.Backend{Prefix: "/amplify", AppID: app, Branch: "feature/x"}
	}
	got, fns, err := Collect(recs, "feature/x")
	if err != nil {
		t.Fatal(err)
	}
	want := []Use{
		{Kind: SSMParameter, Secret: "DB_PASSWORD", Backend: feature("ops"), Functions: []string{"report (Ops-main/Report)"}},
		{Kind: SSMParameter, Secret: "DB_PASSWORD", Backend: feature("shop"), Functions: []string{"charge (Pay-main/Charge)"}},
		{Kind: SSMParameter, Secret: "STRIPE_KEY", Backend: feature("shop"), Functions: []string{"charge (Pay-main/Charge)", "refund (Pay-main/Refund)"}},
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("Collect (-got +want):\n%s", diff)
	}
	if fns != 4 {
		t.Errorf("%d functions, want 4", fns)
	}
	if diff := cmp.Diff(want[2].Locations(), []string{"/amplify/shop/-feature-x-57c3e5c959/STRIPE_KEY", "/amplify/shared/shop/STRIPE_KEY"}); diff != "" {
		t.Errorf("Locations (-got +want):\n%s", diff)
	}

	t.Run("bad backend names the function", func(t *testing.T) {
		bad := record("S/F", "f", "a/b", map[string]model.Variable{"K1": secretVar("K1")})
		_, _, err := Collect([]model.Record{bad}, "main")
		if err == nil || !strings.Contains(err.Error(), "function f (S/F)") || !strings.Contains(err.Error(), `app id "a/b"`) {
			t.Errorf("got %v, want an error naming function f and the app id", err)
		}
	})
}

// TestCheck: one lookup call per kind with every location once; the
// branch wins over shared; the report names every missing secret with the
// commands that set it.
func TestCheck(t *testing.T) {
	recs := []model.Record{
		record("Pay-main/Charge", "charge", "shop", map[string]model.Variable{
			"A1": secretVar("ON_BRANCH"), "B1": secretVar("SHARED_ONLY"), "C1": secretVar("BOTH"), "D1": secretVar("NOWHERE"),
		}),
		record("Ops-main/Report", "report", "ops", map[string]model.Variable{"D1": secretVar("NOWHERE")}),
	}
	uses, fns, err := Collect(recs, "main")
	if err != nil {
		t.Fatal(err)
	}
	set := map[string]bool{
		"/amplify/shop/main/ON_BRANCH": true, "/amplify/shared/shop/SHARED_ONLY": true,
		"/amplify/shop/main/BOTH": true, "/amplify/shared/shop/BOTH": true,
	}
	var calls [][]string
	lookup := func(_ context.Context, names []string) (map[string]bool, error) {
		calls = append(calls, names)
		out := map[string]bool{}
		for _, n := range names {
			if set[n] {
				out[n] = true
			}
		}
		return out, nil
	}
	res, err := Check(t.Context(), "main", fns, uses, map[Kind]Lookup{SSMParameter: lookup})
	if err != nil {
		t.Fatal(err)
	}
	wantCalls := [][]string{{
		"/amplify/ops/main/NOWHERE", "/amplify/shared/ops/NOWHERE",
		"/amplify/shared/shop/BOTH", "/amplify/shared/shop/NOWHERE", "/amplify/shared/shop/ON_BRANCH", "/amplify/shared/shop/SHARED_ONLY",
		"/amplify/shop/main/BOTH", "/amplify/shop/main/NOWHERE", "/amplify/shop/main/ON_BRANCH", "/amplify/shop/main/SHARED_ONLY",
	}}
	if diff := cmp.Diff(calls, wantCalls); diff != "" {
		t.Errorf("lookup calls (-got +want):\n%s", diff)
	}
	if got, want := fmt.Sprint(res.OnBranch, res.Shared, len(res.Missing)), "2 1 2"; got != want {
		t.Errorf("on branch, shared, missing = %s, want %s", got, want)
	}
	if res.OK() {
		t.Error("OK with two missing")
	}
	wantReport := `2 of 5 secrets referenced by 2 functions are not set for branch main:

  NOWHERE — not at /amplify/ops/main/NOWHERE nor /amplify/shared/ops/NOWHERE
    used by report (Ops-main/Report)
    set it: fnenv secret set NOWHERE --branch main --app-id ops
    or for every branch: fnenv secret set NOWHERE --shared --app-id ops

  NOWHERE — not at /amplify/shop/main/NOWHERE nor /amplify/shared/shop/NOWHERE
    used by charge (Pay-main/Charge)
    set it: fnenv secret set NOWHERE --branch main
    or for every branch: fnenv secret set NOWHERE --shared
`
	if diff := cmp.Diff(res.Report("shop"), wantReport); diff != "" {
		t.Errorf("Report (-got +want):\n%s", diff)
	}
	if diff := cmp.Diff(res.Failure(), "check failed: 2 secrets not set for branch main"); diff != "" {
		t.Errorf("Failure (-got +want):\n%s", diff)
	}

	t.Run("lookup error", func(t *testing.T) {
		boom := errors.New("ssm:GetParameters on …: access denied")
		_, err := Check(t.Context(), "main", fns, uses, map[Kind]Lookup{SSMParameter: func(context.Context, []string) (map[string]bool, error) { return nil, boom }})
		if !errors.Is(err, boom) {
			t.Errorf("got %v, want the lookup's error", err)
		}
	})
	t.Run("no lookup for a kind", func(t *testing.T) {
		_, err := Check(t.Context(), "main", fns, uses, nil)
		if err == nil || !strings.Contains(err.Error(), `kind "ssm"`) {
			t.Errorf("got %v, want an error naming the kind", err)
		}
	})
	t.Run("all set", func(t *testing.T) {
		set["/amplify/shared/shop/NOWHERE"], set["/amplify/ops/main/NOWHERE"] = true, true
		res, err := Check(t.Context(), "main", fns, uses, map[Kind]Lookup{SSMParameter: lookup})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(res.Summary(), "ok: all 5 secrets referenced by 2 functions are set for branch main (3 on the branch, 2 shared)"); diff != "" {
			t.Errorf("Summary (-got +want):\n%s", diff)
		}
	})
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{"main": "main", "feature/x": "feature/x", "a b": "'a b'", "it's": `'it'\''s'`, "": "''"} {
		if got := ShellQuote(in); got != want {
			t.Errorf("ShellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}
