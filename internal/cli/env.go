package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/fnenv/fnenv/model"
	"github.com/fnenv/fnenv/resolver"
	"github.com/fnenv/fnenv/resolver/envtype"
	"github.com/fnenv/fnenv/resolver/gensupport"
	"github.com/fnenv/fnenv/resolver/smfetch"
)

// ResolveCommand is the hidden command `fnenv env` runs itself as, in a
// process whose environment is the function's as `fnenv invoke` sets it:
// there the resolver's Load runs exactly as at the function's cold start
// (it reads the process environment), and reports each value and where it
// came from on stdout, as JSON, to the parent.
const ResolveCommand = "__resolve"

func (r *runner) envCmd() *cobra.Command {
	var o localOptions
	var reveal bool
	c := &cobra.Command{
		Use:   "env NAME [--branch B] [--deployed] [--assembly DIR] [--reveal]",
		Short: "Show a function's environment as its handler resolves it, and where each value comes from",
		Long: `Resolve the function's environment as its handler does at a cold start — the
resolver's Load, with the configuration and credentials of fnenv invoke — and
print each variable, its Go type, where its value came from (literal, the
branch's parameter, the shared parameter, an existing parameter, a Secrets
Manager secret and field)
and its value: a secret's masked, unless --reveal. When Load fails, print
its error exactly as the function's init would, and exit 1.

The configuration is the synthesized template's in --assembly, or with
--deployed the deployed function's (see fnenv invoke).`,
		Args: func(c *cobra.Command, args []string) error { return oneFunction(c, args) },
		RunE: func(c *cobra.Command, args []string) error { return r.env(c.Context(), args[0], o, reveal) },
	}
	o.flags(c.Flags())
	c.Flags().BoolVar(&reveal, "reveal", false, "print secrets' values instead of masking them")
	return c
}

// resolveRequest is what `fnenv env` sends its child on stdin.
type resolveRequest struct {
	Function model.Function `json:"function"`
}

// resolveReply is what the child answers on stdout.
type resolveReply struct {
	Vars  []resolvedVar `json:"vars,omitempty"`
	Error string        `json:"error,omitempty"`
}

type resolvedVar struct {
	Name   string            `json:"name"`
	Source gensupport.Source `json:"source"`
	Value  string            `json:"value"`
}

func (r *runner) env(ctx context.Context, name string, o localOptions, reveal bool) error {
	lf, err := r.localFunction(ctx, name, o)
	if err != nil {
		return err
	}
	self := r.app.Self
	if self == "" {
		if self, err = os.Executable(); err != nil {
			return failed("finding the fnenv executable to resolve in: %v", err)
		}
	}
	req, err := json.Marshal(resolveRequest{Function: lf.Record.Function})
	if err != nil {
		return failed("%v", err)
	}
	cctx, cancel := context.WithTimeout(ctx, InitTimeout+r.timeout)
	defer cancel()
	cmd := exec.CommandContext(cctx, self, ResolveCommand)
	cmd.Env = lf.environ()
	cmd.Stdin = bytes.NewReader(req)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, r.app.Stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return interrupted("nothing was resolved")
		}
		return failed("function %s: resolving in a child process (%s %s) failed: %v", name, self, ResolveCommand, err)
	}
	var rep resolveReply
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		return failed("function %s: the resolving process answered no report (%v)", name, err)
	}
	fmt.Fprintf(r.app.Stderr, "function %s (%s), branch %s, configuration from %s\n", name, lf.Record.Path, lf.Record.Backend.Branch, lf.From)
	if rep.Error != "" {
		return failed("function %s: Load failed, as it would at a cold start:\n%s", name, rep.Error)
	}
	types, secret := map[string]envtype.Type{}, map[string]bool{}
	for _, v := range lf.Record.Function.Variables {
		types[v.Name] = v.Type
		// Masked as the generated Env prints them: secrets, SSM's or
		// Secrets Manager's; literals and function.Parameter values not.
		secret[v.Name] = v.Kind == model.Secret || v.Kind == model.SecretsManager
	}
	tw := tabwriter.NewWriter(r.app.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VARIABLE\tTYPE\tSOURCE\tVALUE")
	for _, v := range rep.Vars {
		val := v.Value
		if secret[v.Name] && !reveal {
			val = resolver.NewSecret(val).String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", v.Name, envtype.Of(types[v.Name]).GoType(), sourceText(v.Source), val)
	}
	return tw.Flush()
}

// sourceText says where a value came from, for `fnenv env`.
func sourceText(s gensupport.Source) string {
	switch s.Kind {
	case gensupport.SourceBranch:
		return "branch " + s.ID
	case gensupport.SourceShared:
		return "shared " + s.ID
	case gensupport.SourceSecretsManager:
		if s.Field != "" {
			return fmt.Sprintf("Secrets Manager %s, field %q", s.ID, s.Field)
		}
		return "Secrets Manager " + s.ID
	case gensupport.SourceParameter:
		return "parameter " + s.ID
	case gensupport.SourceLiteral:
		if s.ID != "" { // moved out of Lambda's 4 KB
			return "literal, from parameter " + s.ID + "…"
		}
		return "literal"
	}
	return "?"
}

func (r *runner) resolveCmd() *cobra.Command {
	return &cobra.Command{
		Use:    ResolveCommand,
		Hidden: true,
		Args:   noArgs,
		RunE:   func(c *cobra.Command, _ []string) error { return r.resolveChild(c.Context()) },
	}
}

// resolveChild is the child of `fnenv env`: it resolves the function of
// the request on stdin with the resolver's Load, reading this process's
// environment as the handler does, and answers a resolveReply. A Load
// error is part of the reply, not a failure of the command.
func (r *runner) resolveChild(ctx context.Context) error {
	var req resolveRequest
	if err := json.NewDecoder(r.app.Stdin).Decode(&req); err != nil {
		return usage("%s: reading the request: %v", ResolveCommand, err)
	}
	var rep resolveReply
	l := resolver.NewLoader(ResolverDeclaration(req.Function), func(v *gensupport.Values, _ resolver.Lambda) *resolveReply {
		out := &resolveReply{}
		for _, x := range req.Function.Variables {
			parse(v, x) // records a value not of its type: Load fails as at cold start
			out.Vars = append(out.Vars, resolvedVar{Name: x.Name, Source: v.Source(x.Name), Value: v.Get(x.Name)})
		}
		return out
	})
	got, err := l.Load(ctx)
	if err != nil {
		rep.Error = err.Error()
	} else {
		rep = *got
	}
	return json.NewEncoder(r.app.Stdout).Encode(rep)
}

// parse reads x through the getter of its type, as the generated build
// function does.
func parse(v *gensupport.Values, x model.Variable) {
	switch envtype.Of(x.Type) {
	case envtype.Int:
		v.Int(x.Name)
	case envtype.Bool:
		v.Bool(x.Name)
	case envtype.Float:
		v.Float(x.Name)
	case envtype.Duration:
		v.Duration(x.Name)
	case envtype.URL:
		v.URL(x.Name)
	case envtype.StringList:
		v.StringList(x.Name)
	case envtype.JSON:
		v.JSON(x.Name)
	}
}

// ResolverDeclaration is the gensupport.Declaration the generated env
// package of f holds: one Var per variable, and the Secrets Manager reader
// when f references Secrets Manager. Keep it in step with codegen's
// template (its Vars); TestResolverDeclarationMatchesGenerated compares
// them.
func ResolverDeclaration(f model.Function) gensupport.Declaration {
	s := gensupport.Declaration{Function: f.Name}
	for _, v := range f.Variables {
		rv := gensupport.Var{Name: v.Name}
		switch {
		case v.Kind == model.Secret:
			rv.Secret = v.Secret
		case v.Kind == model.Parameter:
			rv.Parameter = v.Parameter
		case v.Kind == model.SecretsManager && v.SecretsManager != nil:
			rv.SecretsManager, rv.JSONField = v.SecretsManager.Secret, v.SecretsManager.Field
			s.SecretsManager = smfetch.New
		}
		s.Vars = append(s.Vars, rv)
	}
	return s
}
