// Package backend holds the identity of a CDK app's backend — its app id,
// its branch and the root of its SSM parameter paths — and names stacks
// with the branch, so that every branch deploys side by side in one
// account and region.
//
// The identity comes from CDK context (`cdk synth -c branch=feature-x`, or
// "context" in cdk.json), else the environment variables AWS_APP_ID /
// AWS_BRANCH that Amplify Hosting sets in builds, else — for the branch
// only — the current git branch (identity.ResolveBackend).
package backend

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/fnenv/fnenv/identity"
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
	// Default: CDK context "fnenvPrefix", else "/amplify".
	Prefix string
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
	set(identity.ContextAppID, props.AppID)
	set(identity.ContextBranch, props.Branch)
	set(identity.ContextPrefix, props.Prefix)
}

// resolved caches one identity per app (per root construct): git is asked
// once, and every function of an app sees the same branch.
var (
	mu       sync.Mutex
	resolved = map[constructs.IConstruct]result{}
)

type result struct {
	b   identity.Backend
	err error
}

// Resolve returns the backend identity of the app that holds scope. A
// missing app id or branch gives an error saying how to pass it.
func Resolve(scope constructs.IConstruct) (identity.Backend, error) {
	root := scope.Node().Root()
	mu.Lock()
	defer mu.Unlock()
	if r, ok := resolved[root]; ok {
		return r.b, r.err
	}
	node := root.Node()
	prefix := contextString(node, identity.ContextPrefix)
	if prefix == "" {
		prefix = identity.DefaultPrefix
	}
	b, err := identity.ResolveBackend(identity.Sources{
		AppID:  contextString(node, identity.ContextAppID),
		Branch: contextString(node, identity.ContextBranch),
		Getenv: os.Getenv,
	}, prefix)
	if err != nil {
		err = explain(err)
	}
	resolved[root] = result{b, err}
	return b, err
}

// Of is Resolve for code that cannot go on without the identity (stack
// names, paths): it panics with Resolve's error.
func Of(scope constructs.IConstruct) identity.Backend {
	b, err := Resolve(scope)
	if err != nil {
		panic(err)
	}
	return b
}

// StackName returns base with the safe branch appended, "<base>-<branch>"
// ("Payments" on feature/login → "Payments-feature-login"), the name a
// branch's copy of a stack deploys under.
func StackName(scope constructs.IConstruct, base string) string {
	return base + "-" + Of(scope).SafeBranch()
}

// NewStack adds a stack to scope whose construct id and stack name both
// carry the branch (StackName(scope, id)). props may be nil; a StackName
// given in props is used as the base instead of id.
func NewStack(scope constructs.Construct, id string, props *awscdk.StackProps) awscdk.Stack {
	var p awscdk.StackProps
	if props != nil {
		p = *props
	}
	base := id
	if p.StackName != nil && *p.StackName != "" {
		base = *p.StackName
	}
	p.StackName = jsii.String(StackName(scope, base))
	return awscdk.NewStack(scope, jsii.String(StackName(scope, id)), &p)
}

func contextString(node constructs.Node, key string) string {
	v := node.TryGetContext(jsii.String(key))
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case *string:
		if v == nil {
			return ""
		}
		return *v
	default:
		return fmt.Sprint(v)
	}
}

// explain turns ResolveBackend's errors into a message that says how to
// pass each missing value.
func explain(err error) error {
	var msgs []string
	if errors.Is(err, identity.ErrNoAppID) {
		msgs = append(msgs, `fnenv: no app id: pass it as CDK context (cdk synth -c appId=my-app, or "context": {"appId": "my-app"} in cdk.json) or set AWS_APP_ID`)
	}
	if errors.Is(err, identity.ErrNoBranch) {
		msgs = append(msgs, `fnenv: no branch: pass it as CDK context (cdk synth -c branch=feature-x) or set AWS_BRANCH, or synth inside a git work tree with a branch checked out`)
	}
	if len(msgs) == 0 {
		return fmt.Errorf("fnenv: backend identity: %w", err)
	}
	return errors.New(strings.Join(msgs, "\n"))
}
