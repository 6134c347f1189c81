package resolver

import (
	"testing"

	"github.com/fnenv/fnenv/identity"
	"github.com/fnenv/fnenv/resolver/envvars"
	"github.com/fnenv/fnenv/spec"
)

// The missing-secret message names the branch as git names it, in both
// layouts of paths, from the environment the construct sets.
func TestBranchForMessagesAgreesWithSpec(t *testing.T) {
	fn := spec.NewFunction("fn", "app/fn", map[string]spec.Variable{"API_KEY": {Kind: spec.Secret, Secret: "K"}})
	for _, paths := range []identity.Paths{identity.PathsFnenv, identity.PathsAmplify} {
		for _, branch := range []string{"main", "feature-login", "feature/login", "release/1.2"} {
			env := fn.Environment(identity.Backend{AppID: "app", Branch: branch, Paths: paths}, "0s")
			if got := branchOf(env[envvars.BranchPrefix], env[envvars.Branch]); got != branch {
				t.Errorf("%s: branch %q is named %q in messages (environment %v)", paths, branch, got, env)
			}
			if _, set := env[envvars.Branch]; set != (branch == "feature/login" || branch == "release/1.2" || paths == identity.PathsAmplify) {
				t.Errorf("%s: branch %q: %s set = %v", paths, branch, envvars.Branch, set)
			}
		}
	}
}
