// Package gensupport is the support of fnenv's generated env packages;
// not for handlers. A generated package declares its function's variables
// (Declaration), builds its Env from the resolved Values, and prints it
// with secrets masked (Format, LogValue); package resolver's Loader
// resolves them. A handler imports its env package, and package resolver
// for options and errors, never this one.
package gensupport

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Version1 is the version of the API that generated env packages code
// against. Each generated package refers to it (`const _ =
// gensupport.Version1`), so that when this API or the resolver's changes
// incompatibly — and Version1 is renamed Version2 — stale generated code
// stops compiling instead of misbehaving; `fnenv gen` regenerates it.
const Version1 = 1

// Declaration is a generated env package's declaration of its function's
// variables: what the function's configuration must provide.
type Declaration struct {
	// Function is the function's name in the backend, e.g. "say-hello";
	// errors name it.
	Function string
	// Vars are the function's variables, sorted by Name.
	Vars []Var
	// SecretsManager builds the reader of Secrets Manager secrets, for a
	// function with a Secrets Manager variable: generated code sets it to
	// smfetch.New (package resolver/smfetch) only then, so that other
	// handlers do not link the SDK's Secrets Manager client.
	SecretsManager SecretsManagerFactory
}

// Var is one variable of a function's environment as the generated code
// knows it.
type Var struct {
	// Name is the environment variable key, e.g. "API_KEY".
	Name string
	// Secret is the secret the variable holds: its name, e.g.
	// "MY_API_KEY", or an existing parameter's full path or ARN (see
	// model.ParseRef); empty otherwise.
	Secret string
	// Parameter is the existing non-secret parameter the variable holds
	// (function.Parameter): its full path or ARN; empty otherwise.
	Parameter string
	// SecretsManager names the Secrets Manager secret the variable reads,
	// e.g. "DbCredential" (its construct path in its stack); empty
	// otherwise. The secret's id comes from FNENV_SECRETSMANAGER.
	SecretsManager string
	// JSONField is the top-level key of the secret's JSON SecretString the
	// variable holds, e.g. "password"; "" for the whole SecretString.
	JSONField string
}

// IsSecret reports whether x holds a secret (SSM or Secrets Manager): its
// value is masked when printed and never shown in an error.
func (x Var) IsSecret() bool { return x.Secret != "" || x.SecretsManager != "" }

// Source says where x's value comes from, for errors: "literal", "secret
// STRIPE_KEY", "Secrets Manager secret DbCredential, field password".
func (x Var) Source() string {
	switch {
	case x.Secret != "":
		return "secret " + x.Secret
	case x.Parameter != "":
		return "parameter " + x.Parameter
	case x.SecretsManager != "" && x.JSONField != "":
		return "Secrets Manager secret " + x.SecretsManager + ", field " + x.JSONField
	case x.SecretsManager != "":
		return "Secrets Manager secret " + x.SecretsManager
	}
	return "literal"
}

// ReadSecret reads the SecretString of one Secrets Manager secret, its
// AWSCURRENT version, by id (complete ARN or name), sending one request:
// the resolver's round retries it with the SSM requests. A secret that
// cannot serve — it does not exist, it holds a SecretBinary — is a
// *SecretProblem; any other error is the request's. No error holds a
// value.
type ReadSecret func(ctx context.Context, secretID string) (string, error)

// SecretsManagerFactory builds a ReadSecret: from cfg (resolver's
// WithAWSConfig) when it is not nil, else from the variables Lambda sets.
type SecretsManagerFactory func(cfg *aws.Config) (ReadSecret, error)

// SecretProblem is a Secrets Manager secret that was asked for and cannot
// serve; Reason says why, without a value ("ResourceNotFoundException:
// …", "it holds a SecretBinary, not a SecretString").
type SecretProblem struct{ Reason string }

func (p *SecretProblem) Error() string { return p.Reason }
