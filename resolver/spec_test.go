package resolver

import (
	"testing"

	"github.com/fnenv/fnenv/model"
)

// The missing-secret message names the branch as git names it, in both
// layouts of paths, from the environment the construct sets.
func TestBranchForMessagesAgreesWithSpec(t *testing.T) {
	fn := model.NewFunction("fn", "app/fn", map[string]model.Variable{"API_KEY": {Kind: model.Secret, Secret: "K"}})
	for _, paths := range []model.Paths{model.PathsFnenv, model.PathsAmplify} {
		for _, branch := range []string{"main", "feature-login", "feature/login", "release/1.2"} {
			env := fn.Environment(model.Backend{AppID: "app", Branch: branch, Paths: paths}, "0s", model.SynthValues{})
			if got := branchOf(env[model.EnvBranchPrefix], env[model.EnvBranch]); got != branch {
				t.Errorf("%s: branch %q is named %q in messages (environment %v)", paths, branch, got, env)
			}
			if _, set := env[model.EnvBranch]; set != (branch == "feature/login" || branch == "release/1.2" || paths == model.PathsAmplify) {
				t.Errorf("%s: branch %q: %s set = %v", paths, branch, model.EnvBranch, set)
			}
		}
	}
}
