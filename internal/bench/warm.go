package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// GoBench is one line of `go test -bench` output.
type GoBench struct {
	Name                             string
	Iterations                       string
	NsPerOp, BytesPerOp, AllocsPerOp string
}

// ResolverBenchCommand is the command ResolverBenchmarks runs.
const ResolverBenchCommand = "go test -run '^$' -bench . -benchmem ./resolver"

// ResolverBenchmarks runs the resolver package's Go benchmarks (the warm
// path among them) and returns their results and the raw output.
func ResolverBenchmarks(ctx context.Context, root string) ([]GoBench, string, error) {
	cmd := exec.CommandContext(ctx, "go", "test", "-count=1", "-run", "^$", "-bench", ".", "-benchmem", "./resolver")
	cmd.Dir = root
	cmd.Env = os.Environ()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return nil, out.String(), fmt.Errorf("%s: %w\n%s", ResolverBenchCommand, err, out.String())
	}
	return parseGoBench(out.String()), out.String(), nil
}

// parseGoBench reads the result lines of `go test -bench -benchmem` output.
func parseGoBench(out string) []GoBench {
	var res []GoBench
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 8 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		// Benchmark-N  iters  X ns/op  Y B/op  Z allocs/op
		res = append(res, GoBench{Name: f[0], Iterations: f[1], NsPerOp: f[2], BytesPerOp: f[4], AllocsPerOp: f[6]})
	}
	return res
}
