package cli

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"golang.org/x/term"
)

// TTY is the Terminal on a file — standard input in the fnenv command —
// with prompts written to Out (standard error).
type TTY struct {
	In  *os.File
	Out io.Writer
}

// IsTerminal reports whether In is a terminal.
func (t TTY) IsTerminal() bool { return term.IsTerminal(int(t.In.Fd())) }

// ReadPassword reads a line with echo off. An interrupt while it waits
// restores the terminal (echo on) before the process exits with 130.
func (t TTY) ReadPassword(prompt string) (string, error) {
	fd := int(t.In.Fd())
	state, err := term.GetState(fd)
	if err != nil {
		return "", err
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	defer func() { signal.Stop(sig); close(done) }()
	go func() {
		select {
		case <-sig:
			_ = term.Restore(fd, state)
			fmt.Fprintln(t.Out)
			os.Exit(130)
		case <-done:
		}
	}()
	fmt.Fprint(t.Out, prompt)
	b, err := term.ReadPassword(fd)
	fmt.Fprintln(t.Out)
	return string(b), err
}

// ReadLine reads a line byte by byte, so that nothing after it is consumed.
func (t TTY) ReadLine(prompt string) (string, error) {
	fmt.Fprint(t.Out, prompt)
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
}
