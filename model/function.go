package model

import (
	"sort"

	"github.com/fnenv/fnenv/resolver/envtype"
)

// Kind says where a variable's value comes from.
type Kind string

const (
	// Literal is a value set at synth and stored as is in the function's
	// configuration.
	Literal Kind = "literal"
	// Secret is a value kept in SSM Parameter Store as a SecureString and
	// resolved by the handler at cold start; only its parameter names reach
	// the function's configuration.
	Secret Kind = "secret"
)

// Variable is one entry of a function's environment.
type Variable struct {
	// Name is the environment variable key, e.g. "API_KEY".
	Name string `json:"name"`
	// Field is the Go field name of the variable in the generated Env
	// struct, e.g. "APIKey" (see GoField).
	Field string `json:"field"`
	// Kind is Literal, Secret, Parameter or SecretsManager.
	Kind Kind `json:"kind"`
	// Secret is the secret's name, e.g. "MY_API_KEY", or an existing
	// parameter's full path or ARN (see ParseRef); set only for Secret.
	Secret string `json:"secret,omitempty"`
	// Parameter is an existing parameter's full path or ARN, e.g.
	// "/legacy/payments/api-url"; set only for Parameter.
	Parameter string `json:"parameter,omitempty"`
	// Type is the type of the value, which the generated Env field has and
	// the resolver parses at Load (see package envtype); "" is
	// envtype.String.
	Type envtype.Type `json:"type,omitempty"`
	// SecretsManager is the secret and field read; set only for
	// SecretsManager.
	SecretsManager *SecretsManagerRef `json:"secretsManager,omitempty"`
}

// SynthValues are what only the construct knows of a function, at synth.
// They are kept out of Function, which is written into the cloud assembly,
// read back by the CLI and the generator, and the same on every branch:
// literal values may differ per branch, and CDK tokens are known only at
// deploy. Validate, Place and Environment take them.
type SynthValues struct {
	// Literals are the literal variables' values, by variable name; a CDK
	// token's is its string form, measured as such.
	Literals map[string]string
	// Tokens are the variables whose literal or reference (Secret,
	// Parameter) is a CDK token: a literal is parsed at Load rather than
	// checked at synth; a reference is refused, since its grant could not
	// be exact.
	Tokens map[string]bool
	// SecretTokens are the ids of Secrets Manager secrets known only at
	// deploy (a secret the app creates: its ARN as a CDK token), by
	// variable name; their SecretsManagerRef.ID is "".
	SecretTokens map[string]string
}

// Function is the declaration of one function: what the construct writes
// into the cloud assembly (Record) and the CLI and the generator read.
type Function struct {
	// Name names the function in the backend and its env package,
	// e.g. "say-hello".
	Name string `json:"name"`
	// Entry is the handler's main package directory, relative to the module
	// root and slash-separated, e.g. "app/functions/say-hello". The env
	// package lives at Entry + "/env".
	Entry string `json:"entry"`
	// Variables are sorted by Name.
	Variables []Variable `json:"variables"`
}

// NewFunction returns the declaration of a function from its environment, a map
// from key to variable in which Name and Field are filled in from the key.
// Variables come out sorted by Name.
func NewFunction(name, entry string, env map[string]Variable) Function {
	f := Function{Name: name, Entry: entry, Variables: make([]Variable, 0, len(env))}
	for k, v := range env {
		v.Name = k
		v.Field = GoField(k)
		f.Variables = append(f.Variables, v)
	}
	sort.Slice(f.Variables, func(i, j int) bool { return f.Variables[i].Name < f.Variables[j].Name })
	return f
}

// Secrets returns the distinct secret names the function references —
// those read from the branch's path, else the shared one (RefName) —
// sorted. References to existing parameters are ExistingParameters'.
func (f Function) Secrets() []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range f.Variables {
		if v.Kind == Secret && FormOf(v.Secret) == RefName && !seen[v.Secret] {
			seen[v.Secret] = true
			out = append(out, v.Secret)
		}
	}
	sort.Strings(out)
	return out
}

// SecretPaths returns the parameters the function reads its secrets by
// name from, which its grant names exactly: the branch path and the shared
// path of each of Secrets, in that order.
func (f Function) SecretPaths(b Backend) []string {
	var out []string
	for _, s := range f.Secrets() {
		out = append(out, b.BranchPath(s), b.SharedPath(s))
	}
	return out
}

// ExistingParameters returns the distinct existing parameters the function
// references — a Secret given as a full path or an ARN, and every
// Parameter — as written (paths and ARNs), sorted.
func (f Function) ExistingParameters() []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range f.Variables {
		ref := v.ref()
		if ref != "" && FormOf(ref) != RefName && !seen[ref] {
			seen[ref] = true
			out = append(out, ref)
		}
	}
	sort.Strings(out)
	return out
}

// ref is the SSM reference of a Secret or Parameter variable; "" for
// another kind.
func (v Variable) ref() string {
	switch v.Kind {
	case Secret:
		return v.Secret
	case Parameter:
		return v.Parameter
	}
	return ""
}

// SecretVariables returns the variables of kind Secret, sorted by Name.
func (f Function) SecretVariables() []Variable {
	var out []Variable
	for _, v := range f.Variables {
		if v.Kind == Secret {
			out = append(out, v)
		}
	}
	return out
}

// Record is what the construct writes into the cloud assembly for each
// function, as construct metadata of type MetadataType whose data is the
// record's JSON.
type Record struct {
	Backend  Backend  `json:"backend"`
	Function Function `json:"function"`
	// Path is the construct path of the function, e.g. "Payments-main/Charge".
	Path string `json:"path"`
	// GoBuildFlags are the function's own go build flags
	// (BundlingOptions.GoBuildFlags, e.g. "-tags=prod"), which `fnenv
	// invoke` adds to its build for this machine as synth does to the
	// build for Lambda.
	GoBuildFlags []string `json:"goBuildFlags,omitempty"`
}

// MetadataType is the construct metadata type under which records are
// written into the cloud assembly (manifest.json, per stack artifact).
const MetadataType = "fnenv:function"

// Environment returns the environment variables the function's
// configuration holds when all of its literals fit in it: literals as they
// are, for secrets only parameter names (EnvSecrets; EnvBranchPrefix,
// EnvSharedPrefix, and EnvBranch when the branch's path level is not its
// name, for secrets given by name), for existing parameters their names
// (EnvParameters), for Secrets Manager references only secret ids
// (EnvSecretsManager), and EnvMaxAge. maxAge is a Go duration string.
// Place moves the literals that do not fit in Lambda's 4 KB. The literals'
// values and the Secrets Manager ids known only at deploy come from vals.
func (f Function) Environment(b Backend, maxAge string, vals SynthValues) map[string]string {
	return f.environment(b, maxAge, vals, false)
}

// environment is Environment; with measure, ids known only at deploy take
// the room they will take then (see UnresolvedSecretIDLength).
func (f Function) environment(b Backend, maxAge string, vals SynthValues, measure bool) map[string]string {
	env := map[string]string{}
	for _, v := range f.Variables {
		if v.Kind == Literal {
			env[v.Name] = vals.Literals[v.Name]
		}
	}
	if len(f.SecretVariables()) > 0 {
		env[EnvSecrets] = EncodeSecrets(f.Variables)
		env[EnvMaxAge] = maxAge
	}
	if len(f.Secrets()) > 0 {
		env[EnvBranchPrefix] = b.BranchPrefix()
		env[EnvSharedPrefix] = b.SharedPrefix()
		if b.BranchLevel() != b.Branch {
			env[EnvBranch] = b.Branch
		}
	}
	if ps := encodeEntries(refsOf(f.Variables, Parameter), false); ps != "" {
		env[EnvParameters] = ps
		env[EnvMaxAge] = maxAge
	}
	if len(f.SecretsManagerVariables()) > 0 {
		env[EnvSecretsManager] = encodeSecretsManager(f.Variables, vals.SecretTokens, measure)
		env[EnvMaxAge] = maxAge
	}
	return env
}
