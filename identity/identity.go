// Package identity is the identity of one deployed copy of an app — its app
// id, its branch and the root of its parameter paths — how it is resolved
// (CDK context or CLI flags, then AWS_APP_ID / AWS_BRANCH, then git), the
// CDK context keys fnenv reads, and how it maps to parameter paths and
// stack names. It is pure Go: the construct and the CLI share it.
package identity

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"time"
)

// appIDRE keeps the app id a single path level.
var appIDRE = regexp.MustCompile(`^[a-zA-Z0-9_.-]+$`)

// The CDK context keys fnenv reads (`cdk synth -c key=value`, or "context"
// in cdk.json). The construct and the CLI read them from here.
const (
	// ContextAppID holds the app id, e.g. "fnenv-sample".
	ContextAppID = "appId"
	// ContextBranch holds the branch as git names it, e.g. "feature/login".
	ContextBranch = "branch"
	// ContextPrefix holds the root of the parameter paths. Default: "/amplify".
	ContextPrefix = "fnenvPrefix"
	// ContextSecretsMaxAge holds the app-wide default of a function's
	// SecretsMaxAge, as a Go duration ("30s", "10m", "0s" for the life of the
	// execution environment). A function's own SecretsMaxAge wins.
	ContextSecretsMaxAge = "fnenvSecretsMaxAge"
	// ContextCodegen, set to false, stops the construct from writing env
	// packages at synth. Default: env packages are written.
	ContextCodegen = "fnenvCodegen"
	// ContextCheckSecrets, set to true, makes synth check with the standard
	// AWS credential chain that every referenced secret is set for the
	// branch (never reading a value), as `fnenv secret check` does.
	// Default: false, so that offline synths stay offline.
	ContextCheckSecrets = "fnenvCheckSecrets"
)

// Errors of ResolveBackend; callers add how to pass the missing value on
// their surface (CDK context, CLI flag).
var (
	ErrNoAppID  = errors.New("no app id")
	ErrNoBranch = errors.New("no branch")
)

// Sources of a backend's identity, in order of precedence: explicit values
// (CDK context appId/branch or CLI flags), then the environment variables
// AWS_APP_ID / AWS_BRANCH that Amplify Hosting sets in builds, then — for
// the branch only — the current git branch of Dir.
type Sources struct {
	AppID, Branch string
	Getenv        func(string) string // default: no environment
	Dir           string              // where to ask git; "" is the working directory
	NoGit         bool
}

// ResolveBackend returns the backend identity from its sources. A missing
// app id wraps ErrNoAppID, a missing branch ErrNoBranch; both are reported
// together.
func ResolveBackend(s Sources, prefix string) (Backend, error) {
	getenv := s.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	b := Backend{Prefix: prefix, AppID: s.AppID, Branch: s.Branch}
	if b.AppID == "" {
		b.AppID = getenv("AWS_APP_ID")
	}
	if b.Branch == "" {
		b.Branch = getenv("AWS_BRANCH")
	}
	if b.Branch == "" && !s.NoGit {
		b.Branch = GitBranch(s.Dir)
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

// GitBranch returns the current git branch of dir, or "" when dir is not
// in a git work tree, git is missing or HEAD is detached.
func GitBranch(dir string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", "symbolic-ref", "--quiet", "--short", "HEAD")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// DefaultPrefix is the root of every parameter path unless a backend
// configures another.
const DefaultPrefix = "/amplify"

// Backend identifies one deployed copy of an app: the app id and the branch.
type Backend struct {
	// Prefix is the root of all parameter paths. Default: DefaultPrefix.
	Prefix string `json:"prefix"`
	// AppID identifies the app, e.g. "d1a2b3c4" or "fnenv-sample".
	AppID string `json:"appId"`
	// Branch is the branch name as given, e.g. "feature/login".
	Branch string `json:"branch"`
}

func (b Backend) prefix() string {
	p := b.Prefix
	if p == "" {
		p = DefaultPrefix
	}
	return strings.TrimSuffix(p, "/")
}

// SafeBranch returns the branch as it appears in paths and stack names:
// each character outside [A-Za-z0-9_.-] replaced with '-'
// ("feature/login" → "feature-login").
func (b Backend) SafeBranch() string { return SafeBranch(b.Branch) }

// SafeBranch replaces each character of branch outside [A-Za-z0-9_.-] with '-'.
func SafeBranch(branch string) string {
	var sb strings.Builder
	for _, r := range branch {
		if isSecretNameRune(r) {
			sb.WriteRune(r)
		} else {
			sb.WriteByte('-')
		}
	}
	return sb.String()
}

// BranchPrefix is the path under which the branch's secrets live, with a
// trailing slash: "/amplify/<appId>/<branch>/".
func (b Backend) BranchPrefix() string {
	return b.prefix() + "/" + b.AppID + "/" + b.SafeBranch() + "/"
}

// SharedPrefix is the path under which the app's shared secrets live, with
// a trailing slash: "/amplify/shared/<appId>/".
func (b Backend) SharedPrefix() string {
	return b.prefix() + "/shared/" + b.AppID + "/"
}

// BranchPath is the parameter name of a secret on the branch:
// "/amplify/<appId>/<branch>/<NAME>".
func (b Backend) BranchPath(secret string) string { return b.BranchPrefix() + secret }

// SharedPath is the parameter name of a shared secret:
// "/amplify/shared/<appId>/<NAME>".
func (b Backend) SharedPath(secret string) string { return b.SharedPrefix() + secret }

// ValidateBackend checks the app id, branch and prefix.
func ValidateBackend(b Backend) error {
	var errs []error
	if b.AppID == "" {
		errs = append(errs, errors.New("app id is empty"))
	} else if !appIDRE.MatchString(b.AppID) {
		errs = append(errs, fmt.Errorf("app id %q must match [a-zA-Z0-9_.-]+", b.AppID))
	}
	if b.Branch == "" {
		errs = append(errs, errors.New("branch is empty"))
	}
	if p := b.Prefix; p != "" && (!strings.HasPrefix(p, "/") || strings.Contains(p, "//")) {
		errs = append(errs, fmt.Errorf("parameter prefix %q must start with '/' and have no empty level", p))
	}
	return errors.Join(errs...)
}

func isSecretNameRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '.' || r == '-'
}
