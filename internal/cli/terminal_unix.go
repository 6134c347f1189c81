//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package cli

import (
	"os"

	"golang.org/x/sys/unix"
)

// hidden turns echo off on f — the settings of golang.org/x/term's
// ReadPassword: canonical mode and signals on, CR read as NL — and returns
// the read of one line. The caller restores the terminal.
func hidden(f *os.File) (func() (string, error), error) {
	fd := int(f.Fd())
	tio, err := unix.IoctlGetTermios(fd, ioctlGetTermios)
	if err != nil {
		return nil, err
	}
	tio.Lflag &^= unix.ECHO
	tio.Lflag |= unix.ICANON | unix.ISIG
	tio.Iflag |= unix.ICRNL
	if err := unix.IoctlSetTermios(fd, ioctlSetTermios, tio); err != nil {
		return nil, err
	}
	return func() (string, error) { return readLine(f) }, nil
}
