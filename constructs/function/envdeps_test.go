package function_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestResolverModulesAreTheConstructs: every module a generated env package
// links (the resolver and its packages, local builds included) is one the
// construct links too (envdeps.go), so a go.mod tidied for the CDK app
// already holds it.
func TestResolverModulesAreTheConstructs(t *testing.T) {
	modules := func(pkgs ...string) map[string]bool {
		t.Helper()
		args := append([]string{"list", "-deps", "-f", "{{if .Module}}{{.Module.Path}}{{end}}"}, pkgs...)
		out, err := exec.Command("go", args...).CombinedOutput()
		if err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		set := map[string]bool{}
		for _, m := range strings.Fields(string(out)) {
			set[m] = true
		}
		return set
	}
	construct := modules(".")
	for m := range modules("../../resolver/...") {
		if !construct[m] {
			t.Errorf("module %s is linked by the resolver but not by the construct: a user's first synth would need go mod tidy", m)
		}
	}
}
