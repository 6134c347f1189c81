package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

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
SecureString parameter, replacing any earlier value. The value is never
printed.

On a terminal the value is asked twice without echo; Enter or Ctrl-D ends
it. Otherwise it is read from standard input, all of it, without exactly one
trailing line ending ("\n" or "\r\n"; "v\n\n" stores "v\n"); after 2 s
without a byte fnenv says that it is waiting there. Ctrl-C stops it at once,
writing nothing.

The value is stored byte for byte. It must be UTF-8 text, as SSM stores
text: store binary data as base64 (base64 < FILE | fnenv secret set NAME …).
A Standard parameter holds up to 4 KB (4096 bytes, counted in bytes, not
characters); --advanced stores an Advanced-tier parameter, up to 8 KB, which
AWS charges for.`,
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
	value, err := r.readValue(ctx, name, where(id.Backend, shared), r.again("secret set "+name, id.Backend, shared))
	if err != nil {
		return err
	}
	tier, err := tierOf(name, len(value), advanced)
	if err != nil {
		return err
	}
	version, err := s.Put(ctx, ssmstore.Parameter{Name: path, Value: value, Tier: tier, KeyID: kmsKey}, true)
	if unanswered(err) {
		return storeError(err, fmt.Sprintf("the write of %s may or may not have reached SSM: %s shows its version", path, r.again("secret get "+name, id.Backend, shared)))
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

// StdinNoteAfter is how long set waits for the first byte of a value on a
// standard input that is not a terminal before it says, on standard error,
// that it is waiting for it.
const StdinNoteAfter = 2 * time.Second

// readValue reads a secret's value: twice without echo on a terminal, else
// all of standard input without one trailing "\n" or "\r\n" (exactly one:
// "v\n\n" is stored as "v\n"; a lone trailing "\r" is kept). A value past
// SSM's largest is counted, not kept, so that the error gives its size.
// Ctrl-C (ctx done) stops it at once: nothing was written.
func (r *runner) readValue(ctx context.Context, name, at, again string) (string, error) {
	v, err := r.readRaw(ctx, name, at)
	if err != nil {
		return "", err
	}
	if err := checkText(name, v, again); err != nil {
		return "", err
	}
	return v, nil
}

func (r *runner) readRaw(ctx context.Context, name, at string) (string, error) {
	if r.app.isTerminal() {
		read := func(prompt string) (string, error) {
			s, err := r.app.Term.ReadPassword(ctx, prompt)
			switch {
			case ctx.Err() != nil:
				return "", interrupted("nothing was written")
			case err == io.EOF: // Ctrl-D on an empty line: an empty value
				return "", nil
			case err != nil:
				return "", failed("reading the value from the terminal: %v", err)
			}
			return s, nil
		}
		first, err := read(fmt.Sprintf("Value of %s on %s: ", name, at))
		if err != nil {
			return "", err
		}
		if first == "" {
			return "", usage("the value of %s is empty: a secret needs a value; nothing was written", name)
		}
		again, err := read("Again, to confirm: ")
		if err != nil {
			return "", err
		}
		if again != first {
			return "", usage("the two values typed for %s differ; nothing was written", name)
		}
		return first, nil
	}
	type result struct {
		kept strings.Builder
		rest tail
		err  error
	}
	const keep = ssmstore.MaxAdvancedValueBytes + 2 // and a CRLF
	arrived := make(chan struct{})
	done := make(chan *result, 1)
	go func() {
		res := &result{}
		in := &firstByte{r: r.app.Stdin, arrived: arrived}
		n, err := io.Copy(&res.kept, io.LimitReader(in, keep))
		if err == nil && n == keep {
			_, err = io.Copy(&res.rest, in)
		}
		res.err = err
		done <- res
	}()
	note := time.NewTimer(StdinNoteAfter)
	defer note.Stop()
	var res *result
	for res == nil {
		select {
		case res = <-done:
		case <-ctx.Done():
			return "", interrupted("nothing was written")
		case <-note.C:
			select {
			case <-arrived:
			default:
				fmt.Fprintf(r.app.Stderr, "fnenv: waiting for the value of %s on standard input (Ctrl-D to end, Ctrl-C to stop)\n", name)
			}
		}
	}
	if res.err != nil {
		return "", failed("reading the value from standard input: %v; nothing was written", res.err)
	}
	if res.rest.n > 0 {
		size := keep + res.rest.n - res.rest.newline()
		return "", usage("the value of %s read from standard input is %d bytes; SSM holds at most %d (8 KB, in an Advanced-tier parameter); nothing was written", name, size, ssmstore.MaxAdvancedValueBytes)
	}
	v := res.kept.String()
	if s, ok := strings.CutSuffix(v, "\r\n"); ok {
		v = s
	} else {
		v = strings.TrimSuffix(v, "\n")
	}
	if v == "" {
		return "", usage("the value of %s read from standard input is empty: pipe the value in (printf %%s \"$VALUE\" | %s …) or run on a terminal; nothing was written", name, r.command("secret", "set", name))
	}
	return v, nil
}

// checkText refuses a value that is not UTF-8. SSM stores text: its API
// carries a value as a JSON string, so each byte that is not UTF-8 would be
// stored as U+FFFD and the stored value would differ from the one given.
// The error names the offset of the first such byte, never the byte.
func checkText(name, v, again string) error {
	if utf8.ValidString(v) {
		return nil
	}
	off := 0
	for off < len(v) {
		r, size := utf8.DecodeRuneInString(v[off:])
		if r == utf8.RuneError && size <= 1 {
			break
		}
		off += size
	}
	return usage("the value of %s is not UTF-8 text: its byte at offset %d (counting from 0) is not part of a UTF-8 character, and SSM stores text, so the stored value would differ from the one given; store binary data as base64 (base64 < FILE | %s) and decode it where it is read; nothing was written", name, off, again)
}

// firstByte closes arrived at the first byte read from r, or its end.
type firstByte struct {
	r       io.Reader
	arrived chan struct{}
	closed  bool
}

func (f *firstByte) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if !f.closed && (n > 0 || err != nil) {
		f.closed = true
		close(f.arrived)
	}
	return n, err
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
