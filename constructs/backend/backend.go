// Package backend holds the identity of a CDK app's backend — its app id,
// its branch and the root of its SSM parameter paths — and names stacks
// with the branch, so that every branch deploys side by side in one
// account and region.
//
// The identity comes from CDK context (`cdk synth -c branch=feature-x`, or
// "context" in cdk.json), else the environment variables AWS_APP_ID /
// AWS_BRANCH that Amplify Hosting sets in builds, else — for the branch
// only — the current git branch (model.ResolveBackend).
package backend

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/fnenv/fnenv/internal/srctree"
	"github.com/fnenv/fnenv/model"
)

// Props are an app's defaults for its backend identity; CDK context, when
// set, wins over them (a `-c branch=…` on the command line beats code).
type Props struct {
	// AppID identifies the app in parameter paths.
	//
	// Default: CDK context "appId", else AWS_APP_ID.
	AppID string
	// Branch is the branch to deploy.
	//
	// Default: CDK context "branch", else AWS_BRANCH, else the current git branch.
	Branch string
	// Prefix is the root of every parameter path; it starts with '/'.
	//
	// Default: CDK context "fnenvPrefix", else "/amplify". It cannot be
	// changed with Paths "amplify", whose paths always start with /amplify.
	Prefix string
	// Paths is the layout of parameter paths: "fnenv", or "amplify" for
	// Amplify Gen 2's own, so that secrets set in the Amplify console are
	// read as they are (model.Paths).
	//
	// Default: CDK context "fnenvPaths", else "fnenv".
	Paths string
}

// Configure sets an app's defaults for its backend identity as CDK context
// of app, where context does not already hold a value. Call it before
// adding stacks: CDK refuses context on a construct that has children.
func Configure(app constructs.Construct, props *Props) {
	if props == nil {
		panic("backend.Configure: props must not be nil")
	}
	set := func(key, v string) {
		if v != "" && app.Node().TryGetContext(jsii.String(key)) == nil {
			app.Node().SetContext(jsii.String(key), v)
		}
	}
	set(model.ContextAppID, props.AppID)
	set(model.ContextBranch, props.Branch)
	set(model.ContextPrefix, props.Prefix)
	set(model.ContextPaths, props.Paths)
}

// resolved holds the identity of an app and its parsed context, as the
// root's child resolvedID: git is asked and the context parsed once, every
// function of an app sees the same branch, and the state goes with the
// app's construct tree.
type resolved struct {
	constructs.Construct
	ctx model.Context
	b   model.Backend
	err error
}

// resolvedID is the id of the identity's construct under the root.
const resolvedID = "FnenvBackend"

// ToString overrides Construct.toString with the same result: jsii hands
// the Go value back from TryFindChild only for a subclass.
func (r *resolved) ToString() *string { return r.Node().Path() }

// Resolve returns the backend identity of the app that holds scope. A
// missing app id or branch gives an error saying how to pass it; a context
// value fnenv refuses (model.ParseContext), one naming the key and the
// rule.
func Resolve(scope constructs.IConstruct) (model.Backend, error) {
	r := resolve(scope)
	return r.b, r.err
}

// Context returns fnenv's context of the app that holds scope
// (model.ParseContext): the keys that parsed; Resolve reports those that
// did not.
func Context(scope constructs.IConstruct) model.Context { return resolve(scope).ctx }

func resolve(scope constructs.IConstruct) *resolved {
	root := scope.Node().Root()
	if c := root.Node().TryFindChild(jsii.String(resolvedID)); c != nil {
		if r, ok := c.(*resolved); ok {
			return r
		}
	}
	node := root.Node()
	raw := map[string]any{}
	for _, k := range model.ContextKeys {
		raw[k] = node.TryGetContext(jsii.String(k))
	}
	ctx, ctxErr := model.ParseContext(raw)
	if ctxErr != nil {
		ctxErr = fmt.Errorf("fnenv: %w", ctxErr)
	}
	b, err := model.ResolveBackend(model.Sources{
		AppID:     ctx.AppID,
		Branch:    ctx.Branch,
		Paths:     ctx.Paths,
		Prefix:    ctx.Prefix,
		Getenv:    os.Getenv,
		GitBranch: func() string { return srctree.GitBranch("") },
	})
	if err != nil {
		err = explain(err)
	}
	r := &resolved{ctx: ctx, b: b, err: errors.Join(ctxErr, err)}
	if parent, ok := root.(constructs.Construct); ok {
		constructs.NewConstruct_Override(r, parent, jsii.String(resolvedID))
	}
	return r
}

// Of is Resolve for code that cannot go on without the identity (stack
// names, paths): it panics with Resolve's error.
func Of(scope constructs.IConstruct) model.Backend {
	b, err := Resolve(scope)
	if err != nil {
		panic(err)
	}
	return b
}

// StackName returns the name of base's stack on the app's branch,
// model.StackName: "<base>-<branch>" for a branch of letters, digits
// and hyphens ("Payments" on main → "Payments-main"), else the branch
// changed to fit ("Payments--feature-login-5712f05b4f" on feature/login).
// An error says why there is none: the identity cannot be resolved, or
// base is not a stack name CloudFormation accepts.
func StackName(scope constructs.IConstruct, base string) (string, error) {
	b, err := Resolve(scope)
	if err != nil {
		return "", err
	}
	name, err := model.StackName(base, b.Branch)
	if err != nil {
		return "", fmt.Errorf("fnenv: %w", err)
	}
	return name, nil
}

// NewStack adds a stack to scope whose construct id and stack name both
// carry the branch (StackName(scope, id)). props may be nil; a StackName
// given in props is used as the base instead of id.
//
// When there is no such name (no branch or app id, a base CloudFormation
// refuses), the stack is added under id and a placeholder name, and synth
// fails with fnenv's message, with every other problem of the app.
func NewStack(scope constructs.Construct, id string, props *awscdk.StackProps) awscdk.Stack {
	var p awscdk.StackProps
	if props != nil {
		p = *props
	}
	base := id
	if p.StackName != nil && *p.StackName != "" {
		base = *p.StackName
	}
	name, err := StackName(scope, base)
	if err != nil {
		p.StackName = jsii.String(invalidStackName)
		st := awscdk.NewStack(scope, jsii.String(id), &p)
		st.Node().AddValidation(&problem{err})
		return st
	}
	cid := name
	if base != id { // the construct id carries the branch too
		cid = id + "-" + model.BranchName(Of(scope).Branch)
	}
	p.StackName = jsii.String(name)
	st := awscdk.NewStack(scope, jsii.String(cid), &p)
	TagStack(st)
	return st
}

// TagStack puts the stack tags model.StackTagAppID and
// model.StackTagBranch (the app id, and model.BranchTag of the
// branch) on stack, by which `fnenv branch list|remove|prune` find a
// branch's stacks. NewStack and function.New call it; it does nothing
// when the app's identity cannot be resolved (synth fails on that).
//
// The tags are stack tags (Stack.AddStackTag): CloudFormation holds them
// on the stack, DescribeStacks returns them, and they propagate to the
// stack's resources. A nested stack's parents are tagged too: the CLI
// deletes top-level stacks, and their nested stacks with them. Tags.Of(stack).Add would not make them stack tags
// under the feature flag @aws-cdk/core:explicitStackTags, which new CDK
// apps set.
func TagStack(stack awscdk.Stack) {
	b, err := Resolve(stack)
	if err != nil {
		return
	}
	for st := stack; st != nil; st = st.NestedStackParent() {
		st.AddStackTag(jsii.String(model.StackTagAppID), jsii.String(b.AppID))
		st.AddStackTag(jsii.String(model.StackTagBranch), jsii.String(model.BranchTag(b.Branch)))
	}
}

// invalidStackName stands in for a stack's name when it has none; synth
// fails before it is used.
const invalidStackName = "FnenvNoStackName"

// problem reports one error when the app synthesizes.
type problem struct{ err error }

func (p *problem) Validate() *[]*string { return &[]*string{jsii.String(p.err.Error())} }

// explain turns ResolveBackend's errors into a message that says how to
// pass each missing value.
func explain(err error) error {
	var msgs []string
	if errors.Is(err, model.ErrNoAppID) {
		msgs = append(msgs, `fnenv: no app id: pass it as CDK context (cdk synth -c appId=my-app, or "context": {"appId": "my-app"} in cdk.json) or set AWS_APP_ID`)
	}
	if errors.Is(err, model.ErrNoBranch) {
		msgs = append(msgs, `fnenv: no branch: pass it as CDK context (cdk synth -c branch=feature-x) or set AWS_BRANCH, or synth inside a git work tree with a branch checked out`)
	}
	if len(msgs) == 0 {
		return fmt.Errorf("fnenv: backend identity: %w", err)
	}
	return errors.New(strings.Join(msgs, "\n"))
}
