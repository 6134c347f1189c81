package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fnenv/fnenv/internal/secretcheck"
	"github.com/fnenv/fnenv/internal/srctree"
	"github.com/fnenv/fnenv/model"
)

// runner holds one command line's root flags and what was read for them.
type runner struct {
	app *App

	appIDFlag, prefixFlag, pathsFlag, cdkJSONFlag string
	timeout                                       time.Duration

	cdk *cdkJSON // nil until loaded
}

// cdkJSON is the part of a CDK app's cdk.json fnenv reads.
type cdkJSON struct {
	App     string         `json:"app"`
	Context map[string]any `json:"context"`
	path    string         // "" when there is no cdk.json
	parsed  model.Context  // Context, by model.ParseContext
}

func (r *runner) path(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(r.app.Dir, p)
}

// loadCDKJSON reads --cdk-json, or cdk.json in the working directory when
// there is one.
func (r *runner) loadCDKJSON() (*cdkJSON, error) {
	if r.cdk != nil {
		return r.cdk, nil
	}
	p, explicit := r.cdkJSONFlag, true
	if p == "" {
		p, explicit = "cdk.json", false
	}
	p = r.path(p)
	data, err := os.ReadFile(p)
	switch {
	case errors.Is(err, os.ErrNotExist) && !explicit:
		r.cdk = &cdkJSON{}
		return r.cdk, nil
	case err != nil:
		return nil, usage("--cdk-json: %v", err)
	}
	c := &cdkJSON{path: p}
	if err := json.Unmarshal(data, c); err != nil {
		return nil, usage("%s is not a cdk.json (a JSON object with \"app\" and \"context\"): %v", p, err)
	}
	if c.parsed, err = model.ParseContext(c.Context); err != nil {
		return nil, usage("%s: %v", p, err)
	}
	r.cdk = c
	return c, nil
}

// resolvedBackend is a resolved backend with where its app id came from.
type resolvedBackend struct {
	model.Backend
	appIDSource string // for messages: `--app-id`, `cdk.json context "appId"`, `AWS_APP_ID`
}

// resolve returns the backend for branch (a --branch value, "" when not
// given), by model.ResolveBackend's order: flags, cdk.json context, then
// AWS_APP_ID/AWS_BRANCH, then git. needBranch false accepts a missing
// branch (shared secrets); needAppID false accepts a missing app id.
func (r *runner) resolve(branch string, needBranch, needAppID bool) (resolvedBackend, error) {
	c, err := r.loadCDKJSON()
	if err != nil {
		return resolvedBackend{}, err
	}
	src := model.Sources{AppID: r.appIDFlag, Branch: branch, Paths: model.Paths(r.pathsFlag), Prefix: r.prefixFlag, Getenv: r.app.Getenv}
	if needBranch && !r.app.NoGit {
		src.GitBranch = func() string { return srctree.GitBranch(r.app.Dir) }
	}
	id := resolvedBackend{appIDSource: "--app-id"}
	if src.AppID == "" {
		src.AppID = c.parsed.AppID
		id.appIDSource = fmt.Sprintf("context \"appId\" in %s", c.path)
	}
	if src.AppID == "" {
		id.appIDSource = "AWS_APP_ID"
	}
	if src.Branch == "" {
		src.Branch = c.parsed.Branch
	}
	if src.Paths == "" {
		src.Paths = c.parsed.Paths
	}
	if src.Prefix == "" {
		src.Prefix = c.parsed.Prefix
	}
	b, err := model.ResolveBackend(src)
	id.Backend = b
	if err == nil {
		return id, nil
	}
	var msgs []string
	missingApp, missingBranch := errors.Is(err, model.ErrNoAppID), errors.Is(err, model.ErrNoBranch)
	if missingApp && needAppID {
		msgs = append(msgs, `no app id: pass --app-id, set "appId" in cdk.json's context, or set AWS_APP_ID`)
	}
	if missingBranch && needBranch {
		msgs = append(msgs, `no branch: pass --branch (or --shared for a secret every branch shares), set "branch" in cdk.json's context, set AWS_BRANCH, or run inside a git work tree on a branch`)
	}
	if !missingApp && !missingBranch { // ValidateBackend's rules
		return id, usage("%v", err)
	}
	if len(msgs) > 0 {
		return id, usage("%s", strings.Join(msgs, "; "))
	}
	// What is missing is not needed: check the rest with a stand-in.
	check := b
	if check.Branch == "" {
		check.Branch = "main"
	}
	if check.AppID == "" {
		check.AppID = "-"
	}
	if err := model.ValidateBackend(check); err != nil {
		return id, usage("%v", err)
	}
	return id, nil
}

// appPrefix is "<prefix>/<appId>/", the parent of every branch's path.
func appPrefix(b model.Backend) string { return b.AppPrefix() }

// checkName checks a secret name and the parameter name it makes (see
// model.ValidateParameterName).
func checkName(b model.Backend, name string, shared bool) error {
	if err := model.ValidateSecretPath(b, name, shared); err != nil {
		return usage("%v", err)
	}
	return nil
}

func exclusive(branch string, shared bool) error {
	if branch != "" && shared {
		return usage("--branch and --shared exclude each other: a secret is either one branch's or shared by every branch")
	}
	return nil
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string { return secretcheck.ShellQuote(s) }
