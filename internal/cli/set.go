package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/spf13/cobra"

	"github.com/fnenv/fnenv/internal/ssmstore"
)

func (r *runner) setCmd() *cobra.Command {
	var branch, kmsKey string
	var shared, advanced bool
	c := &cobra.Command{
		Use:   "set NAME [--branch B | --shared] [--kms-key K] [--advanced]",
		Short: "Set a secret as a SecureString, from a hidden prompt or standard input",
		Long: `Set a secret on the branch (or, with --shared, for every branch) as an SSM
SecureString parameter, replacing any earlier value.

On a terminal the value is asked twice without echo; otherwise it is read from
standard input, without one trailing newline. The value is never printed.

A Standard parameter holds up to 4 KB (4096 bytes); --advanced stores an
Advanced-tier parameter, up to 8 KB, which AWS charges for.`,
		Example: `  fnenv secret set STRIPE_KEY --branch main
  printf %s "$KEY" | fnenv secret set STRIPE_KEY --shared`,
		Args: oneName,
		RunE: func(c *cobra.Command, args []string) error {
			return r.set(c.Context(), args[0], branch, shared, kmsKey, advanced)
		},
	}
	c.Flags().StringVar(&branch, "branch", "", "branch to set it on (default: resolved as for the app)")
	c.Flags().BoolVar(&shared, "shared", false, "set the shared secret every branch falls back to")
	c.Flags().StringVar(&kmsKey, "kms-key", "", "KMS key id, ARN or alias that encrypts the value (default: the account's aws/ssm key)")
	c.Flags().BoolVar(&advanced, "advanced", false, "store an Advanced-tier parameter: values up to 8 KB (AWS charges for it)")
	return c
}

func (r *runner) set(ctx context.Context, name, branch string, shared bool, kmsKey string, advanced bool) error {
	// The store first: no one should type a secret to learn afterwards that
	// there are no credentials.
	id, s, err := r.secretTarget(ctx, name, branch, shared)
	if err != nil {
		return err
	}
	path := id.BranchPath(name)
	if shared {
		path = id.SharedPath(name)
	}
	value, err := r.readValue(name, where(id.Backend, shared))
	if err != nil {
		return err
	}
	tier, err := tierOf(name, len(value), advanced)
	if err != nil {
		return err
	}
	version, err := s.Put(ctx, ssmstore.Parameter{Name: path, Value: value, Tier: tier, KeyID: kmsKey}, true)
	if unanswered(err) {
		return storeError(err, fmt.Sprintf("the write of %s may or may not have reached SSM: fnenv secret get %s shows its version", path, name))
	}
	if err != nil {
		return storeError(err, "nothing was written")
	}
	at := "branch " + id.Branch
	if shared {
		at = "shared"
	}
	fmt.Fprintf(r.app.Stdout, "set %s on %s: %s, version %d\n", name, at, path, version)
	return nil
}

// tierOf is the SSM tier a value of n bytes needs: Standard up to 4 KB
// ("" leaves the account's default, Standard), Advanced up to 8 KB only
// when asked for.
func tierOf(name string, n int, advanced bool) (types.ParameterTier, error) {
	switch {
	case n > ssmstore.MaxAdvancedValueBytes:
		return "", usage("the value of %s is %d bytes; SSM holds at most %d (8 KB, in an Advanced-tier parameter); nothing was written", name, n, ssmstore.MaxAdvancedValueBytes)
	case advanced:
		return types.ParameterTierAdvanced, nil
	case n > ssmstore.MaxStandardValueBytes:
		return "", usage("the value of %s is %d bytes; an SSM Standard parameter holds %d (4 KB): pass --advanced to store it in an Advanced-tier parameter (up to 8 KB; AWS charges for it); nothing was written", name, n, ssmstore.MaxStandardValueBytes)
	}
	return "", nil
}

// readValue reads a secret's value: twice without echo on a terminal, else
// all of standard input without one trailing "\n" or "\r\n". A value past
// SSM's largest is counted, not kept, so that the error gives its size.
func (r *runner) readValue(name, at string) (string, error) {
	if r.app.isTerminal() {
		first, err := r.app.Term.ReadPassword(fmt.Sprintf("Value of %s on %s: ", name, at))
		if err != nil {
			return "", failed("reading the value from the terminal: %v", err)
		}
		if first == "" {
			return "", usage("the value of %s is empty: a secret needs a value; nothing was written", name)
		}
		again, err := r.app.Term.ReadPassword("Again, to confirm: ")
		if err != nil {
			return "", failed("reading the value from the terminal: %v", err)
		}
		if again != first {
			return "", usage("the two values typed for %s differ; nothing was written", name)
		}
		return first, nil
	}
	const keep = ssmstore.MaxAdvancedValueBytes + 2 // and a CRLF
	var kept strings.Builder
	n, err := io.Copy(&kept, io.LimitReader(r.app.Stdin, keep))
	var rest tail
	if err == nil && n == keep {
		_, err = io.Copy(&rest, r.app.Stdin)
	}
	if err != nil {
		return "", failed("reading the value from standard input: %v", err)
	}
	if rest.n > 0 {
		size := keep + rest.n - rest.newline()
		return "", usage("the value of %s read from standard input is %d bytes; SSM holds at most %d (8 KB, in an Advanced-tier parameter); nothing was written", name, size, ssmstore.MaxAdvancedValueBytes)
	}
	v := kept.String()
	if s, ok := strings.CutSuffix(v, "\r\n"); ok {
		v = s
	} else {
		v = strings.TrimSuffix(v, "\n")
	}
	if v == "" {
		return "", usage("the value of %s read from standard input is empty: pipe the value in (printf %%s \"$VALUE\" | fnenv secret set %s …) or run on a terminal; nothing was written", name, name)
	}
	return v, nil
}

// tail counts what is written to it and keeps its last two bytes.
type tail struct {
	n    int64
	last [2]byte
}

func (t *tail) Write(p []byte) (int, error) {
	for _, b := range p[max(0, len(p)-2):] {
		t.last[0], t.last[1] = t.last[1], b
	}
	t.n += int64(len(p))
	return len(p), nil
}

// newline is the length of the line ending readValue would drop: 2, 1 or 0.
func (t *tail) newline() int64 {
	switch {
	case t.n >= 2 && t.last == [2]byte{'\r', '\n'}:
		return 2
	case t.last[1] == '\n':
		return 1
	}
	return 0
}
