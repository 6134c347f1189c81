// Package gobuild compiles Lambda handlers (Go main packages) into
// "bootstrap" binaries for the provided.al2023 runtime, many at once and
// through a content-addressed cache, without jsii: the construct calls it
// at synth, tests call it directly.
//
// A binary is reproducible: the same source, Go version and flags give the
// same bytes, so the asset CDK hashes from it is the same on every branch.
package gobuild

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/fnenv/fnenv/internal/srctree"
)

// Flags are the go build flags of every handler (PRODUCT.md "Build").
var Flags = BuildFlags(nil)

// BuildFlags returns fnenv's go build flags with a target's own flags
// added after them. A -tags or -ldflags of extra (written "-tags=a,b" or
// "-tags", "a,b") is merged with fnenv's (lambda.norpc; -s -w -buildid=),
// since the go command keeps only the last of each.
func BuildFlags(extra []string) []string {
	tags, ldflags, rest := srctree.MergeBuildFlags([]string{"lambda.norpc"}, "-s -w -buildid=", extra)
	return append([]string{"-trimpath", "-buildvcs=false", "-tags", strings.Join(tags, ","), "-ldflags=" + ldflags}, rest...)
}

// CheckOptions reports flags and environment variables a target may not
// set: -o and -C (fnenv chooses the output and the directory), and
// GOOS, GOARCH, CGO_ENABLED and GOTOOLCHAIN, which fnenv sets for Lambda.
func CheckOptions(flags []string, env map[string]string) error {
	var errs []error
	for _, f := range flags {
		name, _, _ := strings.Cut(strings.TrimLeft(f, "-"), "=")
		if strings.HasPrefix(f, "-") && (name == "o" || name == "C") {
			errs = append(errs, fmt.Errorf("GoBuildFlags: %s is set by fnenv (the binary goes to the asset, built in the handler's module)", f))
		}
	}
	var keys []string
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch k {
		case "GOOS", "GOARCH", "CGO_ENABLED", "GOTOOLCHAIN":
			errs = append(errs, fmt.Errorf("Bundling.Environment: %s is set by fnenv (GOOS=linux, GOARCH from Architecture, CGO_ENABLED=0, GOTOOLCHAIN=local)", k))
		}
	}
	return errors.Join(errs...)
}

// BinaryName is the file the provided.al2023 runtime runs.
const BinaryName = "bootstrap"

// Target is one handler to build.
type Target struct {
	// Name names the function in error messages.
	Name string
	// Entry is the handler's main package, relative to the module root,
	// slash-separated, e.g. "app/functions/charge".
	Entry string
	// Module is the directory of the handler's go.mod, relative to the
	// module root and slash-separated: "" or "." for the module root's
	// own, "workers" for a nested module. The go command runs there.
	Module string
	// GOARCH is "arm64" or "amd64".
	GOARCH string
	// Flags are go build flags added to fnenv's (see BuildFlags).
	Flags []string
	// Env holds KEY=value pairs for the go command (GOPRIVATE, GOPROXY…).
	Env []string
}

// dir is the absolute directory the go command runs in for t.
func (b *Builder) dir(t Target) string {
	return filepath.Join(b.ModuleRoot, filepath.FromSlash(t.Module))
}

// pkg is t's main package as the go command, run in b.dir(t), names it.
func (t Target) pkg() string {
	mod := path.Clean("./" + t.Module)
	rel := strings.TrimPrefix(strings.TrimPrefix(t.Entry, mod), "/")
	if mod == "." {
		rel = t.Entry
	}
	if rel == "" {
		return "."
	}
	return "./" + rel
}

// Result is the outcome of building one Target.
type Result struct {
	// Dir holds exactly one file, BinaryName; it is inside the cache, so do
	// not write to it.
	Dir string
	// Key is the cache key: a hash of everything that goes into the binary.
	Key string
	// Cached is true when the binary came from the cache without a build.
	Cached bool
	// Err is a *CompileError when go build failed, another error otherwise.
	Err error
}

// CompileError is a failed go build of a function's entry.
type CompileError struct {
	Name, Entry string
	// Output is what the compiler printed.
	Output string
}

func (e *CompileError) Error() string {
	return fmt.Sprintf("function %q: build: go build ./%s failed:\n%s", e.Name, e.Entry, strings.TrimRight(e.Output, "\n"))
}

// Builder builds handlers of one Go module.
type Builder struct {
	// ModuleRoot is the directory holding go.mod.
	ModuleRoot string
	// CacheDir holds built binaries as <CacheDir>/<key>/bootstrap.
	// Default: <ModuleRoot>/.fnenv/build.
	CacheDir string
	// Jobs bounds the builds that run at once. Default: GOMAXPROCS.
	Jobs int
	// Go is the go command. Default: "go".
	Go string
	// KeepUnused is how long a cached binary no build has used is kept;
	// Build removes older ones, so the cache does not grow with every
	// change of source. Default: DefaultKeepUnused.
	KeepUnused time.Duration
}

// DefaultKeepUnused is how long an unused cached binary is kept: long enough
// for another branch's checkout to find its binaries again.
const DefaultKeepUnused = 7 * 24 * time.Hour

func (b *Builder) goCmd() string {
	if b.Go != "" {
		return b.Go
	}
	return "go"
}

func (b *Builder) cacheDir() string {
	if b.CacheDir != "" {
		return b.CacheDir
	}
	return filepath.Join(b.ModuleRoot, ".fnenv", "build")
}

// Build builds every target and returns one Result per target in the order
// given. A target whose key is in the cache is not built again; the others
// are built with one `go build` per module and configuration
// (buildBatches), else — to name the function that fails to compile — one
// by one, at most Jobs at once.
func (b *Builder) Build(ctx context.Context, targets []Target) []Result {
	results := make([]Result, len(targets))
	keys, err := b.Keys(ctx, targets)
	if err != nil {
		for i := range results {
			results[i].Err = err
		}
		return results
	}
	built := b.buildBatches(ctx, targets, keys)
	jobs := b.Jobs
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	// Two functions may share a key (same entry and arch): build it once.
	var mu sync.Mutex
	once := map[string]*sync.Once{}
	done := map[string]Result{}
	var g errgroup.Group
	g.SetLimit(jobs)
	for i, t := range targets {
		key := keys[i]
		mu.Lock()
		o, ok := once[key]
		if !ok {
			o = &sync.Once{}
			once[key] = o
		}
		mu.Unlock()
		g.Go(func() error {
			o.Do(func() {
				r := Result{Dir: filepath.Join(b.cacheDir(), key), Key: key}
				if !built[key] {
					r = b.buildOne(ctx, t, key)
				}
				mu.Lock()
				done[key] = r
				mu.Unlock()
			})
			mu.Lock()
			r := done[key]
			mu.Unlock()
			if ce := (*CompileError)(nil); errors.As(r.Err, &ce) && ce.Name != t.Name {
				r.Err = &CompileError{Name: t.Name, Entry: t.Entry, Output: ce.Output}
			}
			results[i] = r
			return nil
		})
	}
	g.Wait()
	b.prune(keys)
	return results
}

// prune removes cache entries unused for KeepUnused, and temporary
// directories a killed build left behind, sparing the keys just used.
// Failing to prune fails no build.
func (b *Builder) prune(used []string) {
	keep := b.KeepUnused
	if keep <= 0 {
		keep = DefaultKeepUnused
	}
	inUse := map[string]bool{}
	for _, k := range used {
		inUse[k] = true
	}
	entries, err := os.ReadDir(b.cacheDir())
	if err != nil {
		return
	}
	now := time.Now()
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || !e.IsDir() || inUse[e.Name()] {
			continue
		}
		age := now.Sub(info.ModTime())
		if strings.HasPrefix(e.Name(), ".tmp-") && age > time.Hour || age > keep {
			os.RemoveAll(filepath.Join(b.cacheDir(), e.Name()))
		}
	}
}

func (b *Builder) buildOne(ctx context.Context, t Target, key string) Result {
	dir := filepath.Join(b.cacheDir(), key)
	if fi, err := os.Stat(filepath.Join(dir, BinaryName)); err == nil && fi.Mode().IsRegular() {
		now := time.Now()
		_ = os.Chtimes(dir, now, now) // used: prune keeps it
		return Result{Dir: dir, Key: key, Cached: true}
	}
	if err := os.MkdirAll(b.cacheDir(), 0o755); err != nil {
		return Result{Key: key, Err: err}
	}
	tmp, err := os.MkdirTemp(b.cacheDir(), ".tmp-"+key[:12]+"-")
	if err != nil {
		return Result{Key: key, Err: err}
	}
	defer os.RemoveAll(tmp)
	args := append([]string{"build"}, BuildFlags(t.Flags)...)
	args = append(args, "-o", filepath.Join(tmp, BinaryName), t.pkg())
	cmd := exec.CommandContext(ctx, b.goCmd(), args...)
	cmd.Dir = b.dir(t)
	cmd.Env = buildEnv(t.GOARCH, t.Env)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		if out.Len() == 0 {
			out.WriteString(err.Error())
		}
		return Result{Key: key, Err: &CompileError{Name: t.Name, Entry: t.Entry, Output: out.String() + moduleHint(out.String(), cmd.Dir)}}
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return Result{Key: key, Err: err}
	}
	// Publish atomically: a reader sees no directory or a complete one.
	if err := os.Rename(tmp, dir); err != nil {
		if _, serr := os.Stat(filepath.Join(dir, BinaryName)); serr != nil {
			return Result{Key: key, Err: fmt.Errorf("function %q: build: %w", t.Name, err)}
		}
	}
	return Result{Dir: dir, Key: key}
}

// moduleHint names the command that completes the handler's module when
// the go command says go.mod or go.sum lacks something: what happens when
// a handler first imports its env package (which imports fnenv's resolver)
// in a module that never required fnenv.
func moduleHint(output, dir string) string {
	for _, s := range []string{"updates to go.mod needed", "missing go.sum entry", "no required module provides package", "cannot find module providing package", "is replaced but not required"} {
		if strings.Contains(output, s) {
			return fmt.Sprintf("\nfnenv: the handler's Go module is not complete (its env package imports github.com/fnenv/fnenv/resolver): run\n\tcd %s && go mod tidy\nthen synth again", dir)
		}
	}
	return ""
}

// buildEnv is the go command's environment: the process's, then a
// target's own, then fnenv's. CGO stays off: a static binary runs on
// provided.al2023 whatever libc the build machine has, cross-compiles to
// arm64 without a C toolchain and is the same bytes on every machine.
func buildEnv(goarch string, extra []string) []string {
	env := append(os.Environ(), extra...)
	return append(env, "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+goarch, "GOTOOLCHAIN=local")
}

// listed is what `go list -json` says of a package, the fields the key needs.
type listed struct {
	ImportPath string
	Dir        string
	Name       string
	Standard   bool
	Module     *struct {
		Path, Version string
		Main          bool
		Replace       *struct{ Path, Version, Dir string }
	}
	GoFiles, CgoFiles, SFiles, HFiles, SysoFiles, EmbedFiles []string
	Deps                                                     []string
}

var listFields = "ImportPath,Dir,Name,Standard,Module,GoFiles,CgoFiles,SFiles,HFiles,SysoFiles,EmbedFiles,Deps"

// Keys returns the cache key of each target: a hash of the Go version and
// settings, GOARCH, the flags and environment, the handler module's go.mod
// and go.sum (and go.work, go.work.sum when a workspace is in use), and,
// for every package in the entry's dependency closure, the files of
// main-module (and locally replaced) packages or module@version of the
// others. It runs one `go env` and one `go list -deps` per module and
// build configuration, for all its targets.
func (b *Builder) Keys(ctx context.Context, targets []Target) ([]string, error) {
	type group struct {
		t   Target // the first target of the group: module, arch, flags, env
		idx []int
	}
	var groups []*group
	byConf := map[string]*group{}
	for i, t := range targets {
		conf := fmt.Sprintf("%q %q %q %q", path.Clean("./"+t.Module), t.GOARCH, BuildFlags(t.Flags), t.Env)
		g, ok := byConf[conf]
		if !ok {
			g = &group{t: t}
			byConf[conf] = g
			groups = append(groups, g)
		}
		g.idx = append(g.idx, i)
	}
	keys := make([]string, len(targets))
	fileHash := map[string]string{} // per file, shared across groups
	for _, g := range groups {
		flags := BuildFlags(g.t.Flags)
		base := sha256.New()
		goenv, err := b.output(ctx, g.t, "env", "GOVERSION", "GOFLAGS", "GOEXPERIMENT", "GOAMD64", "GOARM64", "GOWORK")
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(base, "goenv %q\nflags %q\nenv %q\narch %s\n", goenv, flags, g.t.Env, g.t.GOARCH)
		files := []string{filepath.Join(b.dir(g.t), "go.mod"), filepath.Join(b.dir(g.t), "go.sum")}
		if lines := strings.Split(strings.TrimSpace(goenv), "\n"); len(lines) > 0 {
			if w := lines[len(lines)-1]; w != "" && w != "off" && filepath.IsAbs(w) {
				files = append(files, w, w+".sum")
			}
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil && !errors.Is(err, os.ErrNotExist) {
				return nil, err
			}
			fmt.Fprintf(base, "%s %x\n", filepath.Base(f), sha256.Sum256(data))
		}
		baseSum := base.Sum(nil)

		args := append([]string{"list", "-e", "-deps"}, flags...)
		args = append(args, "-json="+listFields)
		seen := map[string]bool{}
		for _, i := range g.idx {
			if p := targets[i].pkg(); !seen[p] {
				seen[p] = true
				args = append(args, p)
			}
		}
		out, err := b.output(ctx, g.t, args...)
		if err != nil {
			return nil, err
		}
		pkgs := map[string]*listed{}
		byDir := map[string]*listed{}
		dec := json.NewDecoder(strings.NewReader(out))
		for {
			var p listed
			if err := dec.Decode(&p); err == io.EOF {
				break
			} else if err != nil {
				return nil, fmt.Errorf("go list: %w", err)
			}
			pkgs[p.ImportPath] = &p
			byDir[filepath.Clean(p.Dir)] = &p
		}
		pkgSums := map[string]string{}
		for _, i := range g.idx {
			t := targets[i]
			root := byDir[filepath.Join(b.ModuleRoot, filepath.FromSlash(t.Entry))]
			h := sha256.New()
			h.Write(baseSum)
			fmt.Fprintf(h, "entry %s\n", t.Entry)
			if root == nil {
				// go list found nothing there: the build will say why.
				fmt.Fprintf(h, "unlisted\n")
			} else {
				closure := append([]string{root.ImportPath}, root.Deps...)
				sort.Strings(closure)
				for _, ip := range closure {
					s, ok := pkgSums[ip]
					if !ok {
						s, err = packageSum(pkgs[ip], ip, fileHash)
						if err != nil {
							return nil, err
						}
						pkgSums[ip] = s
					}
					fmt.Fprintf(h, "pkg %s %s\n", ip, s)
				}
			}
			keys[i] = hex.EncodeToString(h.Sum(nil))[:32]
		}
	}
	return keys, nil
}

func packageSum(p *listed, ip string, fileHash map[string]string) (string, error) {
	switch {
	case p == nil:
		return "missing", nil
	case p.Standard:
		return "std", nil // the Go version covers it
	case p.Module != nil && !p.Module.Main && (p.Module.Replace == nil || p.Module.Replace.Version != ""):
		s := p.Module.Path + "@" + p.Module.Version
		if r := p.Module.Replace; r != nil {
			s += "=>" + r.Path + "@" + r.Version
		}
		return s, nil
	}
	// Main module, a local replacement or no module: hash the files.
	var names []string
	for _, list := range [][]string{p.GoFiles, p.CgoFiles, p.SFiles, p.HFiles, p.SysoFiles, p.EmbedFiles} {
		names = append(names, list...)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		file := filepath.Join(p.Dir, filepath.FromSlash(n))
		s, ok := fileHash[file]
		if !ok {
			data, err := os.ReadFile(file)
			if err != nil {
				return "", fmt.Errorf("hash %s: %w", path.Join(ip, n), err)
			}
			s = fmt.Sprintf("%x", sha256.Sum256(data))
			fileHash[file] = s
		}
		fmt.Fprintf(h, "%s %s\n", n, s)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// output runs the go command for t's module and environment.
func (b *Builder) output(ctx context.Context, t Target, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, b.goCmd(), args...)
	cmd.Dir = b.dir(t)
	cmd.Env = buildEnv(t.GOARCH, t.Env)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go %s: %w: %s", args[0], err, strings.TrimSpace(stderr.String()))
	}
	return string(out), nil
}

// Placeholder returns a directory holding a stand-in bootstrap, the asset of
// functions whose stack CDK does not bundle (context aws:cdk:bundling-stacks,
// as for `cdk deploy OtherStack` or unit tests). It lives in the user's
// cache directory (else the temporary one), never in the source tree.
func Placeholder() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	dir := filepath.Join(base, "fnenv", "placeholder")
	file := filepath.Join(dir, BinaryName)
	want := []byte("#!/bin/sh\necho 'fnenv: this stack was synthesized without bundling; synth it again to deploy it' >&2\nexit 1\n")
	if got, err := os.ReadFile(file); err == nil && bytes.Equal(got, want) {
		return dir, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	tmp := file + "." + randHex()
	if err := os.WriteFile(tmp, want, 0o755); err != nil {
		return "", err
	}
	return dir, os.Rename(tmp, file)
}

func randHex() string {
	var b [6]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
