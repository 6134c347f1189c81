package model

import (
	"errors"
	"strings"
)

// The backend's identity: one deployed copy of an app — its app id, its
// branch and the root of its parameter paths — how it is resolved (CDK
// context or CLI flags, then AWS_APP_ID / AWS_BRANCH, then git), the CDK
// context keys fnenv reads, and how it maps to parameter paths (paths.go).

// Errors of ResolveBackend; callers add how to pass the missing value on
// their surface (CDK context, CLI flag).
var (
	ErrNoAppID  = errors.New("no app id")
	ErrNoBranch = errors.New("no branch")
)

// Sources of a backend's identity, in order of precedence: explicit values
// (CDK context appId/branch or CLI flags), then the environment variables
// AWS_APP_ID / AWS_BRANCH that Amplify Hosting sets in builds, then — for
// the branch only — the current git branch (GitBranch).
type Sources struct {
	AppID, Branch string
	Paths         Paths               // "" is PathsFnenv
	Prefix        string              // "" is DefaultPrefix
	Getenv        func(string) string // default: no environment
	// GitBranch returns the current git branch, or "" when there is none;
	// nil asks no git. The construct and the CLI pass srctree.GitBranch,
	// which runs git: this package runs no command, so that handlers,
	// which link it for the wire format, link no os/exec.
	GitBranch func() string
}

// ResolveBackend returns the backend identity from its sources. A missing
// app id wraps ErrNoAppID, a missing branch ErrNoBranch; both are reported
// together.
func ResolveBackend(s Sources) (Backend, error) {
	getenv := s.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	b := Backend{Prefix: s.Prefix, AppID: s.AppID, Branch: s.Branch, Paths: s.Paths}
	if b.Paths == "" {
		b.Paths = PathsFnenv
	}
	if b.Prefix == "" {
		b.Prefix = DefaultPrefix
	}
	if b.AppID == "" {
		b.AppID = getenv("AWS_APP_ID")
	}
	if b.Branch == "" {
		b.Branch = getenv("AWS_BRANCH")
	}
	if b.Branch == "" && s.GitBranch != nil {
		b.Branch = s.GitBranch()
	}
	var errs []error
	if b.AppID == "" {
		errs = append(errs, ErrNoAppID)
	}
	if b.Branch == "" {
		errs = append(errs, ErrNoBranch)
	}
	if err := errors.Join(errs...); err != nil {
		return b, err
	}
	return b, ValidateBackend(b)
}

// DefaultPrefix is the root of every parameter path unless a backend
// configures another.
const DefaultPrefix = "/amplify"

// Backend identifies one deployed copy of an app: the app id and the
// branch, and where its parameters live.
type Backend struct {
	// Prefix is the root of all parameter paths. Default: DefaultPrefix.
	// With PathsAmplify it is always DefaultPrefix.
	Prefix string `json:"prefix"`
	// AppID identifies the app, e.g. "d1a2b3c4" or "fnenv-sample".
	AppID string `json:"appId"`
	// Branch is the branch name as git names it, e.g. "feature/login".
	Branch string `json:"branch"`
	// Paths is the layout of parameter paths. Default: PathsFnenv.
	Paths Paths `json:"paths,omitempty"`
}

func (b Backend) prefix() string {
	p := b.Prefix
	if p == "" || b.Paths == PathsAmplify {
		p = DefaultPrefix
	}
	return strings.TrimSuffix(p, "/")
}

// AppPrefix is the parent of every branch's path, with a trailing slash:
// "/amplify/<appId>/" (with PathsAmplify, the app id's letters and digits).
func (b Backend) AppPrefix() string {
	if b.Paths == PathsAmplify {
		ns, _ := amplifyLevels(b.AppID, b.Branch)
		return DefaultPrefix + "/" + ns + "/"
	}
	return b.prefix() + "/" + b.AppID + "/"
}

// BranchLevel is the branch's level in its parameter paths:
// BranchName(Branch), or with PathsAmplify "<name>-branch-<hash>".
func (b Backend) BranchLevel() string {
	if b.Paths == PathsAmplify {
		_, name := amplifyLevels(b.AppID, b.Branch)
		return name
	}
	return BranchName(b.Branch)
}

// BranchPrefix is the path under which the branch's secrets live, with a
// trailing slash: AppPrefix + BranchLevel + "/" ("/amplify/<appId>/main/",
// "/amplify/<appId>/-feature-login-<hash>/"; see Paths).
func (b Backend) BranchPrefix() string { return b.AppPrefix() + b.BranchLevel() + "/" }

// SharedPrefix is the path under which the app's shared secrets live, with
// a trailing slash: "/amplify/shared/<appId>/", the app id as it is in
// both layouts.
func (b Backend) SharedPrefix() string {
	return b.prefix() + "/shared/" + b.AppID + "/"
}

// BranchPath is the parameter name of a secret on the branch:
// BranchPrefix + secret.
func (b Backend) BranchPath(secret string) string { return b.BranchPrefix() + secret }

// SharedPath is the parameter name of a shared secret: SharedPrefix +
// secret.
func (b Backend) SharedPath(secret string) string { return b.SharedPrefix() + secret }
