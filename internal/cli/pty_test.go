package cli

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fnenv/fnenv/internal/ptytest"
)

// Ctrl-C on a real terminal is tested on the fnenv binary (cmd/fnenv),
// whose process the terminal signals; here fnenv runs in-process.

func (e *tenv) runOnPTY(p *ptytest.PTY, args ...string) (chan int, *bytes.Buffer) {
	var out bytes.Buffer
	a := &App{Stdin: p.Slave, Stdout: &out, Stderr: p.Slave, Term: TTY{In: p.Slave, Out: p.Slave},
		Getenv: func(k string) string { return e.vars[k] }, Dir: e.dir, NoGit: true}
	done := make(chan int, 1)
	go func() { done <- a.Run(context.Background(), args) }()
	return done, &out
}

func TestSetOnPTY(t *testing.T) {
	e := newEnv(t)
	p := ptytest.Open(t)
	if !(TTY{In: p.Slave}).IsTerminal() {
		t.Fatal("the pty's slave is not a terminal")
	}
	v := fake("pty", 1)
	done, out := e.runOnPTY(p, "secret", "set", "PTY_KEY", "--branch", "main")
	p.Answer("Value of PTY_KEY", v, true)
	p.Answer("Again", v, true)
	if code := <-done; code != 0 {
		t.Fatalf("exit %d; terminal:\n%s", code, p.Seen())
	}
	if diff := cmp.Diff(e.params(), map[string]string{"/amplify/testapp/main/PTY_KEY": v}); diff != "" {
		t.Errorf("parameters (-got +want):\n%s", diff)
	}
	if strings.Contains(p.Seen(), v) || strings.Contains(out.String(), v) {
		t.Errorf("the value was echoed; terminal:\n%s\nstdout:\n%s", p.Seen(), out)
	}
	if !p.Echo() {
		t.Error("echo left off after the prompt")
	}
}

// TestCtrlDOnPTY: Ctrl-D at the hidden prompt ends the input where it is;
// on an empty line it is an empty value, refused.
func TestCtrlDOnPTY(t *testing.T) {
	t.Run("after the value", func(t *testing.T) {
		e := newEnv(t)
		p := ptytest.Open(t)
		v := fake("pty", 2)
		done, _ := e.runOnPTY(p, "secret", "set", "PTY_KEY", "--branch", "main")
		p.Prompted("Value of PTY_KEY", true)
		p.Type(v + "\x04")
		p.Prompted("Again", true)
		p.Type(v + "\x04")
		if code := <-done; code != 0 {
			t.Fatalf("exit %d; terminal:\n%s", code, p.Seen())
		}
		if diff := cmp.Diff(e.params(), map[string]string{"/amplify/testapp/main/PTY_KEY": v}); diff != "" {
			t.Errorf("parameters (-got +want):\n%s", diff)
		}
		if !p.Echo() {
			t.Error("echo left off")
		}
	})
	t.Run("on an empty line", func(t *testing.T) {
		e := newEnv(t)
		p := ptytest.Open(t)
		done, _ := e.runOnPTY(p, "secret", "set", "PTY_KEY", "--branch", "main")
		p.Prompted("Value of PTY_KEY", true)
		p.Type("\x04")
		if code := <-done; code != ExitUsage {
			t.Fatalf("exit %d, want %d; terminal:\n%s", code, ExitUsage, p.Seen())
		}
		p.WaitFor("the refusal", func() bool {
			return strings.Contains(p.Seen(), "the value of PTY_KEY is empty: a secret needs a value; nothing was written")
		})
		if got := e.params(); len(got) != 0 {
			t.Errorf("parameters %v, want none", got)
		}
		if !p.Echo() {
			t.Error("echo left off")
		}
	})
	t.Run("at [y/N]", func(t *testing.T) {
		e := newEnv(t)
		e.seed("main", "S_00")
		p := ptytest.Open(t)
		done, _ := e.runOnPTY(p, "secret", "remove", "S_00", "--branch", "main")
		p.Prompted("[y/N]", false)
		p.Type("\x04")
		if code := <-done; code != ExitFailed {
			t.Fatalf("exit %d, want 1; terminal:\n%s", code, p.Seen())
		}
		p.WaitFor("the refusal", func() bool { return strings.Contains(p.Seen(), "not confirmed: nothing removed") })
		if len(e.params()) != 1 {
			t.Errorf("parameters %v, want S_00 kept", e.params())
		}
	})
}

func TestRemoveConfirmOnPTY(t *testing.T) {
	e := newEnv(t)
	e.seed("main", "S_00", "S_01", "S_02")
	p := ptytest.Open(t)
	done, out := e.runOnPTY(p, "secret", "remove", "S_00", "S_01", "--branch", "main")
	p.Answer("Remove 2 secrets (S_00, S_01) from branch main", "y", false)
	if code := <-done; code != 0 {
		t.Fatalf("exit %d; terminal:\n%s", code, p.Seen())
	}
	wantContains(t, "stdout", out.String(), "removed 2 from branch main")
	if got := e.params(); len(got) != 1 || got["/amplify/testapp/main/S_02"] == "" {
		t.Errorf("left %v, want S_02 only", got)
	}
}

// TestInterruptedPrompts: a cancelled context (Ctrl-C in the fnenv
// command) stops each prompt at once, restores the terminal and says that
// nothing was done.
func TestInterruptedPrompts(t *testing.T) {
	tests := []struct {
		name, prompt string
		hidden       bool
		args         []string
		want         string
	}{
		{"hidden prompt", "Value of K1", true, []string{"secret", "set", "K1", "--branch", "main"}, "interrupted: nothing was written"},
		{"[y/N]", "[y/N]", false, []string{"secret", "remove", "S_00", "--branch", "main"}, "interrupted: nothing removed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.seed("main", "S_00")
			before := e.params()
			p := ptytest.Open(t)
			ctx, cancel := context.WithCancel(context.Background())
			a := &App{Stdin: p.Slave, Stderr: p.Slave, Term: TTY{In: p.Slave, Out: p.Slave},
				Getenv: func(k string) string { return e.vars[k] }, Dir: e.dir, NoGit: true}
			done := make(chan int, 1)
			go func() { done <- a.Run(ctx, tt.args) }()
			p.Prompted(tt.prompt, tt.hidden)
			cancel()
			if code := <-done; code != ExitInterrupted {
				t.Fatalf("exit %d, want 130; terminal:\n%s", code, p.Seen())
			}
			p.WaitFor(tt.want, func() bool { return strings.Contains(p.Seen(), tt.want) })
			if !p.Echo() {
				t.Error("echo left off")
			}
			if diff := cmp.Diff(e.params(), before); diff != "" {
				t.Errorf("parameters changed (-got +want):\n%s", diff)
			}
		})
	}
}

// TestWaitingOnStdin: when standard input is not a terminal and nothing
// arrives for StdinNoteAfter, set says once that it is waiting; the value
// arriving later is stored; Ctrl-C while it waits stops it at once.
func TestWaitingOnStdin(t *testing.T) {
	const note = "fnenv: waiting for the value of K1 on standard input (Ctrl-D to end, Ctrl-C to stop)\n"
	run := func(t *testing.T, e *tenv, ctx context.Context, stdin io.Reader) (chan int, *ptytest.Buffer) {
		var errb ptytest.Buffer
		a := &App{Stdin: stdin, Stderr: &errb, Getenv: func(k string) string { return e.vars[k] }, Dir: e.dir, NoGit: true}
		done := make(chan int, 1)
		go func() { done <- a.Run(ctx, []string{"secret", "set", "K1", "--branch", "main"}) }()
		return done, &errb
	}
	waitFor := func(t *testing.T, what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("waiting for %s", what)
			}
		}
	}
	t.Run("value comes later", func(t *testing.T) {
		e := newEnv(t)
		v := fake("stdin", 1)
		r, w := io.Pipe()
		done, errb := run(t, e, context.Background(), r)
		waitFor(t, "the note", func() bool { return strings.Contains(errb.String(), note) })
		io.WriteString(w, v+"\n")
		w.Close()
		if code := <-done; code != 0 {
			t.Fatalf("exit %d\n%s", code, errb)
		}
		if diff := cmp.Diff(errb.String(), note); diff != "" {
			t.Errorf("stderr (-got +want):\n%s", diff)
		}
		if diff := cmp.Diff(e.params(), map[string]string{"/amplify/testapp/main/K1": v}); diff != "" {
			t.Errorf("parameters (-got +want):\n%s", diff)
		}
	})
	t.Run("value at once", func(t *testing.T) {
		e := newEnv(t)
		v := fake("stdin", 2)
		r, w := io.Pipe()
		done, errb := run(t, e, context.Background(), r)
		io.WriteString(w, v) // the first byte is there; the pipe stays open past StdinNoteAfter
		time.Sleep(StdinNoteAfter + 500*time.Millisecond)
		w.Close()
		if code := <-done; code != 0 {
			t.Fatalf("exit %d\n%s", code, errb)
		}
		if errb.String() != "" {
			t.Errorf("stderr %q, want nothing: the value had begun to arrive", errb)
		}
	})
	t.Run("Ctrl-C while waiting", func(t *testing.T) {
		e := newEnv(t)
		r, w := io.Pipe()
		defer w.Close()
		ctx, cancel := context.WithCancel(context.Background())
		done, errb := run(t, e, ctx, r)
		io.WriteString(w, "fake-partial")
		cancel()
		select {
		case code := <-done:
			if code != ExitInterrupted {
				t.Fatalf("exit %d, want 130\n%s", code, errb)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("still waiting on standard input after the interrupt")
		}
		wantContains(t, "stderr", errb.String(), "fnenv: interrupted: nothing was written")
		if got := e.params(); len(got) != 0 {
			t.Errorf("parameters %v, want none", got)
		}
	})
}
