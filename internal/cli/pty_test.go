package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"
)

// pty is a pseudo-terminal: the test plays the person at the master end,
// fnenv reads and writes the slave end through TTY (golang.org/x/term).
type pty struct {
	t             *testing.T
	master, slave *os.File
	mu            sync.Mutex
	screen        bytes.Buffer // everything written to the terminal
}

func openPTY(t *testing.T) *pty {
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
	p := &pty{t: t, master: m, slave: s}
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

func (p *pty) seen() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.screen.String()
}

// waitFor waits until cond holds; the bound only keeps a broken test from
// hanging.
func (p *pty) waitFor(what string, cond func() bool) {
	p.t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			p.t.Fatalf("waiting for %s; the terminal shows:\n%s", what, p.seen())
		}
	}
}

// answer waits for prompt, then — for a hidden answer — for echo to be
// off, and types line.
func (p *pty) answer(prompt, line string, hidden bool) {
	p.t.Helper()
	p.waitFor(fmt.Sprintf("prompt %q", prompt), func() bool { return strings.Count(p.seen(), prompt) > 0 })
	if hidden {
		p.waitFor("echo off", func() bool {
			tio, err := unix.IoctlGetTermios(int(p.slave.Fd()), unix.TCGETS)
			return err == nil && tio.Lflag&unix.ECHO == 0
		})
	}
	if _, err := p.master.Write([]byte(line + "\n")); err != nil {
		p.t.Fatal(err)
	}
}

func (e *tenv) runOnPTY(p *pty, args ...string) (chan int, *bytes.Buffer) {
	var out bytes.Buffer
	a := &App{Stdin: p.slave, Stdout: &out, Stderr: p.slave, Term: TTY{In: p.slave, Out: p.slave},
		Getenv: func(k string) string { return e.vars[k] }, Dir: e.dir, NoGit: true}
	done := make(chan int, 1)
	go func() { done <- a.Run(context.Background(), args) }()
	return done, &out
}

func TestSetOnPTY(t *testing.T) {
	e := newEnv(t)
	p := openPTY(t)
	if !(TTY{In: p.slave}).IsTerminal() {
		t.Fatal("the pty's slave is not a terminal")
	}
	v := fake("pty", 1)
	done, out := e.runOnPTY(p, "secret", "set", "PTY_KEY", "--branch", "main")
	p.answer("Value of PTY_KEY", v, true)
	p.answer("Again", v, true)
	if code := <-done; code != 0 {
		t.Fatalf("exit %d; terminal:\n%s", code, p.seen())
	}
	if diff := cmp.Diff(e.params(), map[string]string{"/amplify/testapp/main/PTY_KEY": v}); diff != "" {
		t.Errorf("parameters (-got +want):\n%s", diff)
	}
	if strings.Contains(p.seen(), v) || strings.Contains(out.String(), v) {
		t.Errorf("the value was echoed; terminal:\n%s\nstdout:\n%s", p.seen(), out)
	}
	tio, err := unix.IoctlGetTermios(int(p.slave.Fd()), unix.TCGETS)
	if err != nil || tio.Lflag&unix.ECHO == 0 {
		t.Errorf("echo left off after the prompt (%v)", err)
	}
}

func TestRemoveConfirmOnPTY(t *testing.T) {
	e := newEnv(t)
	e.seed("main", "S_00", "S_01", "S_02")
	p := openPTY(t)
	done, out := e.runOnPTY(p, "secret", "remove", "S_00", "S_01", "--branch", "main")
	p.answer("Remove 2 secrets (S_00, S_01) from branch main", "y", false)
	if code := <-done; code != 0 {
		t.Fatalf("exit %d; terminal:\n%s", code, p.seen())
	}
	wantContains(t, "stdout", out.String(), "removed 2 from branch main")
	if got := e.params(); len(got) != 1 || got["/amplify/testapp/main/S_02"] == "" {
		t.Errorf("left %v, want S_02 only", got)
	}
}
