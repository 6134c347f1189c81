package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"

	"github.com/spf13/cobra"

	"github.com/fnenv/fnenv/codegen"
	"github.com/fnenv/fnenv/internal/plural"
	"github.com/fnenv/fnenv/internal/srctree"
	"github.com/fnenv/fnenv/model"
)

// GenBranch is the branch the CDK app is synthesized for by `fnenv gen`
// when none resolves: generated code is the same for every branch.
const GenBranch = "fnenv-gen"

func (r *runner) genCmd() *cobra.Command {
	var branch, assembly string
	var check bool
	c := &cobra.Command{
		Use:   "gen [--check] [--branch B] [--assembly DIR]",
		Short: "Regenerate every env package",
		Long: `Regenerate the env package of every function: synthesize the CDK app named by
cdk.json's "app" into a temporary directory (as the CDK CLI runs it, without
bundling), read the functions from that cloud assembly and write
<entry>/env/env.go for each under the module root. Prints the files that
changed. With --assembly, read an existing cloud assembly instead of
synthesizing.

With --check, write nothing: exit 1 listing each env package that differs
from what gen would write (or is missing), exit 0 when all are current —
for CI, where a stale package would otherwise show as a compile error
(e.Currency undefined).`,
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error { return r.gen(c.Context(), branch, assembly, check) },
	}
	c.Flags().BoolVar(&check, "check", false, "write nothing; exit 1 listing each env package that is not current")
	c.Flags().StringVar(&branch, "branch", "", "branch to synthesize for (default: resolved as for the app, else "+GenBranch+"; the code is the same)")
	c.Flags().StringVar(&assembly, "assembly", "", "read this cloud assembly instead of synthesizing the app")
	return c
}

func (r *runner) gen(ctx context.Context, branch, assembly string, check bool) error {
	c, err := r.loadCDKJSON()
	if err != nil {
		return err
	}
	root, err := srctree.ModuleRoot(r.app.Dir)
	if err != nil {
		return failed("gen: %v", err)
	}
	dir := ""
	if assembly != "" {
		dir = r.path(assembly)
	} else {
		if c.App == "" {
			return usage(`gen: no CDK app to synthesize: cdk.json (in the working directory, or --cdk-json) needs "app", or pass --assembly DIR`)
		}
		tmp, err := os.MkdirTemp("", "fnenv-gen-")
		if err != nil {
			return failed("gen: %v", err)
		}
		defer os.RemoveAll(tmp)
		if err := r.synth(ctx, c, branch, tmp); err != nil {
			return err
		}
		dir = tmp
	}
	recs, err := readRecords(dir)
	if err != nil {
		return err
	}
	// One env package per entry; a function in several stacks (one per
	// branch, say) is written once, and two different specs for one entry
	// are an error.
	byEntry := map[string]model.Record{}
	for _, rec := range recs {
		prev, ok := byEntry[rec.Function.Entry]
		if ok && !prev.Function.SamePackage(rec.Function) {
			return failed("gen: functions %s (%s) and %s (%s) share entry %q with different environments: one env package cannot serve both",
				prev.Function.Name, prev.Path, rec.Function.Name, rec.Path, rec.Function.Entry)
		}
		byEntry[rec.Function.Entry] = rec
	}
	entries := make([]string, 0, len(byEntry))
	for e := range byEntry {
		entries = append(entries, e)
	}
	sort.Strings(entries)
	if check {
		return r.genCheck(root, entries, byEntry)
	}
	changed := 0
	for _, e := range entries {
		rec := byEntry[e]
		ch, err := r.app.WriteEnv(root, rec.Function)
		if err != nil {
			return failed("gen: function %s (%s): %v", rec.Function.Name, rec.Path, err)
		}
		if ch {
			changed++
			fmt.Fprintf(r.app.Stdout, "wrote %s\n", filepath.ToSlash(filepath.Join(e, "env", "env.go")))
		}
	}
	fmt.Fprintf(r.app.Stdout, "%s, %d changed\n", plural.Count(len(entries), "env package"), changed)
	return nil
}

// genCheck lists each env package of entries that is missing or differs
// from what gen writes (codegen.Current), writing nothing.
func (r *runner) genCheck(root string, entries []string, byEntry map[string]model.Record) error {
	var stale []string
	for _, e := range entries {
		rec := byEntry[e]
		exists, current, err := codegen.Current(root, rec.Function)
		if err != nil {
			return failed("gen --check: function %s (%s): %v", rec.Function.Name, rec.Path, err)
		}
		p := filepath.ToSlash(filepath.Join(e, "env", "env.go"))
		switch {
		case !exists:
			stale = append(stale, p)
			fmt.Fprintf(r.app.Stdout, "missing %s (function %s)\n", p, rec.Function.Name)
		case !current:
			stale = append(stale, p)
			fmt.Fprintf(r.app.Stdout, "stale %s (function %s)\n", p, rec.Function.Name)
		}
	}
	if len(stale) > 0 {
		return failed("gen --check: %d of %s %s from what gen writes: run %s and commit %s", len(stale), plural.Count(len(entries), "env package"), plural.Of(len(stale), "differs", "differ"), r.command("gen"), plural.Of(len(stale), "it", "them"))
	}
	fmt.Fprintf(r.app.Stdout, "%s, all current\n", plural.Count(len(entries), "env package"))
	return nil
}

// synth runs the CDK app as the CDK CLI does: the "app" command line
// through the shell in the directory of cdk.json, with CDK_OUTDIR and
// CDK_CONTEXT_JSON (cdk.json's context, bundling, the app's own env
// package writing and the secrets check off, the branch).
func (r *runner) synth(ctx context.Context, c *cdkJSON, branch, outdir string) error {
	id, err := r.resolve(branch, true, false)
	b := id.Branch
	if err != nil || b == "" {
		b = GenBranch
	}
	cctx := map[string]any{}
	for k, v := range c.Context {
		cctx[k] = v
	}
	cctx["aws:cdk:bundling-stacks"] = []string{}
	cctx[model.ContextBranch] = b
	// gen writes the env packages itself, to count what changed: the app
	// must not write them first.
	cctx[model.ContextCodegen] = false
	// Generated code does not depend on which secrets are set: no AWS call.
	cctx[model.ContextCheckSecrets] = false
	if r.appIDFlag != "" {
		cctx[model.ContextAppID] = r.appIDFlag
	}
	if r.prefixFlag != "" {
		cctx[model.ContextPrefix] = r.prefixFlag
	}
	if r.pathsFlag != "" {
		cctx[model.ContextPaths] = r.pathsFlag
	}
	js, err := json.Marshal(cctx)
	if err != nil {
		return failed("gen: encoding the CDK context: %v", err)
	}
	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", c.App)
	cmd.Dir = r.app.Dir
	if c.path != "" {
		cmd.Dir = filepath.Dir(c.path)
	}
	cmd.Env = append(os.Environ(), "CDK_OUTDIR="+outdir, "CDK_CONTEXT_JSON="+string(js))
	// The app's own output is for the person reading errors; stdout stays ours.
	cmd.Stdout, cmd.Stderr = r.app.Stderr, r.app.Stderr
	if err := cmd.Run(); err != nil {
		return failed("gen: synthesizing the CDK app (%s, in %s) failed: %v", c.App, cmd.Dir, err)
	}
	return nil
}
