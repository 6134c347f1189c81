package bench

import (
	"fmt"
	"slices"
	"sync"
	"testing"
)

// harness lets a program use the test helpers that take a testing.TB
// (ssmproxy.New): it records cleanups, run by Close in reverse order, and
// turns a fatal error into a panic that run recovers.
type harness struct {
	testing.TB // nil: only the methods below are called
	mu         sync.Mutex
	cleanups   []func()
}

type fatal struct{ msg string }

func (h *harness) Helper()                   {}
func (h *harness) Name() string              { return "bench" }
func (h *harness) Logf(string, ...any)       {}
func (h *harness) Fatal(args ...any)         { panic(fatal{fmt.Sprint(args...)}) }
func (h *harness) Fatalf(f string, a ...any) { panic(fatal{fmt.Sprintf(f, a...)}) }
func (h *harness) Cleanup(f func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.cleanups = append(h.cleanups, f)
}

// Close runs the cleanups, last registered first.
func (h *harness) Close() {
	h.mu.Lock()
	cs := slices.Clone(h.cleanups)
	h.cleanups = nil
	h.mu.Unlock()
	for i := len(cs) - 1; i >= 0; i-- {
		cs[i]()
	}
}

// run calls f with a harness closed after it; a Fatal in a helper becomes
// an error.
func run(f func(h *harness) error) (err error) {
	h := &harness{}
	defer h.Close()
	defer func() {
		if r := recover(); r != nil {
			if ft, ok := r.(fatal); ok {
				err = fmt.Errorf("%s", ft.msg)
				return
			}
			panic(r)
		}
	}()
	return f(h)
}
