package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/smithy-go"

	"github.com/fnenv/fnenv/internal/assembly"
	"github.com/fnenv/fnenv/internal/ssmstore"
	"github.com/fnenv/fnenv/model"
)

// stackAPI is the part of CloudFormation's API `fnenv branch` uses;
// *cloudformation.Client implements it.
type stackAPI interface {
	DescribeStacks(context.Context, *cloudformation.DescribeStacksInput, ...func(*cloudformation.Options)) (*cloudformation.DescribeStacksOutput, error)
	DeleteStack(context.Context, *cloudformation.DeleteStackInput, ...func(*cloudformation.Options)) (*cloudformation.DeleteStackOutput, error)
	ListExports(context.Context, *cloudformation.ListExportsInput, ...func(*cloudformation.Options)) (*cloudformation.ListExportsOutput, error)
	GetTemplate(context.Context, *cloudformation.GetTemplateInput, ...func(*cloudformation.Options)) (*cloudformation.GetTemplateOutput, error)
}

// DefaultStackPoll is how often the deletion of a stack is polled.
const DefaultStackPoll = 5 * time.Second

// cfnStack is one stack of the app, found by its fnenv tags.
type cfnStack struct {
	name, id, status, reason string
	changed                  *time.Time // last update, else creation
	branchTag                string     // its model.StackTagBranch
}

// cloudFormation returns a CloudFormation client on the store's AWS
// configuration (region, credentials, endpoint, per-attempt timeout), with
// the standard retryer.
func (r *runner) cloudFormation(s *ssmstore.Store) stackAPI {
	cfg := s.Config()
	cfg.Retryer = func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = r.app.MaxAttempts
			if o.MaxAttempts <= 0 {
				o.MaxAttempts = ssmstore.DefaultMaxAttempts
			}
			if r.app.MaxBackoff > 0 {
				o.MaxBackoff = r.app.MaxBackoff
			}
		})
	}
	return cloudformation.NewFromConfig(cfg)
}

// cfnError is a failed CloudFormation call as an exit error: 130 when
// interrupted, else 1; done says what the command did before it.
func cfnError(ctx context.Context, op, subject string, err error, done string) error {
	if done != "" {
		done = "\n" + done
	}
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		return &ExitError{Code: ExitInterrupted, Err: fmt.Errorf("interrupted: cloudformation:%s on %s had not answered%s", op, subject, done)}
	}
	msg := err.Error()
	var ae smithy.APIError
	if errors.As(err, &ae) {
		msg = ae.ErrorCode() + ": " + ae.ErrorMessage()
		if c := ae.ErrorCode(); c == "AccessDenied" || c == "AccessDeniedException" {
			msg = fmt.Sprintf("access denied: the AWS credentials in use need cloudformation:%s (%s)", op, ae.ErrorMessage())
		}
	}
	return &ExitError{Code: ExitFailed, Err: fmt.Errorf("cloudformation:%s on %s: %s%s", op, subject, msg, done)}
}

// appStacks returns the top-level stacks tagged with app id appID
// (model.StackTagAppID), sorted by name. Nested stacks are left out:
// they go with their parent.
func appStacks(ctx context.Context, api stackAPI, appID string) ([]cfnStack, error) {
	pg := cloudformation.NewDescribeStacksPaginator(api, &cloudformation.DescribeStacksInput{})
	var out []cfnStack
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err != nil {
			return nil, cfnError(ctx, "DescribeStacks", "the stacks of app "+appID, err, "")
		}
		for _, st := range page.Stacks {
			tags := map[string]string{}
			for _, t := range st.Tags {
				tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
			}
			if tags[model.StackTagAppID] != appID || tags[model.StackTagBranch] == "" || st.ParentId != nil ||
				st.StackStatus == cfntypes.StackStatusDeleteComplete {
				continue
			}
			changed := st.LastUpdatedTime
			if changed == nil {
				changed = st.CreationTime
			}
			out = append(out, cfnStack{
				name: aws.ToString(st.StackName), id: aws.ToString(st.StackId), status: string(st.StackStatus),
				reason: aws.ToString(st.StackStatusReason), changed: changed, branchTag: tags[model.StackTagBranch],
			})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out, nil
}

// deletionOrder returns stacks in an order that deletes every stack before
// the stacks it depends on. Dependencies come from two sources:
//   - CloudFormation itself: a stack whose template imports
//     (Fn::ImportValue) an export of another (ListExports, GetTemplate) —
//     what CloudFormation enforces: an export in use cannot be deleted;
//   - the cloud assembly at asm, when there is one and it names these
//     stacks (synthesized for this branch): its manifest's dependencies,
//     which also hold those added with AddDependency.
//
// Stacks with no dependency between them keep their name order. A cycle
// is an error.
func deletionOrder(ctx context.Context, api stackAPI, stacks []cfnStack, asm string) ([]cfnStack, error) {
	if len(stacks) < 2 {
		return stacks, nil
	}
	byID, byName := map[string]int{}, map[string]int{}
	for i, st := range stacks {
		byID[st.id], byName[st.name] = i, i
	}
	deps := make([]map[int]bool, len(stacks)) // deps[i]: the stacks i depends on
	for i := range deps {
		deps[i] = map[int]bool{}
	}
	exporter := map[string]int{} // export name → index of the exporting stack
	pg := cloudformation.NewListExportsPaginator(api, &cloudformation.ListExportsInput{})
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err != nil {
			return nil, cfnError(ctx, "ListExports", "the region's exports", err, "nothing was removed")
		}
		for _, e := range page.Exports {
			if i, ok := byID[aws.ToString(e.ExportingStackId)]; ok {
				exporter[aws.ToString(e.Name)] = i
			}
		}
	}
	if len(exporter) > 0 {
		for i, st := range stacks {
			out, err := api.GetTemplate(ctx, &cloudformation.GetTemplateInput{StackName: aws.String(st.id), TemplateStage: cfntypes.TemplateStageOriginal})
			if err != nil {
				return nil, cfnError(ctx, "GetTemplate", st.name, err, "nothing was removed")
			}
			for _, name := range importedExports(aws.ToString(out.TemplateBody)) {
				if j, ok := exporter[name]; ok && j != i {
					deps[i][j] = true
				}
			}
		}
	}
	if arts, err := assembly.Read(asm); err == nil {
		ids := map[string]string{} // artifact id → stack name
		for _, a := range arts {
			ids[a.ID] = a.StackName
		}
		for _, a := range arts {
			i, ok := byName[a.StackName]
			if !ok {
				continue
			}
			for _, d := range a.Dependencies {
				if j, ok := byName[ids[d]]; ok && ids[d] != "" && j != i {
					deps[i][j] = true
				}
			}
		}
	}
	// Dependents first: repeatedly take, in name order, a stack no
	// remaining stack depends on.
	var order []cfnStack
	done := make([]bool, len(stacks))
	for len(order) < len(stacks) {
		took := false
		for i := range stacks {
			if done[i] {
				continue
			}
			needed := false
			for k := range stacks {
				if !done[k] && k != i && deps[k][i] {
					needed = true
					break
				}
			}
			if !needed {
				done[i], took = true, true
				order = append(order, stacks[i])
				break
			}
		}
		if !took {
			var left []string
			for i, st := range stacks {
				if !done[i] {
					left = append(left, st.name)
				}
			}
			return nil, failed("the stacks %s depend on each other in a cycle: delete them by hand; nothing was removed", strings.Join(left, ", "))
		}
	}
	return order, nil
}

// importedExports returns the export names a template imports with a
// literal Fn::ImportValue (what the CDK writes for cross-stack references).
func importedExports(body string) []string {
	var tmpl any
	if err := json.Unmarshal([]byte(body), &tmpl); err != nil {
		return nil // YAML or unreadable: no dependency from it
	}
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if s, ok := x.(string); ok && k == "Fn::ImportValue" {
					out = append(out, s)
					continue
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(tmpl)
	return out
}

// deleteStack deletes st and waits until CloudFormation has deleted it,
// saying each status it passes through with note. It stops when ctx ends,
// the deletion fails or wait passes; then list (the command that lists
// branches, as the user runs fnenv) says where to follow it.
func deleteStack(ctx context.Context, api stackAPI, st cfnStack, poll, wait time.Duration, note func(string), list string) error {
	if _, err := api.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String(st.id)}); err != nil {
		return cfnError(ctx, "DeleteStack", st.name, err, "")
	}
	start := time.Now()
	last := st.status
	for {
		// By id, DescribeStacks answers for a deleted stack too.
		out, err := api.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(st.id)})
		var ae smithy.APIError
		switch {
		case errors.As(err, &ae) && ae.ErrorCode() == "ValidationError" && strings.Contains(ae.ErrorMessage(), "does not exist"):
			return nil
		case err != nil:
			return cfnError(ctx, "DescribeStacks", st.name, err, "")
		case len(out.Stacks) == 0:
			return nil
		}
		s := out.Stacks[0]
		if status := string(s.StackStatus); status != last {
			last = status
			note(fmt.Sprintf("  %s %s (%s)", st.name, status, time.Since(start).Round(time.Second)))
		}
		switch s.StackStatus {
		case cfntypes.StackStatusDeleteComplete:
			return nil
		case cfntypes.StackStatusDeleteFailed:
			return failed("stack %s: DELETE_FAILED: %s", st.name, aws.ToString(s.StackStatusReason))
		}
		if time.Since(start) > wait {
			return failed("stack %s is still %s after %s (--stack-timeout): CloudFormation goes on deleting it; %s shows its status", st.name, last, wait, list)
		}
		select {
		case <-ctx.Done():
			return &ExitError{Code: ExitInterrupted, Err: fmt.Errorf("interrupted while waiting for stack %s (%s): CloudFormation goes on deleting it", st.name, last)}
		case <-time.After(poll):
		}
	}
}
