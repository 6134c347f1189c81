package bench

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
)

// BuildFlags are the go build flags of the binary-size benchmark, the same
// as the function construct's (GOOS=linux GOARCH=arm64 CGO_ENABLED=0).
var BuildFlags = []string{"-trimpath", "-buildvcs=false", "-tags", "lambda.norpc", "-ldflags=-s -w -buildid="}

// Binary is one handler's size.
type Binary struct {
	// Pkg is the package built, e.g. "./app/functions/charge".
	Pkg string
	// Size is the binary's size in bytes; Delta is Size minus the bare
	// handler's.
	Size, Delta int64
	// Reference marks the bare handler and the hand-written SDK handler.
	Reference bool
}

// BinarySizes builds the bare reference handler, the hand-written
// config.LoadDefaultConfig handler and every sample handler under
// app/functions of the module at root, for linux/arm64, and returns their
// sizes, the bare one first.
func BinarySizes(ctx context.Context, root string) ([]Binary, error) {
	pkgs := []string{"./internal/bench/handlers/bare", "./internal/bench/handlers/sdkconfig"}
	dirs, err := filepath.Glob(filepath.Join(root, "app", "functions", "*"))
	if err != nil {
		return nil, err
	}
	sort.Strings(dirs)
	for _, d := range dirs {
		if fi, err := os.Stat(d); err == nil && fi.IsDir() {
			pkgs = append(pkgs, "./app/functions/"+filepath.Base(d))
		}
	}
	tmp, err := os.MkdirTemp("", "fnenv-binsize-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	var out []Binary
	for i, pkg := range pkgs {
		bin := filepath.Join(tmp, fmt.Sprintf("bin%d", i))
		args := append(append([]string{"build"}, BuildFlags...), "-o", bin, pkg)
		cmd := exec.CommandContext(ctx, "go", args...)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=arm64")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("go build %s: %w: %s", pkg, err, stderr.String())
		}
		fi, err := os.Stat(bin)
		if err != nil {
			return nil, err
		}
		out = append(out, Binary{Pkg: pkg, Size: fi.Size(), Reference: i < 2})
	}
	for i := range out {
		out[i].Delta = out[i].Size - out[0].Size
	}
	return out, nil
}
