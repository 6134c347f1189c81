package test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/google/go-cmp/cmp"

	"github.com/fnenv/fnenv/constructs/backend"
	"github.com/fnenv/fnenv/constructs/function"
	"github.com/fnenv/fnenv/model"
)

// TestStackTags: the stacks of backend.NewStack and those holding an fnenv
// function carry the stack tags fnenv:app-id and fnenv:branch in the cloud
// assembly — what the CDK CLI passes to CloudFormation's CreateStack, so
// that DescribeStacks returns them — also under the feature flag
// @aws-cdk/core:explicitStackTags (set in cdk.json), which keeps
// Tags.Of(...) from tagging stacks. A stack without either has none.
func TestStackTags(t *testing.T) {
	for _, tt := range []struct{ branch, want string }{
		{"main", "main"},
		{"feature/login", "feature/login"},
		{"dependabot/go_modules/golang.org/x/net-0.31.0", "dependabot/go_modules/golang.org/x/net-0.31.0"},
		// '#' and '!' are refused in the tags of Lambda and IAM, to which
		// stack tags propagate: the tag holds the branch's changed name.
		{"fix/#12!", model.BranchName("fix/#12!")},
	} {
		t.Run(tt.branch, func(t *testing.T) {
			// GIVEN a backend stack, a plain stack with an fnenv function and a
			// plain stack without one
			dir := t.TempDir()
			app := newApp(appOptions{branch: tt.branch, extra: map[string]any{
				"@aws-cdk/core:explicitStackTags": true, "aws:cdk:outdir": dir}})
			backend.NewStack(app, "Payments", nil)
			plain := awscdk.NewStack(app, ptr("Plain"), &awscdk.StackProps{StackName: ptr("Plain-" + model.BranchName(tt.branch))})
			function.New(plain, "Fn", &function.Props{Name: "plain", Entry: hello})
			awscdk.NewStack(app, ptr("Other"), nil)
			// and a function in a nested stack of a plain stack
			parent := awscdk.NewStack(app, ptr("Parent"), &awscdk.StackProps{StackName: ptr("Parent-" + model.BranchName(tt.branch))})
			function.New(awscdk.NewNestedStack(parent, ptr("Nested"), nil), "Report", &function.Props{Name: "report", Entry: "test/testdata/report"})

			// WHEN the app synthesizes
			asm := app.Synth(nil)

			// THEN the manifest's stack artifacts carry the tags
			want := map[string]string{model.StackTagAppID: "fnenv-test", model.StackTagBranch: tt.want}
			for _, name := range []string{"Payments-" + model.BranchName(tt.branch), "Plain-" + model.BranchName(tt.branch), "Parent-" + model.BranchName(tt.branch)} {
				got := map[string]string{}
				for k, v := range *asm.GetStackByName(ptr(name)).Tags() {
					got[k] = *v
				}
				if diff := cmp.Diff(got, want); diff != "" {
					t.Errorf("stack %s: tags (-got +want):\n%s", name, diff)
				}
			}
			if got := *asm.GetStackByName(ptr("Other")).Tags(); len(got) != 0 {
				t.Errorf("stack Other without fnenv has tags %v", got)
			}
			// and manifest.json, as the CDK CLI reads it, holds them
			data, err := os.ReadFile(filepath.Join(*asm.Directory(), "manifest.json"))
			if err != nil {
				t.Fatal(err)
			}
			var m struct {
				Artifacts map[string]struct {
					Properties struct {
						StackName string            `json:"stackName"`
						Tags      map[string]string `json:"tags"`
					} `json:"properties"`
				} `json:"artifacts"`
			}
			if err := json.Unmarshal(data, &m); err != nil {
				t.Fatal(err)
			}
			tagged := 0
			for id, a := range m.Artifacts {
				if a.Properties.Tags[model.StackTagBranch] != "" {
					tagged++
					if diff := cmp.Diff(a.Properties.Tags, want); diff != "" {
						t.Errorf("manifest.json artifact %s: tags (-got +want):\n%s", id, diff)
					}
				}
			}
			if tagged != 3 {
				t.Errorf("manifest.json: %d stacks carry %s, want 3", tagged, model.StackTagBranch)
			}
		})
	}
}
