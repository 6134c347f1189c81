package cli

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/google/go-cmp/cmp"
)

// fakeStacks answers DescribeStacks with statuses, one a call (the last
// one repeated), as a real CloudFormation goes through a deletion; moto
// deletes at once.
type fakeStacks struct {
	stackAPI
	statuses []cfntypes.StackStatus
	deleted  []string
}

func (f *fakeStacks) DeleteStack(_ context.Context, in *cloudformation.DeleteStackInput, _ ...func(*cloudformation.Options)) (*cloudformation.DeleteStackOutput, error) {
	f.deleted = append(f.deleted, aws.ToString(in.StackName))
	return &cloudformation.DeleteStackOutput{}, nil
}

func (f *fakeStacks) DescribeStacks(_ context.Context, in *cloudformation.DescribeStacksInput, _ ...func(*cloudformation.Options)) (*cloudformation.DescribeStacksOutput, error) {
	s := f.statuses[0]
	if len(f.statuses) > 1 {
		f.statuses = f.statuses[1:]
	}
	return &cloudformation.DescribeStacksOutput{Stacks: []cfntypes.Stack{{StackName: in.StackName, StackStatus: s, StackStatusReason: aws.String("role in use")}}}, nil
}

func TestDeleteStackWaits(t *testing.T) {
	st := cfnStack{name: "Api-x", id: "arn:stack/Api-x", status: "CREATE_COMPLETE"}
	tests := []struct {
		name     string
		statuses []cfntypes.StackStatus
		wait     time.Duration
		err      string
		notes    []string
	}{
		{"in progress, then deleted", []cfntypes.StackStatus{"DELETE_IN_PROGRESS", "DELETE_IN_PROGRESS", "DELETE_COMPLETE"}, time.Minute, "",
			[]string{"  Api-x DELETE_IN_PROGRESS (0s)", "  Api-x DELETE_COMPLETE (0s)"}},
		{"deletion fails", []cfntypes.StackStatus{"DELETE_IN_PROGRESS", "DELETE_FAILED"}, time.Minute, "stack Api-x: DELETE_FAILED: role in use",
			[]string{"  Api-x DELETE_IN_PROGRESS (0s)", "  Api-x DELETE_FAILED (0s)"}},
		{"still deleting after --stack-timeout", []cfntypes.StackStatus{"DELETE_IN_PROGRESS"}, 5 * time.Millisecond, "stack Api-x is still DELETE_IN_PROGRESS after 5ms (--stack-timeout)",
			[]string{"  Api-x DELETE_IN_PROGRESS (0s)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := &fakeStacks{statuses: tt.statuses}
			var notes []string
			err := deleteStack(context.Background(), api, st, time.Millisecond, tt.wait, func(s string) { notes = append(notes, s) }, "fnenv branch list")
			if got := errString(err); !strings.Contains(got, tt.err) || (tt.err == "") != (err == nil) {
				t.Errorf("error %q, want %q", got, tt.err)
			}
			if diff := cmp.Diff(notes, tt.notes); diff != "" {
				t.Errorf("progress (-got +want):\n%s", diff)
			}
			if diff := cmp.Diff(api.deleted, []string{st.id}); diff != "" {
				t.Errorf("DeleteStack calls (-got +want):\n%s", diff)
			}
		})
	}
	t.Run("Ctrl-C while waiting", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err := deleteStack(ctx, &fakeStacks{statuses: []cfntypes.StackStatus{"DELETE_IN_PROGRESS"}}, st, time.Hour, time.Hour, func(string) {}, "fnenv branch list")
		var ee *ExitError
		if !errors.As(err, &ee) || ee.Code != ExitInterrupted || !strings.Contains(err.Error(), "CloudFormation goes on deleting it") {
			t.Errorf("error %v, want exit 130 saying the deletion goes on", err)
		}
	})
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestDeletionOrderFromAssembly: with no export between them, the cloud
// assembly's manifest dependencies (AddDependency) order the stacks.
func TestDeletionOrderFromAssembly(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "manifest.json"), `{"version": "54.0.0", "artifacts": {
  "A-x": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "A-x.template.json"}},
  "B-x": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "B-x.template.json"}, "dependencies": ["A-x", "B-x.assets"]},
  "C-x": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "C-x.template.json", "stackName": "Cee-x"}, "dependencies": ["B-x"]}
}}`)
	stacks := []cfnStack{{name: "A-x", id: "a"}, {name: "B-x", id: "b"}, {name: "Cee-x", id: "c"}}
	api := &exportsOnly{}
	got, err := deletionOrder(context.Background(), api, stacks, dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, st := range got {
		names = append(names, st.name)
	}
	if diff := cmp.Diff(names, []string{"Cee-x", "B-x", "A-x"}); diff != "" {
		t.Errorf("order (-got +want):\n%s", diff)
	}
	// Without the assembly: name order.
	got, err = deletionOrder(context.Background(), api, stacks, filepath.Join(dir, "none"))
	if err != nil || got[0].name != "A-x" {
		t.Errorf("order without an assembly: %v, %v", got, err)
	}
}

// exportsOnly is a CloudFormation with no export.
type exportsOnly struct{ stackAPI }

func (exportsOnly) ListExports(context.Context, *cloudformation.ListExportsInput, ...func(*cloudformation.Options)) (*cloudformation.ListExportsOutput, error) {
	return &cloudformation.ListExportsOutput{}, nil
}
