package model

import (
	"fmt"
	"reflect"
	"strings"
)

// MaxNamesPerRequest is SSM's limit on parameter names per GetParameters
// call: 10 ("Names … Maximum number of 10 items"). The resolver and the
// CLI chunk their reads by it.
const MaxNamesPerRequest = 10

// ValidateParameterName checks a full SSM parameter name (a secret's
// branch or shared path) against SSM's rules: at most
// MaxParameterNameLength (1011) characters, at most MaxParameterDepth (15)
// levels, and no first level beginning with "aws" or "ssm" in any case
// (SSM reserves them: "Parameter names can't be prefixed with aws or ssm
// (case-insensitive)"; for a path under /aws it answers AccessDenied).
func ValidateParameterName(name string) error {
	if n := len(name); n > MaxParameterNameLength {
		return fmt.Errorf("parameter name %q is %d characters; SSM allows %d", name, n, MaxParameterNameLength)
	}
	if d := strings.Count(name, "/"); d > MaxParameterDepth {
		return fmt.Errorf("parameter name %q has %d levels; SSM allows %d", name, d, MaxParameterDepth)
	}
	if IsReservedParameterName(name) {
		first, _, _ := strings.Cut(strings.TrimPrefix(name, "/"), "/")
		return fmt.Errorf("parameter name %q starts with %q: SSM reserves names beginning with \"aws\" or \"ssm\" (in any case); choose another prefix", name, first)
	}
	return nil
}

// ValidateSecretPath checks a secret's name and the parameter name it has
// on b, on the branch or (shared) shared: ValidateSecretName, then
// ValidateParameterName. It is the rule `fnenv secret set` applies before
// writing, and what `fnenv secret check` checks before suggesting a set.
func ValidateSecretPath(b Backend, name string, shared bool) error {
	if err := ValidateSecretName(name); err != nil {
		return err
	}
	p := b.BranchPath(name)
	if shared {
		p = b.SharedPath(name)
	}
	return ValidateParameterName(p)
}

// IsReservedParameterName reports whether SSM reserves name: its first
// level begins with "aws" or "ssm", in any case.
func IsReservedParameterName(name string) bool {
	l := strings.ToLower(strings.TrimPrefix(name, "/"))
	return strings.HasPrefix(l, "aws") || strings.HasPrefix(l, "ssm")
}

// SamePackage reports whether f and g generate the same env package: the
// same declaration once Secrets Manager ids, which never reach generated
// code, are set aside. Two functions with one entry must agree on it, or their env
// packages would overwrite each other.
func (f Function) SamePackage(g Function) bool {
	return reflect.DeepEqual(f.generated(), g.generated())
}

// generated is f as the generator sees it: without Secrets Manager ids
// (the package names a secret by its label); types are kept, they change
// the package.
func (f Function) generated() Function {
	vars := make([]Variable, len(f.Variables))
	for i, v := range f.Variables {
		if r := v.SecretsManager; r != nil {
			v.SecretsManager = &SecretsManagerRef{Secret: r.Secret, Field: r.Field}
		}
		vars[i] = v
	}
	f.Variables = vars
	return f
}
