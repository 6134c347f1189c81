package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/fnenv/fnenv/internal/ssmstore"
	"github.com/fnenv/fnenv/model"
)

// secretCmd is `fnenv secret` and its subcommands, one file each.
func (r *runner) secretCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "secret",
		Short: "Set, get, list, remove, check, copy, diff, roll back secrets and show their history",
		Args:  noArgs,
		RunE:  func(c *cobra.Command, _ []string) error { return c.Help() },
	}
	c.AddCommand(r.setCmd(), r.getCmd(), r.listCmd(), r.removeCmd(), r.checkCmd(), r.copyCmd(), r.diffCmd(), r.historyCmd(), r.rollbackCmd())
	return c
}

// secretTarget checks the flags and the name of one secret and returns
// its backend and the store.
func (r *runner) secretTarget(ctx context.Context, name, branch string, shared bool) (resolvedBackend, *ssmstore.Store, error) {
	if err := exclusive(branch, shared); err != nil {
		return resolvedBackend{}, nil, err
	}
	id, err := r.resolve(branch, !shared, true)
	if err != nil {
		return resolvedBackend{}, nil, err
	}
	if err := checkName(id.Backend, name, shared); err != nil {
		return resolvedBackend{}, nil, err
	}
	s, err := r.store(ctx)
	if err != nil {
		return resolvedBackend{}, nil, err
	}
	return id, s, nil
}

// unknownAppHint returns, when nothing at all is stored for the app id, a
// sentence saying the app id may be wrong; "" otherwise or when it cannot
// tell.
func (r *runner) unknownAppHint(ctx context.Context, s *ssmstore.Store, id resolvedBackend) string {
	for _, p := range []struct {
		path      string
		recursive bool
	}{{appPrefix(id.Backend), true}, {id.SharedPrefix(), false}} {
		if empty, err := s.Empty(ctx, p.path, p.recursive); err != nil || !empty {
			return ""
		}
	}
	return fmt.Sprintf(".\nNothing at all is stored under %s or %s: the app id %q (from %s) may be wrong", appPrefix(id.Backend), id.SharedPrefix(), id.AppID, id.appIDSource)
}

// secretNames are the names of ps under prefix.
func secretNames(ps []ssmstore.Parameter, prefix string) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = strings.TrimPrefix(p.Name, prefix)
	}
	return out
}

func formatTime(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// where describes a secret's location for messages.
func where(b model.Backend, shared bool) string {
	if shared {
		return "shared (" + b.SharedPrefix() + ")"
	}
	return "branch " + b.Branch + " (" + b.BranchPrefix() + ")"
}

// again is a command line for the same app and secrets as this one: fnenv
// as the user runs it (App.Name), then sub (e.g. "secret get KEY") with
// --shared, or --branch and the branch, then each of --app-id, --prefix,
// --paths and --cdk-json the user gave, quoted for a POSIX shell; for the
// hints of messages.
func (r *runner) again(sub string, b model.Backend, shared bool) string {
	parts := []string{r.app.Name, sub}
	if shared {
		parts = append(parts, "--shared")
	} else {
		parts = append(parts, "--branch", shellQuote(b.Branch))
	}
	for _, f := range []struct{ flag, value string }{
		{"--app-id", r.appIDFlag}, {"--prefix", r.prefixFlag}, {"--paths", r.pathsFlag}, {"--cdk-json", r.cdkJSONFlag},
	} {
		if f.value != "" {
			parts = append(parts, f.flag, shellQuote(f.value))
		}
	}
	return strings.Join(parts, " ")
}

// command is the command line that runs fnenv with args, as the person
// running this one runs fnenv (App.Name): "go tool fnenv secret set X".
// args are already quoted for a shell where needed.
func (r *runner) command(args ...string) string {
	return strings.Join(append([]string{r.app.Name}, args...), " ")
}

// none is "none" for an empty list, else the list.
func none(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
