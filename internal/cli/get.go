package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/fnenv/fnenv/internal/ssmstore"
)

func (r *runner) getCmd() *cobra.Command {
	var branch string
	var shared, reveal bool
	c := &cobra.Command{
		Use:   "get NAME [--branch B | --shared] [--reveal]",
		Short: "Show a secret: its path, version and last change; the value only with --reveal",
		Long: `Show a secret: the branch's if it is set there, else the shared one (or only
the shared one with --shared), saying which. The value is printed only with
--reveal.`,
		Args: oneName,
		RunE: func(c *cobra.Command, args []string) error {
			return r.get(c.Context(), args[0], branch, shared, reveal)
		},
	}
	c.Flags().StringVar(&branch, "branch", "", "branch to read (default: resolved as for the app)")
	c.Flags().BoolVar(&shared, "shared", false, "read the shared secret only")
	c.Flags().BoolVar(&reveal, "reveal", false, "print the decrypted value")
	return c
}

func (r *runner) get(ctx context.Context, name, branch string, shared, reveal bool) error {
	id, s, err := r.secretTarget(ctx, name, branch, shared)
	if err != nil {
		return err
	}
	type try struct{ path, source string }
	tries := []try{{id.SharedPath(name), "shared"}}
	if !shared {
		tries = append([]try{{id.BranchPath(name), "branch " + id.Branch}}, tries...)
	}
	for i, t := range tries {
		p, err := s.Get(ctx, t.path, reveal)
		if errors.Is(err, ssmstore.ErrNotFound) {
			continue
		}
		if err != nil {
			return storeError(err, "")
		}
		source := t.source
		if i > 0 {
			source += " (not set on branch " + id.Branch + ")"
		}
		return r.printParameter(name, source, p, reveal)
	}
	paths := make([]string, len(tries))
	for i, t := range tries {
		paths[i] = t.path
	}
	fix := r.again("secret set "+name, id.Backend, shared)
	return failed("secret %s is not set: no parameter %s; set it with %s%s", name, strings.Join(paths, " nor "), fix, r.unknownAppHint(ctx, s, id))
}

func (r *runner) printParameter(name, source string, p ssmstore.Parameter, reveal bool) error {
	tw := tabwriter.NewWriter(r.app.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "name:\t%s\n", name)
	fmt.Fprintf(tw, "path:\t%s\n", p.Name)
	fmt.Fprintf(tw, "source:\t%s\n", source)
	fmt.Fprintf(tw, "type:\t%s\n", p.Type)
	fmt.Fprintf(tw, "version:\t%d\n", p.Version)
	fmt.Fprintf(tw, "last modified:\t%s\n", formatTime(p.LastModified))
	if reveal {
		fmt.Fprintf(tw, "value:\t%s\n", p.Value)
	} else {
		fmt.Fprintf(tw, "value:\t(hidden; --reveal prints it)\n")
	}
	return tw.Flush()
}
