// Package model is fnenv's declaration model: what a function declares
// (its variables — literals, secrets, Secrets Manager references — and
// their types and rules), the backend it belongs to (app id, branch,
// parameter paths and stack names, the CDK context keys fnenv reads), and
// the wire format the function construct writes into a function's
// environment and the handler-side resolver reads.
//
// The construct, the CLI, the code generator and the resolver are adapters
// around it: the construct builds a Function from function.Props, checks it
// (Function.Validate) and writes it into the cloud assembly as a Record;
// the CLI and the generator read Records back; the resolver decodes the
// environment (EnvSecrets, EnvSecretsManager…) the construct set.
//
// It is pure Go — no jsii, no command run, no regular expression — and
// cheap to link, since every handler links it for the wire format.
package model
