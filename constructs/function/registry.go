package function

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3assets"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/fnenv/fnenv/constructs/backend"
	"github.com/fnenv/fnenv/constructs/function/internal/gobuild"
	"github.com/fnenv/fnenv/internal/srctree"
	"github.com/fnenv/fnenv/model"
)

// registry holds the functions of one stage (an App, or a Stage in it:
// each synthesizes on its own). It is a construct, the stage's child
// registryID, so that the state of an app lives in its construct tree and
// goes with it. Its aspect builds the functions, in parallel, when the
// stage synthesizes.
type registry struct {
	constructs.Construct
	moduleRoot string
	rootErr    error
	fns        []*function
	built      bool
	codegen    bool
}

// registryID is the id of the registry under its stage.
const registryID = "FnenvBuild"

// ToString overrides Construct.toString with the same result: jsii hands
// the Go value back from TryFindChild only for a subclass.
func (r *registry) ToString() *string { return r.Node().Path() }

// registryOf returns the registry of the stage holding scope, creating it
// and adding its aspect on first use.
func registryOf(scope constructs.IConstruct) *registry {
	var stage constructs.IConstruct
	if st := awscdk.Stage_Of(scope); st != nil {
		stage = st
	} else {
		stage = scope.Node().Root()
	}
	if c := stage.Node().TryFindChild(jsii.String(registryID)); c != nil {
		if r, ok := c.(*registry); ok {
			return r
		}
		panic(fmt.Sprintf("fnenv: %s is not fnenv's registry: the id %s is fnenv's", *c.Node().Path(), registryID))
	}
	parent, ok := stage.(constructs.Construct)
	if !ok {
		panic(fmt.Sprintf("fnenv: the root of %s is not a construct", *scope.Node().Path()))
	}
	r := &registry{}
	constructs.NewConstruct_Override(r, parent, jsii.String(registryID))
	wd, err := os.Getwd()
	if err == nil {
		r.moduleRoot, err = srctree.ModuleRoot(wd)
	}
	r.rootErr = err
	r.codegen = backend.Context(stage).CodegenOn()
	// The aspect sits on the registry, a leaf, so that it is called once
	// rather than for every construct of the app (each call crosses jsii).
	awscdk.Aspects_Of(r).Add(&buildAspect{r}, nil)
	r.Node().AddValidation(newSecretsCheck(stage, r))
	r.Node().AddValidation(&vpcCheck{r: r})
	return r
}

func (r *registry) add(f *function) { r.fns = append(r.fns, f) }

func (r *registry) codegenEnabled() bool { return r.codegen && r.rootErr == nil }

// duplicates reports other functions of the stage with f's name, or with
// f's entry but another spec (their env packages would overwrite each other).
func (r *registry) duplicates(f *function) []error {
	var sameName, sameEntry []string
	for _, g := range r.fns {
		if g == f {
			continue
		}
		if g.decl.Name == f.decl.Name && f.decl.Name != "" {
			sameName = append(sameName, *g.Node().Path())
		}
		if g.decl.Entry == f.decl.Entry && f.decl.Entry != "" && !g.decl.SamePackage(f.decl) {
			sameEntry = append(sameEntry, *g.Node().Path())
		}
	}
	var probs []error
	if len(sameName) > 0 {
		sort.Strings(sameName)
		probs = append(probs, &model.Problem{Function: f.decl.Name, Subject: "name",
			Rule: fmt.Sprintf("is also the name of %s: a name must be unique in the app (it names the env package and the secrets check)", strings.Join(sameName, ", "))})
	}
	if len(sameEntry) > 0 {
		sort.Strings(sameEntry)
		probs = append(probs, &model.Problem{Function: f.decl.Name, Subject: "entry",
			Rule: fmt.Sprintf("%s is also the entry of %s with another name or other variables: each function's env package, which names the function, is generated in its entry, so give each its own", f.decl.Entry, strings.Join(sameEntry, ", "))})
	}
	return probs
}

// buildAspect builds every function of the stage on its first visit, then
// gives each its asset.
type buildAspect struct{ r *registry }

func (a *buildAspect) Visit(node constructs.IConstruct) {
	r := a.r
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
		targets = append(targets, gobuild.Target{Name: f.decl.Name, Entry: f.decl.Entry, Module: f.module, GOARCH: f.goarch,
			Flags: f.bundling.GoBuildFlags, Env: envList(f.bundling.Environment)})
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
					f.buildErr = &model.Problem{Function: f.decl.Name, Subject: "build", Rule: res.Err.Error()}
				}
				placeholder[f] = true
				continue
			}
			dirs[f] = res.Dir
		}
	}
	var phDir string
	if len(placeholder) > 0 {
		dir, err := gobuild.Placeholder()
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
		f.asset.AddResourceMetadata(f.Node().DefaultChild().(awscdk.CfnResource), jsii.String("Code"))
	}
}

// envList returns env as sorted KEY=value pairs.
func envList(env map[string]string) []string {
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}
