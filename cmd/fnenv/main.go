// Command fnenv manages the secrets of an fnenv app in SSM Parameter Store
// (per branch and shared), checks a synthesized cloud assembly against them
// before a deploy, and regenerates the typed env packages.
//
// Run `fnenv --help`; package internal/cli holds the commands.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/tools/go/analysis/unitchecker"

	"github.com/fnenv/fnenv/internal/cli"
	"github.com/fnenv/fnenv/internal/vet"
)

func main() {
	// go vet -vettool=$(which fnenv): go vet runs the tool once per package
	// with its own protocol, which unitchecker speaks (and exits).
	if cli.IsVetTool(os.Args[1:]) {
		unitchecker.Main(vet.Analyzer)
	}
	os.Exit(run())
}

func run() int {
	// The first Ctrl-C cancels the command, which stops at once and reports
	// what it did; a second one ends the process.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() { <-ctx.Done(); stop() }()
	return newApp().Run(ctx, os.Args[1:])
}

// newApp is the command on the process's streams and terminal.
func newApp() *cli.App {
	return &cli.App{
		Stdin:  os.Stdin,
		Stdout: os.Stdout,
		Stderr: os.Stderr,
		Term:   cli.TTY{In: os.Stdin, Out: os.Stderr},
	}
}
