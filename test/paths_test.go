package test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fnenv/fnenv/constructs/function"
	"github.com/fnenv/fnenv/model"
)

// pathsCase is a branch in one layout of paths and what its stack, its
// function's environment and grants must hold.
type pathsCase struct {
	branch, paths                     string
	stack, branchPrefix, sharedPrefix string
	envBranch                         string // FNENV_BRANCH; "" when not set
}

func TestGrantsAndInjectedNamesForEveryKindOfBranch(t *testing.T) {
	const app = "d1a2b3c4d5e6f7"
	tests := []pathsCase{
		{branch: "main", stack: "Payments-main", branchPrefix: "/amplify/" + app + "/main/"},
		{branch: "release/1.2", stack: "Payments--release-1-2-f35c4c8684", branchPrefix: "/amplify/" + app + "/-release-1-2-f35c4c8684/", envBranch: "release/1.2"},
		{branch: "feature_x", stack: "Payments--feature-x-31835eb5c3", branchPrefix: "/amplify/" + app + "/-feature-x-31835eb5c3/", envBranch: "feature_x"},
		{branch: "dependabot/go_modules/golang.org/x/net-0.31.0", stack: "Payments--dependabot-go-modules-golang-org-x-net-0-31-0-95ce50168a",
			branchPrefix: "/amplify/" + app + "/-dependabot-go-modules-golang-org-x-net-0-31-0-95ce50168a/", envBranch: "dependabot/go_modules/golang.org/x/net-0.31.0"},
		{branch: long130, stack: "Payments--team-payments-refactor-refactor-refactor-refactor-refactor-refactor-refactor-refactor-re-dbcd740707",
			branchPrefix: "/amplify/" + app + "/-team-payments-refactor-refactor-refactor-refactor-refactor-refactor-refactor-refactor-re-dbcd740707/", envBranch: long130},
	}
	// Amplify Gen 2's paths, as Node computes them from Amplify's rules
	// (model/testdata/amplify_paths.mjs).
	data, err := os.ReadFile("../model/testdata/amplify_paths.json")
	if err != nil {
		t.Fatal(err)
	}
	var vectors []struct{ AppID, Branch, BranchPath, SharedPath string }
	if err := json.Unmarshal(data, &vectors); err != nil {
		t.Fatal(err)
	}
	for _, v := range vectors {
		if v.AppID != app {
			continue
		}
		stack, err := model.StackName("Payments", v.Branch)
		if err != nil {
			t.Fatal(err)
		}
		tests = append(tests, pathsCase{branch: v.Branch, paths: "amplify", stack: stack,
			branchPrefix: strings.TrimSuffix(v.BranchPath, "SECRET"), sharedPrefix: strings.TrimSuffix(v.SharedPath, "SECRET"), envBranch: v.Branch})
	}
	if len(tests) < 12 {
		t.Fatalf("only %d cases", len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.paths+" "+tt.branch, func(t *testing.T) {
			if tt.sharedPrefix == "" {
				tt.sharedPrefix = "/amplify/shared/" + app + "/"
			}
			// GIVEN a function with a secret, on the branch
			a := newApp(appOptions{appID: app, branch: tt.branch, extra: map[string]any{model.ContextPaths: tt.paths}})
			stack := newStack(a, "Payments")
			function.New(stack, "Charge", &function.Props{Name: "charge", Entry: hello,
				Environment: map[string]function.Value{"STRIPE_KEY": function.Secret("STRIPE_KEY")}})

			// WHEN it synthesizes
			tmpl := template(t, stack)

			// THEN the stack's name, the injected names and the grants are
			// the branch's
			if got := *stack.StackName(); got != tt.stack {
				t.Errorf("stack name %q, want %q", got, tt.stack)
			}
			env := lambdaEnv(t, tmpl)
			got := map[string]string{"branch": env["FNENV_BRANCH_PREFIX"], "shared": env["FNENV_SHARED_PREFIX"], "name": env["FNENV_BRANCH"]}
			want := map[string]string{"branch": tt.branchPrefix, "shared": tt.sharedPrefix, "name": tt.envBranch}
			if diff := cmp.Diff(got, want); diff != "" {
				t.Errorf("environment (-got +want):\n%s", diff)
			}
			policies := resources(t, tmpl, "AWS::IAM::Policy")
			if len(policies) != 1 {
				t.Fatalf("got %d policies, want 1", len(policies))
			}
			for _, p := range policies {
				doc := p["Properties"].(map[string]any)["PolicyDocument"].(map[string]any)
				res := doc["Statement"].([]any)[0].(map[string]any)["Resource"]
				if diff := cmp.Diff(res, any([]any{arn(tt.branchPrefix + "STRIPE_KEY"), arn(tt.sharedPrefix + "STRIPE_KEY")})); diff != "" {
					t.Errorf("granted parameters (-got +want):\n%s", diff)
				}
			}
		})
	}
}

func TestRefusedIdentitiesFailSynthSayingWhy(t *testing.T) {
	tests := []struct {
		name string
		app  appOptions
		want string
	}{
		{"app id shared", appOptions{appID: "shared"}, `app id "shared" is refused: it makes "shared" a level of branch paths, and <prefix>/shared/ holds the shared secrets of every app`},
		{"app id ..", appOptions{appID: ".."}, `app id ".." is refused: ".." is a relative path level`},
		{"branch ..", appOptions{branch: ".."}, `branch ".." is refused: it holds ".."`},
		{"branch a..b", appOptions{branch: "a..b"}, `branch "a..b" is refused: it holds "..", and git accepts no such branch name (git check-ref-format --branch)`},
		{"branch feat/", appOptions{branch: "feat/"}, `branch "feat/" is refused: it has an empty level`},
		{"amplify: app id that keeps shared", appOptions{appID: "sha.red", extra: map[string]any{model.ContextPaths: "amplify"}}, `app id "sha.red" is refused`},
		{"amplify with a custom prefix", appOptions{extra: map[string]any{model.ContextPaths: "amplify", model.ContextPrefix: "/teams"}},
			`parameter prefix "/teams" cannot be used with paths "amplify": Amplify Gen 2's paths always start with /amplify`},
		{"unknown paths", appOptions{extra: map[string]any{model.ContextPaths: "amplify-gen2"}}, `context fnenvPaths must be "fnenv" (the default) or "amplify" (Amplify Gen 2's paths), got "amplify-gen2"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// GIVEN a function in an app whose identity is refused
			a := newApp(tt.app)
			stack := newStack(a, "Payments")
			function.New(stack, "Fn", &function.Props{Name: "fn", Entry: hello,
				Environment: map[string]function.Value{"API_KEY": function.Secret("K")}})
			// WHEN it synthesizes, THEN it fails saying why
			if got := synthError(a); !strings.Contains(got, tt.want) {
				t.Errorf("synth error lacks %q; it is:\n%s", tt.want, got)
			}
		})
	}
}
