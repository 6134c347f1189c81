// Command demo is `make demo`: the sample app deployed for two branches side
// by side to a local AWS (moto), each function run and shown resolving its
// branch's secrets, masked. Set DEMO_VERBOSE=1 to see every command's output.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/fnenv/fnenv/internal/demo"
)

func main() { os.Exit(run()) }

func run() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, 15*time.Minute)
	defer cancel()
	root, err := os.Getwd()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	o := demo.Options{Root: root, Out: os.Stdout}
	if os.Getenv("DEMO_VERBOSE") != "" {
		o.Log = os.Stderr
	}
	start := time.Now()
	if _, err := demo.Run(ctx, o); err != nil {
		fmt.Fprintf(os.Stderr, "\ndemo failed: %v\n", err)
		return 1
	}
	fmt.Printf("\nthe demo took %s\n", time.Since(start).Round(time.Second))
	return 0
}
