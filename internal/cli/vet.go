package cli

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"

	"github.com/fnenv/fnenv/internal/plural"
	"github.com/fnenv/fnenv/internal/vet"
)

func (r *runner) vetCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "vet [packages]",
		Short: "Report handlers that read their secrets with os.Getenv or import another function's env package",
		Long: `Analyze the packages (default ./...; their tests too, as go vet does) and
report at file:line:col each place where a function's code

  - reads one of the function's secrets with os.Getenv, os.LookupEnv or
    syscall.Getenv (a constant name): a secret is resolved by the env
    package's Load and is not an environment variable, so the call returns
    "" in Lambda — literals do work that way;
  - imports another function's env package, whose Load reads that
    function's configuration.

A package belongs to the function whose generated env package (env/env.go)
is in its directory or the nearest above it: run after a synth or
fnenv gen. Exit 0 when there is nothing to report, 1 when there is.

The same analysis runs under go vet: go vet -vettool=$(which fnenv) ./...`,
		RunE: func(c *cobra.Command, args []string) error { return r.vet(c.Context(), args) },
	}
}

func (r *runner) vet(ctx context.Context, patterns []string) error {
	if len(patterns) == 0 {
		patterns = []string{"./..."}
	}
	dir, err := filepath.Abs(r.app.Dir)
	if err != nil {
		return failed("vet: %v", err)
	}
	cfg := &packages.Config{Context: ctx, Mode: packages.LoadSyntax | packages.NeedModule, Dir: dir, Tests: true}
	pkgs, err := packages.Load(cfg, patterns...)
	if err != nil {
		return failed("vet: loading %s: %v", strings.Join(patterns, " "), err)
	}
	var loadErrs []string
	packages.Visit(pkgs, nil, func(p *packages.Package) {
		for _, e := range p.Errors {
			loadErrs = append(loadErrs, e.Error())
		}
	})
	if len(loadErrs) > 0 {
		return failed("vet: the packages do not load (fix these first):\n  %s", strings.Join(slices.Compact(loadErrs), "\n  "))
	}
	if len(pkgs) == 0 {
		return failed("vet: %s matches no package", strings.Join(patterns, " "))
	}
	// Before a synth or fnenv gen there is no env package to read: say so,
	// rather than pass in silence.
	functions := 0
	for _, p := range pkgs {
		if len(p.GoFiles) == 0 {
			continue
		}
		if _, fn, err := vet.FunctionOf(filepath.Dir(p.GoFiles[0])); err == nil && fn != nil {
			functions++
		}
	}
	if functions == 0 {
		fmt.Fprintf(r.app.Stderr, "fnenv: vet: no package of %s belongs to a function (no generated env package, env/env.go, in its directory or above): synthesize the app or run %s first\n",
			strings.Join(patterns, " "), r.command("gen"))
	}
	g, err := checker.Analyze([]*analysis.Analyzer{vet.Analyzer}, pkgs, nil)
	if err != nil {
		return failed("vet: %v", err)
	}
	var reports []string
	for act := range g.All() {
		if !act.IsRoot {
			continue
		}
		if act.Err != nil {
			return failed("vet: %s: %v", act.Package.PkgPath, act.Err)
		}
		for _, d := range act.Diagnostics {
			pos := act.Package.Fset.Position(d.Pos)
			if rel, err := filepath.Rel(dir, pos.Filename); err == nil && !strings.HasPrefix(rel, "..") {
				pos.Filename = rel
			}
			reports = append(reports, fmt.Sprintf("%s: %s", pos, d.Message))
		}
	}
	// A package and its test variant share files: one report each.
	slices.Sort(reports)
	reports = slices.Compact(reports)
	for _, l := range reports {
		fmt.Fprintln(r.app.Stdout, l)
	}
	if len(reports) > 0 {
		return failed("vet: %s in %s", plural.Count(len(reports), "problem"), strings.Join(patterns, " "))
	}
	return nil
}

// IsVetTool reports whether args (without the program name) are how go vet
// runs a -vettool: "-V=full" to identify it, "-flags" to list its flags,
// or flags then one unit's configuration file, ending in ".cfg"
// (golang.org/x/tools/go/analysis/unitchecker describes the protocol). No
// fnenv command line looks like these: each names a command. cmd/fnenv
// then hands the process to unitchecker.Main with vet.Analyzer.
func IsVetTool(args []string) bool {
	if len(args) == 0 {
		return false
	}
	if args[0] == "-flags" || strings.HasPrefix(args[0], "-V=") {
		return true
	}
	last := len(args) - 1
	for _, a := range args[:last] {
		if !strings.HasPrefix(a, "-") {
			return false
		}
	}
	return strings.HasSuffix(args[last], ".cfg")
}
