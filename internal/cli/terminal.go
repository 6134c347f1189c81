package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// TTY is the Terminal on a file — standard input in the fnenv command —
// with prompts written to Out (standard error).
//
// Each read runs in its own goroutine so that Ctrl-C stops it at once: the
// command's context is cancelled (SIGINT reaches the process; golang.org/x/term's
// reads block and ignore it), the terminal is restored (echo back on) and
// the read returns ctx.Err(). The abandoned read ends with the process.
type TTY struct {
	In  *os.File
	Out io.Writer
}

// IsTerminal reports whether In is a terminal.
func (t TTY) IsTerminal() bool { return term.IsTerminal(int(t.In.Fd())) }

// ReadPassword reads a line with echo off. Enter ends it (without its
// line ending); so does Ctrl-D, where it is — on an empty line, an empty
// value.
func (t TTY) ReadPassword(ctx context.Context, prompt string) (string, error) {
	fd := int(t.In.Fd())
	state, err := term.GetState(fd)
	if err != nil {
		return "", err
	}
	defer term.Restore(fd, state)
	// Echo goes off before the read starts, so that an interrupt's
	// Restore always comes after it.
	read, err := hidden(t.In)
	if err != nil {
		return "", err
	}
	fmt.Fprint(t.Out, prompt)
	defer fmt.Fprintln(t.Out) // the Enter the terminal did not echo
	return readCtx(ctx, read)
}

// ReadLine reads a line byte by byte, so that nothing after it is
// consumed; Ctrl-D ends it too.
func (t TTY) ReadLine(ctx context.Context, prompt string) (string, error) {
	fmt.Fprint(t.Out, prompt)
	s, err := readCtx(ctx, func() (string, error) {
		var sb strings.Builder
		buf := make([]byte, 1)
		for {
			n, err := t.In.Read(buf)
			if n == 1 {
				if buf[0] == '\n' {
					return strings.TrimSuffix(sb.String(), "\r"), nil
				}
				sb.WriteByte(buf[0])
			}
			if err == io.EOF {
				return sb.String(), nil
			}
			if err != nil {
				return "", err
			}
		}
	})
	if err != nil {
		fmt.Fprintln(t.Out) // after the ^C the terminal echoed
	}
	return s, err
}

// readCtx runs read in a goroutine and returns its result, or ctx.Err() as
// soon as ctx is done.
func readCtx(ctx context.Context, read func() (string, error)) (string, error) {
	type result struct {
		s   string
		err error
	}
	ch := make(chan result, 1)
	go func() {
		s, err := read()
		ch <- result{s, err}
	}()
	select {
	case r := <-ch:
		return r.s, r.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// readLine reads one line of a terminal in canonical mode, where the
// kernel edits the line and one read returns at most one line: Enter ends
// it, without "\n" or "\r\n"; Ctrl-D ends it where it is (the read
// returns without a newline, or on an empty line returns nothing).
func readLine(f *os.File) (string, error) {
	buf := make([]byte, 16<<10) // more than a canonical line holds (4096 on Linux, 1024 on macOS)
	n, err := f.Read(buf)
	if n == 0 && err != io.EOF && err != nil {
		return "", err
	}
	line := string(buf[:n])
	if s, ok := strings.CutSuffix(line, "\n"); ok {
		return strings.TrimSuffix(s, "\r"), nil
	}
	return line, nil
}
