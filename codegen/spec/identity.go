package spec

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"time"
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
