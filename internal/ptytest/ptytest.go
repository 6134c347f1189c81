// Package ptytest is a pseudo-terminal for tests: the test plays the
// person at the master end, the code under test reads and writes the
// slave end as its terminal (Linux only; elsewhere tests are skipped).
package ptytest

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// PTY is one pseudo-terminal, closed when the test ends.
type PTY struct {
	t             *testing.T
	Master, Slave *os.File
	mu            sync.Mutex
	screen        bytes.Buffer // everything written to the terminal
}

// Open opens a pseudo-terminal and starts recording what is written to it.
func Open(t *testing.T) *PTY {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	p := &PTY{t: t, Master: m, Slave: s}
	go func() {
		buf := make([]byte, 1024)
		for {
			n, err := m.Read(buf)
			p.mu.Lock()
			p.screen.Write(buf[:n])
			p.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() { s.Close(); m.Close() })
	return p
}

// Seen is everything written to the terminal so far.
func (p *PTY) Seen() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.screen.String()
}

// WaitFor waits until cond holds; the bound only keeps a broken test from
// hanging.
func (p *PTY) WaitFor(what string, cond func() bool) {
	p.t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			p.t.Fatalf("waiting for %s; the terminal shows:\n%s", what, p.Seen())
		}
	}
}

// Echo reports whether the terminal echoes what is typed.
func (p *PTY) Echo() bool {
	p.t.Helper()
	tio, err := unix.IoctlGetTermios(int(p.Slave.Fd()), unix.TCGETS)
	if err != nil {
		p.t.Fatal(err)
	}
	return tio.Lflag&unix.ECHO != 0
}

// Prompted waits for prompt, then — for a hidden answer — for echo to be
// off.
func (p *PTY) Prompted(prompt string, hidden bool) {
	p.t.Helper()
	p.WaitFor(fmt.Sprintf("prompt %q", prompt), func() bool { return strings.Contains(p.Seen(), prompt) })
	if hidden {
		p.WaitFor("echo off", func() bool { return !p.Echo() })
	}
}

// Type types s at the master end, as keys: "\x03" is Ctrl-C, "\x04" Ctrl-D.
func (p *PTY) Type(s string) {
	p.t.Helper()
	if _, err := p.Master.Write([]byte(s)); err != nil {
		p.t.Fatal(err)
	}
}

// Answer waits for the prompt (see Prompted) and types line and Enter.
func (p *PTY) Answer(prompt, line string, hidden bool) {
	p.t.Helper()
	p.Prompted(prompt, hidden)
	p.Type(line + "\n")
}

// Buffer is a bytes.Buffer safe for one writer and one reader: a
// command's output, watched while it runs.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
