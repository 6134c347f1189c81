//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package cli

import (
	"os"

	"golang.org/x/term"
)

// hidden reads with golang.org/x/term's ReadPassword where fnenv does not
// set the terminal itself.
func hidden(f *os.File) (func() (string, error), error) {
	return func() (string, error) {
		b, err := term.ReadPassword(int(f.Fd()))
		return string(b), err
	}, nil
}
