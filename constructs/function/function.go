// Package function is the fnenv Lambda function construct: a Go handler
// compiled at synth, an environment mixing literal values and secrets kept
// in SSM Parameter Store under a per-branch path with a shared fallback,
// grants on exactly the parameters it references, and a typed env package
// generated at <Entry>/env.
//
//	fn := function.New(stack, "SayHello", &function.Props{
//		Name:  "say-hello",
//		Entry: "app/functions/say-hello",
//		Environment: map[string]function.Value{
//			"NAME":    function.Literal("World"),
//			"API_KEY": function.Secret("MY_API_KEY"),
//		},
//	})
//	fn.Lambda() // the awslambda.Function, for triggers and further grants
//
// Problems with a function (its name, keys, secrets, entry, the 4 KB limit
// of Lambda's environment, a compile error) do not panic: they are reported
// when the app synthesizes, every function's problems together.
package function

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3assets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/fnenv/fnenv/constructs/backend"
	"github.com/fnenv/fnenv/identity"
	"github.com/fnenv/fnenv/spec"
)

// DefaultSecretsMaxAge is how long a handler reuses resolved secrets
// before the next Load reads them again.
const DefaultSecretsMaxAge = 5 * time.Minute

// Value is the value of one environment variable: a Literal, a Secret or
// a SecretsManager reference. The zero Value is invalid and reported at
// synth.
type Value struct {
	kind   spec.Kind
	s      string
	typ    Type                      // see As
	secret awssecretsmanager.ISecret // for SecretsManager
}

// Literal is a value set at synth and stored as is in the function's
// configuration. It may hold a CDK token (a resource attribute).
func Literal(value string) Value { return Value{kind: spec.Literal, s: value} }

// Secret references the secret name, e.g. "STRIPE_KEY", kept as a
// SecureString at /amplify/<appId>/<branch>/<name> or, shared by every
// branch, /amplify/shared/<appId>/<name>. Only the parameter names reach
// the function's configuration; the handler resolves the value at cold
// start. A name matches [a-zA-Z0-9_.-]+.
func Secret(name string) Value { return Value{kind: spec.Secret, s: name} }

// Props configure a Function.
type Props struct {
	// Name names the function in the backend and its env package, and must
	// be unique in the app: [a-zA-Z0-9_-]{1,64}, e.g. "say-hello".
	Name string
	// Entry is the handler's main package, relative to the module root
	// (the directory holding go.mod) and slash-separated, e.g.
	// "app/functions/say-hello". The env package is written to Entry/env.
	Entry string
	// Environment maps environment variable keys to literal values and
	// secrets. Keys match [a-zA-Z][a-zA-Z0-9_]+, are not reserved by the
	// Lambda runtime and do not start with FNENV_; two keys may not map to
	// one Go field. All of it, as JSON, must fit in Lambda's 4 KB.
	//
	// Default: no variables.
	Environment map[string]Value
	// MemorySize is the memory of the function in MiB (128–10240).
	//
	// Default: 128, Lambda's default.
	MemorySize int
	// Timeout is how long an invocation may run (at most 15 minutes).
	//
	// Default: 3 seconds, Lambda's default.
	Timeout awscdk.Duration
	// Architecture is the instruction set the handler is compiled for and
	// runs on.
	//
	// Default: awslambda.Architecture_ARM_64().
	Architecture awslambda.Architecture
	// SecretsKey is the customer managed KMS key the SecureStrings are
	// encrypted with; the function gets kms:Decrypt on it (via SSM only).
	//
	// Default: none — the AWS managed key aws/ssm, which needs no grant.
	SecretsKey awskms.IKey
	// SecretsMaxAge is how long the handler reuses resolved secrets; the
	// first Load after it reads them again. Zero keeps them for the life
	// of the execution environment. Written as FNENV_MAX_AGE.
	//
	// Default: 5 minutes.
	SecretsMaxAge awscdk.Duration
	// Description of the function.
	//
	// Default: none.
	Description string
}

// Function is a Lambda function with a fnenv environment.
type Function interface {
	constructs.Construct
	// Lambda is the function, for triggers and further grants.
	Lambda() awslambda.Function
	// Spec is the function's spec; literal values included.
	Spec() spec.Function
	// Backend is the app id, branch and parameter prefix it deploys for.
	Backend() identity.Backend
	// Record is what the function writes into the cloud assembly, as
	// metadata of type spec.MetadataType.
	Record() spec.Record
}

type function struct {
	constructs.Construct
	lambda  awslambda.Function
	spec    spec.Function
	backend identity.Backend
	goarch  string
	// problems found at construction; reported at synth.
	problems []error
	reg      *registry
	asset    awss3assets.Asset
	buildErr error
	// smSecrets are the Secrets Manager secrets referenced, by id.
	smSecrets map[string]awssecretsmanager.ISecret
}

func (f *function) Lambda() awslambda.Function { return f.lambda }
func (f *function) Spec() spec.Function        { return f.spec }
func (f *function) Backend() identity.Backend  { return f.backend }
func (f *function) Record() spec.Record {
	return spec.Record{Backend: f.backend, Function: f.spec, Path: *f.Node().Path()}
}

// New adds a function to scope. It panics only when props is nil or a prop
// cannot be read (an unresolved SecretsMaxAge); every other problem is
// reported when the app synthesizes.
func New(scope constructs.Construct, id string, props *Props) Function {
	if props == nil {
		panic(fmt.Sprintf("function.New(%q): props must not be nil: give at least Name and Entry", id))
	}
	f := &function{}
	constructs.NewConstruct_Override(f, scope, jsii.String(id))

	b, err := backend.Resolve(scope)
	if err != nil {
		f.problems = append(f.problems, err)
	}
	f.backend = b

	vars := make(map[string]spec.Variable, len(props.Environment))
	for k, v := range props.Environment {
		sv := spec.Variable{Kind: v.kind}
		v.typed(&sv)
		switch v.kind {
		case spec.Literal:
			sv.Value = v.s // a token is measured as its string form
		case spec.Secret:
			sv.Secret = v.s
		case spec.SecretsManager:
			sv.SecretsManager = f.secretsManagerRef(v)
		}
		vars[k] = sv
	}
	f.spec = spec.NewFunction(props.Name, props.Entry, vars)
	maxAge, err := maxAgeString(scope, id, props.SecretsMaxAge)
	if err != nil {
		f.problems = append(f.problems, &spec.Problem{Function: props.Name, Subject: "secrets max age", Rule: err.Error()})
		maxAge = DefaultSecretsMaxAge.String()
	}

	f.goarch = "arm64"
	arch := props.Architecture
	if arch == nil {
		arch = awslambda.Architecture_ARM_64()
	}
	switch name := *arch.Name(); name {
	case "arm64":
	case "x86_64":
		f.goarch = "amd64"
	default:
		panic(fmt.Sprintf("function.New(%q): Architecture %q is not one Go builds Lambda handlers for (arm64, x86_64)", id, name))
	}

	if err := f.spec.Validate(b, maxAge); err != nil {
		f.problems = append(f.problems, unjoin(err)...)
	}
	f.reg = registryOf(scope)
	if err := f.reg.checkEntry(f.spec); err != nil {
		f.problems = append(f.problems, err)
	}

	// With problems, synth fails listing them all; an environment the
	// Lambda construct rejects (a reserved key) would stop at the first.
	env := map[string]*string{}
	if len(f.problems) == 0 {
		for k, v := range f.spec.Environment(b, maxAge) {
			env[k] = jsii.String(v)
		}
	}
	lp := &awslambda.FunctionProps{
		Runtime:      awslambda.Runtime_PROVIDED_AL2023(),
		Handler:      jsii.String("bootstrap"),
		Architecture: arch,
		Code:         f.lazyCode(),
		Environment:  &env,
		Timeout:      props.Timeout,
	}
	if props.MemorySize != 0 {
		lp.MemorySize = jsii.Number(float64(props.MemorySize))
	}
	if props.Description != "" {
		lp.Description = jsii.String(props.Description)
	}
	// "Resource" makes the Lambda the default child, so its logical ID is
	// the construct id without a suffix.
	f.lambda = awslambda.NewFunction(f, jsii.String("Resource"), lp)
	// The object key is the asset's content hash: a new binary is a new key,
	// so the function is updated without an object version.
	awscdk.Annotations_Of(f).AcknowledgeWarning(jsii.String("@aws-cdk/aws-lambda:codeFromBucketObjectVersionNotSpecified"),
		jsii.String("the object key is the asset's content hash"))
	f.grant(props.SecretsKey)
	f.grantSecretsManager()

	if len(f.problems) == 0 && f.reg.codegenEnabled() {
		if err := writeEnvPackage(f.reg.moduleRoot, f.spec); err != nil {
			f.problems = append(f.problems, &spec.Problem{Function: f.spec.Name, Subject: "env package", Rule: err.Error()})
		}
	}

	rec, err := json.Marshal(f.Record())
	if err != nil {
		panic(err) // a Record of strings always encodes
	}
	f.Node().AddMetadata(jsii.String(spec.MetadataType), string(rec), nil)
	f.Node().AddValidation(&validation{f})
	f.reg.add(f)
	return f
}

// grant gives the function ssm:GetParameters on exactly the branch and
// shared parameters of its secrets, and kms:Decrypt on key when given.
func (f *function) grant(key awskms.IKey) {
	secrets := f.spec.Secrets()
	if len(secrets) == 0 {
		return
	}
	stack := awscdk.Stack_Of(f)
	var arns []*string
	for _, s := range secrets {
		for _, p := range []string{f.backend.BranchPath(s), f.backend.SharedPath(s)} {
			arns = append(arns, stack.FormatArn(&awscdk.ArnComponents{
				Service:      jsii.String("ssm"),
				Resource:     jsii.String("parameter"),
				ResourceName: jsii.String(strings.TrimPrefix(p, "/")),
				ArnFormat:    awscdk.ArnFormat_SLASH_RESOURCE_NAME,
			}))
		}
	}
	f.lambda.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("FnenvReadSecrets"),
		Actions:   jsii.Strings("ssm:GetParameters"),
		Resources: &arns,
	}))
	if key != nil {
		f.lambda.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
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
func (f *function) lazyCode() awslambda.Code {
	bucket := awss3.Bucket_FromBucketName(f, jsii.String("CodeBucket"), awscdk.Lazy_String(&producer{func() string {
		return *f.mustAsset().S3BucketName()
	}}, nil))
	key := awscdk.Lazy_String(&producer{func() string {
		return *f.mustAsset().S3ObjectKey()
	}}, nil)
	return awslambda.Code_FromBucket(bucket, key, nil)
}

func (f *function) mustAsset() awss3assets.Asset {
	if f.asset == nil {
		panic(fmt.Sprintf("fnenv: function %q: its code was never built: the build aspect did not run on %s", f.spec.Name, *f.Node().Path()))
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

func maxAgeString(scope constructs.Construct, id string, d awscdk.Duration) (string, error) {
	if d == nil {
		v := scope.Node().TryGetContext(jsii.String(identity.ContextSecretsMaxAge))
		if v == nil {
			return DefaultSecretsMaxAge.String(), nil
		}
		s, _ := v.(string)
		age, err := time.ParseDuration(s)
		if err != nil || age < 0 {
			return "", fmt.Errorf("context %s=%v must be a Go duration of zero or more, like \"30s\" or \"10m\"", identity.ContextSecretsMaxAge, v)
		}
		return age.String(), nil
	}
	if *d.IsUnresolved() {
		panic(fmt.Sprintf("function.New(%q): SecretsMaxAge must be a concrete duration, not a token", id))
	}
	ms := *d.ToMilliseconds(nil)
	return (time.Duration(ms) * time.Millisecond).String(), nil
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}
