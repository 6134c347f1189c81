// Package function is the fnenv Lambda function construct: a Go handler
// compiled at synth, an environment mixing literal values and secrets kept
// in SSM Parameter Store under a per-branch path with a shared fallback,
// grants on exactly the parameters it references, and a typed env package
// generated at <Entry>/env.
//
//	fn := function.New(stack, "SayHello", &function.Props{
//		FunctionOptions: awslambda.FunctionOptions{ // every option of awslambda.Function
//			MemorySize: jsii.Number(256),
//			Tracing:    awslambda.Tracing_ACTIVE,
//		},
//		Name:  "say-hello",
//		Entry: "app/functions/say-hello",
//		Environment: map[string]function.Value{
//			"NAME":    function.Literal("World"),
//			"API_KEY": function.Secret("MY_API_KEY"),
//		},
//	})
//	table.GrantReadData(fn) // fn is an awslambda.Function
//
// Problems with a function (its name, keys, secrets, entry, the 4 KB limit
// of Lambda's environment, a compile error) do not panic: they are reported
// when the app synthesizes, every function's problems together.
package function

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3assets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/fnenv/fnenv/codegen"
	"github.com/fnenv/fnenv/constructs/backend"
	"github.com/fnenv/fnenv/constructs/function/internal/gobuild"
	"github.com/fnenv/fnenv/internal/srctree"
	"github.com/fnenv/fnenv/model"
)

// Value is the value of one environment variable: a Literal, a Secret or
// a SecretsManager reference. The zero Value is invalid and reported at
// synth.
type Value struct {
	kind   model.Kind
	s      string
	typ    Type                      // see As
	secret awssecretsmanager.ISecret // for SecretsManager
	key    awskms.IKey               // see DecryptWith
}

// Literal is a value set at synth and stored as is in the function's
// configuration. It may hold a CDK token (a resource attribute).
func Literal(value string) Value { return Value{kind: model.Literal, s: value} }

// Secret references a secret kept in SSM Parameter Store as a
// SecureString, resolved by the handler at cold start into a secret field;
// only parameter names reach the function's configuration. It takes three
// forms (model.ParseRef tells them apart):
//
//   - a name, e.g. "STRIPE_KEY" ([a-zA-Z0-9_.-]+, no '/'): the branch's
//     parameter /amplify/<appId>/<branch>/<name>, else the one shared by
//     every branch, /amplify/shared/<appId>/<name>; the function may read
//     both;
//   - a full path, e.g. "/legacy/db/password" (starting with '/'): exactly
//     that existing parameter, in the stack's account and region, with no
//     branch or shared fallback;
//   - an ARN, arn:<partition>:ssm:<region>:<account>:parameter/<name>:
//     exactly that parameter, in the region and account it names — another
//     account's parameter shared with this one through AWS RAM, or one in
//     another region.
//
// The function gets ssm:GetParameters on exactly those parameters. A
// parameter encrypted with a customer managed key needs DecryptWith; a
// shared parameter is encrypted with its owner's key. A string of another
// form, or a CDK token, is reported when the app synthesizes.
func Secret(nameOrPath string) Value { return Value{kind: model.Secret, s: nameOrPath} }

// Parameter references existing, non-secret configuration: an SSM String
// or StringList parameter by its full path ("/legacy/payments/api-url", in
// the stack's account and region) or its ARN (another region or account),
// resolved by the handler at cold start, in the same round as the secrets,
// into a plain field (a StringList as its comma-separated text; give
// .As(function.StringList) for a []string). The function gets
// ssm:GetParameters on exactly that parameter. A SecureString is refused
// at Load: read it with Secret, into a masked field.
func Parameter(pathOrARN string) Value { return Value{kind: model.Parameter, s: pathOrARN} }

// DecryptWith returns v with the customer managed KMS key that encrypts
// its SecureString: the function gets kms:Decrypt on key, only via SSM in
// the parameter's region (kms:ViaService). For a Secret only; on another
// value it is reported when the app synthesizes. Props.SecretsKey does the
// same for every secret given by name.
func (v Value) DecryptWith(key awskms.IKey) Value {
	v.key = key
	return v
}

// refProblem is the rule v breaks with DecryptWith, "" for none: it
// belongs to a Secret.
func (v Value) refProblem() string {
	switch {
	case v.key != nil && v.kind == model.Parameter:
		return "DecryptWith on a Parameter: a String or StringList parameter is not encrypted; read a SecureString with function.Secret"
	case v.key != nil && v.kind != model.Secret:
		return "DecryptWith is for a function.Secret (a SecureString in SSM Parameter Store)"
	}
	return ""
}

// Props configure a Function.
type Props struct {
	// FunctionOptions are every option of an awslambda.Function, with the
	// same names and meaning: Vpc, SecurityGroups, Layers, Tracing,
	// LogGroup, ReservedConcurrentExecutions, DeadLetterQueue, Role,
	// Events… Architecture defaults to awslambda.Architecture_ARM_64()
	// (x86_64 is the other one Go builds handlers for). FunctionOptions'
	// own Environment must stay nil: fnenv sets the function's environment
	// from Props.Environment (use Literal for a plain value); setting it is
	// a problem reported at synth.
	awslambda.FunctionOptions
	// Name names the function in the backend and its env package, and must
	// be unique in the app: [a-zA-Z0-9_-]{1,64}, e.g. "say-hello".
	Name string
	// Entry is the handler's main package: a directory or its main.go,
	// relative to the app's module root (the nearest directory holding
	// go.mod at or above the directory the app runs in), slash-separated,
	// e.g. "app/functions/say-hello"; "./x", "x/" and "x/main.go" are the
	// entry "x" (model.CleanEntry). The handler builds in the Go module of
	// the nearest go.mod above the entry (a nested module builds; a go.work
	// is honoured). The env package is written to Entry/env.
	Entry string
	// Environment maps environment variable keys to literal values and
	// secrets. Keys match [a-zA-Z][a-zA-Z0-9_]+, are not reserved by the
	// Lambda runtime and do not start with FNENV_; two keys may not map to
	// one Go field. Literals that do not fit in Lambda's 4 KB (the
	// environment as JSON) move to stack-managed SSM parameters read at
	// cold start, up to 32 KB of literals (model.Function.Place).
	//
	// Default: no variables.
	Environment map[string]Value
	// SecretsKey is the customer managed KMS key the SecureStrings of the
	// secrets given by name (function.Secret("NAME")) are encrypted with;
	// the function gets kms:Decrypt on it (via SSM in the stack's region
	// only) when it has such a secret. A secret given by path or ARN takes
	// its key with Value.DecryptWith.
	//
	// Default: none — the AWS managed key aws/ssm, which needs no grant.
	SecretsKey awskms.IKey
	// SecretsMaxAge is how long the handler reuses resolved secrets; the
	// first Load after it reads them again. Zero keeps them for the life
	// of the execution environment. Written as FNENV_MAX_AGE.
	//
	// Default: CDK context fnenvSecretsMaxAge, else
	// model.DefaultSecretsMaxAge (5 minutes).
	SecretsMaxAge awscdk.Duration
	// Bundling configures how the handler is compiled.
	//
	// Default: fnenv's flags only (-trimpath -buildvcs=false
	// -tags lambda.norpc -ldflags='-s -w -buildid='), CGO_ENABLED=0.
	Bundling *BundlingOptions
}

// BundlingOptions configure the go build of a handler.
//
// CGO stays off (CGO_ENABLED=0): a static binary runs on provided.al2023
// whatever libc the build machine has, cross-compiles to arm64 without a
// C toolchain, and is the same bytes on every machine, so its asset hash
// does not change from one developer or CI runner to the next.
type BundlingOptions struct {
	// GoBuildFlags are added after fnenv's go build flags, e.g.
	// "-tags=prod" or "-ldflags=-X main.version=1.2.3"; a -tags or -ldflags
	// is merged with fnenv's rather than replacing it. They are part of the
	// build cache key. -o and -C are fnenv's and refused.
	//
	// Default: none.
	GoBuildFlags []string
	// Environment holds variables for the go command, e.g. GOPRIVATE,
	// GOPROXY or GOFLAGS. GOOS, GOARCH, CGO_ENABLED and GOTOOLCHAIN are set
	// by fnenv and refused. Part of the build cache key.
	//
	// Default: the environment of the process that synthesizes.
	Environment map[string]string
}

// Function is a Lambda function with a fnenv environment. It is an
// awslambda.Function: grant to it (table.GrantReadData(fn)), add event
// sources, aliases and versions, read its Connections.
type Function interface {
	awslambda.Function
	// Lambda is the function itself, as an awslambda.Function.
	Lambda() awslambda.Function
	// Declaration is the function's declaration, as written into the
	// cloud assembly: its variables and references, no literal value.
	Declaration() model.Function
}

type function struct {
	// The jsii base: New creates it with awslambda.NewFunction_Override,
	// so that the Go value is the Lambda function itself.
	awslambda.Function
	decl model.Function
	// vals are what only the construct knows of the function: literal
	// values, CDK tokens (model.SynthValues); never in the cloud assembly.
	vals    model.SynthValues
	backend model.Backend
	goarch  string
	// module is the handler's Go module, relative to the module root.
	module   string
	bundling BundlingOptions
	// problems found at construction; reported at synth.
	problems []error
	reg      *registry
	asset    awss3assets.Asset
	buildErr error
	// smSecrets are the Secrets Manager secrets referenced, by variable.
	smSecrets map[string]awssecretsmanager.ISecret
	// vpc and vpcSubnets are FunctionOptions', for the route check at
	// synth (vpccheck.go).
	vpc        awsec2.IVpc
	vpcSubnets *awsec2.SubnetSelection
	// movedLiterals: some literals live in stack-managed SSM parameters
	// (keepLiterals), which the handler reads at cold start like secrets.
	movedLiterals bool
}

func (f *function) Lambda() awslambda.Function  { return f }
func (f *function) Declaration() model.Function { return f.decl }

// ToString overrides Construct.toString with the same result: jsii treats
// a Go struct as a subclass only when it overrides a method.
func (f *function) ToString() *string { return f.Node().Path() }

// New adds a function to scope. It panics only when props is nil or a prop
// cannot be read (an unresolved SecretsMaxAge); every other problem is
// reported when the app synthesizes.
func New(scope constructs.Construct, id string, props *Props) Function {
	if props == nil {
		panic(fmt.Sprintf("function.New(%q): props must not be nil: give at least Name and Entry", id))
	}
	f := &function{}
	problem := func(subject, rule string) {
		f.problems = append(f.problems, &model.Problem{Function: props.Name, Subject: subject, Rule: rule})
	}

	b, err := backend.Resolve(scope)
	if err != nil {
		f.problems = append(f.problems, err)
	}
	f.backend = b
	f.reg = registryOf(scope)

	vars := make(map[string]model.Variable, len(props.Environment))
	f.vals = model.SynthValues{Literals: map[string]string{}, Tokens: map[string]bool{}, SecretTokens: map[string]string{}}
	for k, v := range props.Environment {
		sv := model.Variable{Kind: v.kind, Type: v.typ}
		switch v.kind {
		case model.Literal:
			f.vals.Literals[k] = v.s // a token is measured as its string form
		case model.Secret:
			sv.Secret = v.s
		case model.Parameter:
			sv.Parameter = v.s
		case model.SecretsManager:
			sv.SecretsManager = f.secretsManagerRef(k, v)
		}
		if v.kind != model.SecretsManager && *awscdk.Token_IsUnresolved(jsii.String(v.s)) {
			f.vals.Tokens[k] = true
		}
		vars[k] = sv
		if rule := v.refProblem(); rule != "" {
			problem(fmt.Sprintf("env key %q", k), rule)
		}
	}
	entry := props.Entry
	if e, err := model.CleanEntry(entry); err == nil {
		entry = e // else Validate reports it
		if f.reg.rootErr != nil {
			problem("entry", f.reg.rootErr.Error())
		} else if f.module, err = srctree.ResolveEntry(f.reg.moduleRoot, e); err != nil {
			problem("entry", err.Error())
		}
	}
	f.decl = model.NewFunction(props.Name, entry, vars)
	if props.SecretsKey != nil && len(f.decl.Secrets()) == 0 {
		// SecretsKey is granted with the branch and shared paths only: a
		// secret by path or ARN it would not cover fails at cold start.
		for _, k := range slices.Sorted(maps.Keys(props.Environment)) {
			if v := props.Environment[k]; v.kind == model.Secret && v.key == nil && model.FormOf(v.s) != model.RefName {
				problem("SecretsKey", fmt.Sprintf("is set, but the function gives no secret by name, the only ones SecretsKey covers; env key %q reads %s by path or ARN: give its key with function.Secret(…).DecryptWith(key)", k, v.s))
			}
		}
	}
	maxAge := maxAgeString(scope, id, props.SecretsMaxAge)

	opts := props.FunctionOptions
	if opts.Environment != nil {
		problem("FunctionOptions.Environment", "is set, but fnenv sets the function's environment: give each variable in Props.Environment, with function.Literal for a plain value")
	}
	f.goarch = "arm64"
	if opts.Architecture == nil {
		opts.Architecture = awslambda.Architecture_ARM_64()
	}
	switch name := *opts.Architecture.Name(); name {
	case "arm64":
	case "x86_64":
		f.goarch = "amd64"
	default:
		problem("architecture", fmt.Sprintf("%q is not one Go builds Lambda handlers for (arm64, x86_64)", name))
	}
	if props.Bundling != nil {
		f.bundling = *props.Bundling
		if err := gobuild.CheckOptions(f.bundling.GoBuildFlags, f.bundling.Environment); err != nil {
			for _, e := range model.Problems(err) {
				problem("bundling", e.Error())
			}
		}
	}

	if err := f.decl.Validate(b, maxAge, f.vals); err != nil {
		f.problems = append(f.problems, model.Problems(err)...)
	}

	// With problems, synth fails listing them all; an environment the
	// Lambda construct rejects (a reserved key) would stop at the first.
	env := map[string]*string{}
	var placed model.Placement
	if len(f.problems) == 0 {
		placed, _ = f.decl.Place(b, maxAge, f.vals) // Validate reported its problems
		f.movedLiterals = len(placed.Parameters) > 0
		for k, v := range placed.Env {
			env[k] = jsii.String(v)
		}
	}
	lp := lambdaProps(opts)
	lp.Runtime = awslambda.Runtime_PROVIDED_AL2023()
	lp.Handler = jsii.String("bootstrap")
	lp.Code = newLazyCode(f)
	lp.Environment = &env
	awslambda.NewFunction_Override(f, scope, jsii.String(id), lp)

	// The object key is the asset's content hash: a new binary is a new key,
	// so the function is updated without an object version.
	awscdk.Annotations_Of(f).AcknowledgeWarning(jsii.String("@aws-cdk/aws-lambda:codeFromBucketObjectVersionNotSpecified"),
		jsii.String("the object key is the asset's content hash"))
	backend.TagStack(awscdk.Stack_Of(f))
	f.vpc, f.vpcSubnets = opts.Vpc, opts.VpcSubnets
	f.warnCredentialLiterals(props.Environment)
	f.grant(props.SecretsKey)
	f.grantParameters(props.Environment)
	f.keepLiterals(placed.Parameters)
	f.grantSecretsManager()
	if opts.Role == nil { // the role is fnenv's (CDK's default): see nag.go
		suppressNag(f.Role(), "AwsSolutions-IAM4", nagReasonBasicExecution, basicExecutionPolicy)
	}

	if len(f.problems) == 0 && f.reg.codegenEnabled() {
		if _, err := codegen.Write(f.reg.moduleRoot, f.decl); err != nil {
			problem("env package", err.Error())
		}
	}

	rec, err := json.Marshal(model.Record{Backend: f.backend, Function: f.decl, Path: *f.Node().Path(), GoBuildFlags: f.bundling.GoBuildFlags})
	if err != nil {
		panic(err) // a Record of strings always encodes
	}
	f.Node().AddMetadata(jsii.String(model.MetadataType), string(rec), nil)
	f.Node().AddValidation(&validation{f})
	f.reg.add(f)
	return f
}

// lambdaProps copies every option into the props of an awslambda.Function,
// which has each of FunctionOptions' fields under the same name and type.
func lambdaProps(o awslambda.FunctionOptions) *awslambda.FunctionProps {
	var p awslambda.FunctionProps
	src, dst := reflect.ValueOf(o), reflect.ValueOf(&p).Elem()
	for i := range src.NumField() {
		dst.FieldByName(src.Type().Field(i).Name).Set(src.Field(i))
	}
	return &p
}

// grant gives the function ssm:GetParameters on exactly the branch and
// shared parameters of its secrets, and kms:Decrypt on key when given.
func (f *function) grant(key awskms.IKey) {
	paths := f.decl.SecretPaths(f.backend)
	if len(paths) == 0 {
		return
	}
	stack := awscdk.Stack_Of(f)
	var arns []*string
	for _, p := range paths {
		arns = append(arns, parameterArn(stack, model.Ref{Form: model.RefPath, Name: p}))
	}
	f.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("FnenvReadSecrets"),
		Actions:   jsii.Strings("ssm:GetParameters"),
		Resources: &arns,
	}))
	if key != nil {
		f.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("FnenvDecryptSecrets"),
			Actions:   jsii.Strings("kms:Decrypt"),
			Resources: jsii.Strings(*key.KeyArn()),
			Conditions: &map[string]any{
				"StringEquals": map[string]any{
					"kms:ViaService": "ssm." + *stack.Region() + "." + *stack.UrlSuffix(),
				},
			},
		}))
	}
}

// lazyCode is the function's code: an S3 location filled in at synth, once
// the aspect has built every function of the app in parallel.
type lazyCode struct {
	awslambda.Code
	f *function
}

func newLazyCode(f *function) awslambda.Code {
	c := &lazyCode{f: f}
	awslambda.NewCode_Override(c)
	return c
}

func (c *lazyCode) Bind(constructs.Construct) *awslambda.CodeConfig {
	return &awslambda.CodeConfig{S3Location: &awss3.Location{
		BucketName: awscdk.Lazy_String(&producer{func() string { return *c.f.mustAsset().S3BucketName() }}, nil),
		ObjectKey:  awscdk.Lazy_String(&producer{func() string { return *c.f.mustAsset().S3ObjectKey() }}, nil),
	}}
}

func (f *function) mustAsset() awss3assets.Asset {
	if f.asset == nil {
		panic(fmt.Sprintf("fnenv: function %q: its code was never built: the build aspect did not run on %s", f.decl.Name, *f.Node().Path()))
	}
	return f.asset
}

type producer struct{ fn func() string }

func (p *producer) Produce() *string { return jsii.String(p.fn()) }

// validation reports the function's problems when the app synthesizes.
type validation struct{ f *function }

func (v *validation) Validate() *[]*string {
	var msgs []*string
	for _, err := range v.f.allProblems() {
		msgs = append(msgs, jsii.String(err.Error()))
	}
	return &msgs
}

func (f *function) allProblems() []error {
	probs := append([]error(nil), f.problems...)
	probs = append(probs, f.reg.duplicates(f)...)
	if f.buildErr != nil {
		probs = append(probs, f.buildErr)
	}
	return probs
}

// maxAgeString is d, or the context's fnenvSecretsMaxAge, or
// model.DefaultSecretsMaxAge, as a Go duration string.
func maxAgeString(scope constructs.Construct, id string, d awscdk.Duration) string {
	if d == nil {
		return backend.Context(scope).MaxAge().String()
	}
	if *d.IsUnresolved() {
		panic(fmt.Sprintf("function.New(%q): SecretsMaxAge must be a concrete duration, not a token", id))
	}
	ms := *d.ToMilliseconds(nil)
	return (time.Duration(ms) * time.Millisecond).String()
}
