package gobuild

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
)

// buildBatches builds the targets whose keys are not cached yet with one
// `go build` per module and build configuration (GOARCH, flags,
// environment; and per group of distinct entry names), publishing each
// binary into the cache. On an empty GOCACHE, parallel single builds would
// each compile the shared dependencies (aws-lambda-go, the AWS SDK, the
// resolver) at the same time; one invocation compiles them once and links
// the binaries in parallel. A failed batch publishes nothing: buildOne then
// builds its targets one by one, which names the function that fails. It
// returns the keys it built.
func (b *Builder) buildBatches(ctx context.Context, targets []Target, keys []string) map[string]bool {
	built := map[string]bool{}
	type item struct {
		t   Target
		key string
	}
	type conf struct{ module, arch, flags, env string }
	byConf := map[conf][][]item{} // → batches of distinct entry names
	seen := map[string]bool{}
	for i, t := range targets {
		k := keys[i]
		if seen[k] {
			continue
		}
		seen[k] = true
		if fi, err := os.Stat(filepath.Join(b.cacheDir(), k, BinaryName)); err == nil && fi.Mode().IsRegular() {
			continue
		}
		c := conf{path.Clean("./" + t.Module), t.GOARCH, fmt.Sprintf("%q", BuildFlags(t.Flags)), fmt.Sprintf("%q", t.Env)}
		batches := byConf[c]
		placed := false
		for j, batch := range batches {
			taken := false
			for _, it := range batch {
				taken = taken || path.Base(it.t.Entry) == path.Base(t.Entry)
			}
			if !taken {
				batches[j] = append(batch, item{t, k})
				placed = true
				break
			}
		}
		if !placed {
			batches = append(batches, []item{{t, k}})
		}
		byConf[c] = batches
	}
	for _, batches := range byConf {
		for _, batch := range batches {
			if len(batch) < 2 {
				continue // buildOne builds it
			}
			if err := os.MkdirAll(b.cacheDir(), 0o755); err != nil {
				return built
			}
			tmp, err := os.MkdirTemp(b.cacheDir(), ".tmp-batch-")
			if err != nil {
				return built
			}
			t := batch[0].t
			args := append([]string{"build"}, BuildFlags(t.Flags)...)
			args = append(args, "-o", tmp+string(filepath.Separator))
			for _, it := range batch {
				args = append(args, it.t.pkg())
			}
			cmd := exec.CommandContext(ctx, b.goCmd(), args...)
			cmd.Dir = b.dir(t)
			cmd.Env = buildEnv(t.GOARCH, t.Env)
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Run(); err == nil {
				for _, it := range batch {
					built[it.key] = b.publish(filepath.Join(tmp, path.Base(it.t.Entry)), it.key)
				}
			}
			os.RemoveAll(tmp)
		}
	}
	return built
}

// publish moves a built binary into the cache under key, atomically: a
// reader sees no directory or a complete one. Failing leaves the key
// uncached, for buildOne.
func (b *Builder) publish(bin, key string) bool {
	dir := filepath.Join(b.cacheDir(), key)
	tmp, err := os.MkdirTemp(b.cacheDir(), ".tmp-"+key[:12]+"-")
	if err != nil {
		return false
	}
	defer os.RemoveAll(tmp)
	if os.Rename(bin, filepath.Join(tmp, BinaryName)) != nil || os.Chmod(tmp, 0o755) != nil {
		return false
	}
	return os.Rename(tmp, dir) == nil
}
