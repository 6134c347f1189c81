package secretcheck

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fnenv/fnenv/model"
)

func TestLevelLetters(t *testing.T) {
	for level, want := range map[string]string{
		"main":                            "main",
		"feature-login":                   "featurelogin",
		model.BranchName("feature/login"): "featurelogin",
		"-release-1-2-f35c4c8684":         "release12",
		"featurelogin-branch-42753df9a2":  "featurelogin", // Amplify's layout
		"-not-a-hash":                     "notahash",
	} {
		if got := levelLetters(level); got != want {
			t.Errorf("levelLetters(%q) = %q, want %q", level, got, want)
		}
	}
}

// TestNearMisses: a missing secret gets the close names set on its branch
// or shared (not those the app references), and the look-alike levels that
// hold it, with the command that copies them; a failed listing gives none.
func TestNearMisses(t *testing.T) {
	recs := []model.Record{record("Pay-main/Charge", "charge", "shop", map[string]model.Variable{
		"STRIPE": secretVar("STRIPE_KYE"), "KEY_01": secretVar("KEY_01"), "KEY_02": secretVar("KEY_02"),
	})}
	set := map[string]bool{
		"/amplify/shop/feature/x/KEY_02":                 true, // two levels deep: not fnenv's
		"/amplify/shop/-feature-x-57c3e5c959/KEY_01":     true,
		"/amplify/shop/-feature-x-57c3e5c959/STRIPE_KEY": true,
		"/amplify/shared/shop/STRIPE_KEY":                true,
		"/amplify/shared/shop/stripe_kye":                true,
		"/amplify/shop/feature-x/KEY_02":                 true, // kept level with feature/x's letters
		"/amplify/shop/featurex/KEY_02":                  true, // another kept look-alike
		"/amplify/shop/feature-y/KEY_02":                 true, // other letters
	}
	var listed [][]string
	lookups := map[Kind]Lookup{
		SSMParameter: func(_ context.Context, names []string) (map[string]bool, error) {
			out := map[string]bool{}
			for _, n := range names {
				out[n] = set[n]
			}
			return out, nil
		},
		SSMNames: func(_ context.Context, paths []string) (map[string]bool, error) {
			listed = append(listed, paths)
			return set, nil
		},
	}
	uses, fns, err := Collect(recs, "feature/x")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Check(t.Context(), "feature/x", fns, uses, lookups)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(listed, [][]string{{"/amplify/shared/shop/", "/amplify/shop/"}}); diff != "" {
		t.Errorf("listed (-got +want):\n%s", diff)
	}
	res.Command = "go tool fnenv"
	want := `2 of 3 secrets referenced by 1 function are not set for branch feature/x:

  KEY_02 — not at /amplify/shop/-feature-x-57c3e5c959/KEY_02 nor /amplify/shared/shop/KEY_02
    used by charge (Pay-main/Charge)
    set under branch level feature-x (/amplify/shop/feature-x/KEY_02), which looks like branch feature/x: copy that level's secrets with go tool fnenv secret copy --from-branch feature-x --to-branch feature/x
    set under branch level featurex (/amplify/shop/featurex/KEY_02), which looks like branch feature/x: copy that level's secrets with go tool fnenv secret copy --from-branch featurex --to-branch feature/x
    set it: go tool fnenv secret set KEY_02 --branch feature/x
    or for every branch: go tool fnenv secret set KEY_02 --shared

  STRIPE_KYE — not at /amplify/shop/-feature-x-57c3e5c959/STRIPE_KYE nor /amplify/shared/shop/STRIPE_KYE
    used by charge (Pay-main/Charge)
    did you mean STRIPE_KEY (set on branch feature/x and shared) or stripe_kye (set shared)?
    set it: go tool fnenv secret set STRIPE_KYE --branch feature/x
    or for every branch: go tool fnenv secret set STRIPE_KYE --shared
`
	if diff := cmp.Diff(res.Report("shop"), want); diff != "" {
		t.Errorf("Report (-got +want):\n%s", diff)
	}

	t.Run("listing fails", func(t *testing.T) {
		lookups[SSMNames] = func(context.Context, []string) (map[string]bool, error) { return nil, context.DeadlineExceeded }
		res, err := Check(t.Context(), "feature/x", fns, uses, lookups)
		if err != nil {
			t.Fatalf("Check = %v; a failed listing must not fail the check", err)
		}
		if len(res.Missing) != 2 || res.Missing[0].Near != nil || res.Missing[1].Near != nil {
			t.Errorf("Missing = %+v, want two without near misses", res.Missing)
		}
	})
}
