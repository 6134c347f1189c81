package function

import (
	"context"
	"errors"
	"fmt"
	"go/build"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3assets"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/fnenv/fnenv/constructs/function/internal/gobuild"
	"github.com/fnenv/fnenv/identity"
	"github.com/fnenv/fnenv/spec"
)

// registry holds the functions of one stage (an App, or a Stage in it:
// each synthesizes on its own). Its aspect builds them all, in parallel,
// when the stage synthesizes.
type registry struct {
	scope      constructs.IConstruct
	moduleRoot string
	rootErr    error
	fns        []*function
	built      bool
	codegen    bool
}

var (
	registriesMu sync.Mutex
	registries   = map[constructs.IConstruct]*registry{}
)

// registryOf returns the registry of the stage holding scope, creating it
// and adding its aspect on first use.
func registryOf(scope constructs.IConstruct) *registry {
	var key constructs.IConstruct
	if st := awscdk.Stage_Of(scope); st != nil {
		key = st
	} else {
		key = scope.Node().Root()
	}
	registriesMu.Lock()
	defer registriesMu.Unlock()
	if r, ok := registries[key]; ok {
		return r
	}
	r := &registry{scope: key, codegen: true}
	wd, err := os.Getwd()
	if err == nil {
		r.moduleRoot, err = gobuild.ModuleRoot(wd)
	}
	r.rootErr = err
	switch v := key.Node().TryGetContext(jsii.String(identity.ContextCodegen)).(type) {
	case bool:
		r.codegen = v
	case string:
		r.codegen = v != "false"
	}
	// The aspect sits on a leaf of its own, so that it is called once
	// rather than for every construct of the app (each call crosses jsii).
	var target constructs.IConstruct = key
	if c, ok := key.(constructs.Construct); ok {
		target = constructs.NewConstruct(c, jsii.String("FnenvBuild"))
	}
	awscdk.Aspects_Of(target).Add(r, nil)
	addSecretsCheck(target, r)
	registries[key] = r
	return r
}

func (r *registry) add(f *function) { r.fns = append(r.fns, f) }

func (r *registry) codegenEnabled() bool { return r.codegen && r.rootErr == nil }

// checkEntry reports an entry that is missing or not a Go main package.
func (r *registry) checkEntry(fn spec.Function) error {
	problem := func(format string, args ...any) error {
		return &spec.Problem{Function: fn.Name, Subject: "entry", Rule: fmt.Sprintf(format, args...)}
	}
	if r.rootErr != nil {
		return problem("%v", r.rootErr)
	}
	if fn.Entry == "" || filepath.IsAbs(fn.Entry) || strings.HasPrefix(filepath.Clean(fn.Entry), "..") {
		return nil // spec.Validate reports it
	}
	dir := filepath.Join(r.moduleRoot, filepath.FromSlash(fn.Entry))
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return problem("directory %s does not exist (Entry is relative to the module root %s)", fn.Entry, r.moduleRoot)
	}
	ctx := build.Default
	ctx.GOOS, ctx.CgoEnabled, ctx.BuildTags = "linux", false, []string{"lambda.norpc"}
	pkg, err := ctx.ImportDir(dir, 0)
	var noGo *build.NoGoError
	switch {
	case errors.As(err, &noGo):
		return problem("%s holds no Go files: Entry must be the handler's main package", fn.Entry)
	case err != nil:
		return problem("%s: %v", fn.Entry, err)
	case pkg.Name != "main":
		return problem("%s is package %s, not a main package: Entry must be the handler's main package", fn.Entry, pkg.Name)
	}
	return nil
}

// duplicates reports other functions of the stage with f's name, or with
// f's entry but another spec (their env packages would overwrite each other).
func (r *registry) duplicates(f *function) []error {
	var sameName, sameEntry []string
	for _, g := range r.fns {
		if g == f {
			continue
		}
		if g.spec.Name == f.spec.Name && f.spec.Name != "" {
			sameName = append(sameName, *g.Node().Path())
		}
		if g.spec.Entry == f.spec.Entry && f.spec.Entry != "" && !g.spec.SamePackage(f.spec) {
			sameEntry = append(sameEntry, *g.Node().Path())
		}
	}
	var probs []error
	if len(sameName) > 0 {
		sort.Strings(sameName)
		probs = append(probs, &spec.Problem{Function: f.spec.Name, Subject: "name",
			Rule: fmt.Sprintf("is also the name of %s: a name must be unique in the app (it names the env package and the secrets check)", strings.Join(sameName, ", "))})
	}
	if len(sameEntry) > 0 {
		sort.Strings(sameEntry)
		probs = append(probs, &spec.Problem{Function: f.spec.Name, Subject: "entry",
			Rule: fmt.Sprintf("%s is also the entry of %s with another name or other variables: each function's env package, which names the function, is generated in its entry, so give each its own", f.spec.Entry, strings.Join(sameEntry, ", "))})
	}
	return probs
}

// Visit builds every function of the stage on the aspect's first visit,
// then gives each its asset.
func (r *registry) Visit(node constructs.IConstruct) {
	if r.built {
		return
	}
	r.built = true
	r.build()
}

func (r *registry) build() {
	var targets []gobuild.Target
	var toBuild []*function
	placeholder := map[*function]bool{}
	for _, f := range r.fns {
		if len(f.problems) > 0 || len(r.duplicates(f)) > 0 || !*awscdk.Stack_Of(f).BundlingRequired() {
			placeholder[f] = true
			continue
		}
		targets = append(targets, gobuild.Target{Name: f.spec.Name, Entry: f.spec.Entry, GOARCH: f.goarch})
		toBuild = append(toBuild, f)
	}
	dirs := map[*function]string{}
	if len(targets) > 0 {
		b := &gobuild.Builder{ModuleRoot: r.moduleRoot}
		for i, res := range b.Build(context.Background(), targets) {
			f := toBuild[i]
			if res.Err != nil {
				f.buildErr = res.Err
				if !errors.As(res.Err, new(*gobuild.CompileError)) {
					f.buildErr = &spec.Problem{Function: f.spec.Name, Subject: "build", Rule: res.Err.Error()}
				}
				placeholder[f] = true
				continue
			}
			dirs[f] = res.Dir
		}
	}
	var phDir string
	if len(placeholder) > 0 {
		dir, err := gobuild.Placeholder(r.moduleRoot)
		if err != nil {
			dir = os.TempDir()
		}
		phDir = dir
	}
	for _, f := range r.fns {
		dir := dirs[f]
		if placeholder[f] {
			dir = phDir
		}
		f.asset = awss3assets.NewAsset(f, jsii.String("Code"), &awss3assets.AssetProps{
			Path:       jsii.String(dir),
			DeployTime: jsii.Bool(true),
		})
		// SAM and other tools find the code of the function here.
		f.asset.AddResourceMetadata(f.lambda.Node().DefaultChild().(awscdk.CfnResource), jsii.String("Code"))
	}
}
