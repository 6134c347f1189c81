package model

import (
	"fmt"
	"strings"
)

// Parameter is existing, non-secret configuration kept in SSM Parameter
// Store — a String or StringList parameter named by its full path or ARN
// (function.Parameter) — resolved by the handler at cold start into a
// plain field; only its name reaches the function's configuration.
const Parameter Kind = "parameter"

// RefForm is the form of a reference to an SSM parameter, told apart by
// its first character (ParseRef).
type RefForm int

const (
	// RefName is a secret's name, one level without '/' ([a-zA-Z0-9_.-]+):
	// the branch's parameter then the shared one (Backend.BranchPath,
	// Backend.SharedPath).
	RefName RefForm = iota + 1
	// RefPath is a parameter's full path, starting with '/', in the
	// function's own account and region: exactly that parameter.
	RefPath
	// RefARN is a parameter's ARN,
	// arn:<partition>:ssm:<region>:<account>:parameter/<name>: exactly that
	// parameter, in the region and account it names (another account's
	// parameter is shared with the function's through AWS RAM).
	RefARN
)

// Ref is a parsed reference to an SSM parameter: a secret's name, a full
// path or an ARN.
type Ref struct {
	Form RefForm
	// Name is the secret's name (RefName) or the parameter's name: its
	// path ("/legacy/db/password") for RefPath; for RefARN the part after
	// "parameter/", with a leading '/' when it has levels
	// ("arn:aws:ssm:eu-west-1:111122223333:parameter/legacy/db/password" →
	// "/legacy/db/password", "…:parameter/api-url" → "api-url").
	Name string
	// Partition, Region and Account are an ARN's; "" for the other forms.
	Partition, Region, Account string
}

// String is the reference as written: the name, the path or the ARN.
func (r Ref) String() string {
	if r.Form == RefARN {
		return ParameterARN(r.Partition, r.Region, r.Account, r.Name)
	}
	return r.Name
}

// Request is what a GetParameters request names for r: the path of a
// RefPath, the ARN of a RefARN (SSM accepts both in Names, and requires the
// ARN for a parameter shared from another account). It is not defined for
// a RefName, which stands for two parameters.
func (r Ref) Request() string { return r.String() }

// ParameterARN is the ARN of the parameter name ("/a/b" or "a") in a
// partition, region and account: arn:<partition>:ssm:<region>:<account>:parameter/a/b.
func ParameterARN(partition, region, account, name string) string {
	return "arn:" + partition + ":ssm:" + region + ":" + account + ":parameter/" + strings.TrimPrefix(name, "/")
}

// FormOf is the form of reference s, by its first character only (ParseRef
// also checks it): an ARN starts with "arn:", a path with '/', anything
// else is a secret's name.
func FormOf(s string) RefForm {
	switch {
	case strings.HasPrefix(s, "arn:"):
		return RefARN
	case strings.HasPrefix(s, "/"):
		return RefPath
	}
	return RefName
}

// ParseRef tells the three forms of a reference apart — an ARN starts
// with "arn:", a path with '/', anything else is a secret's name — and
// checks it against its form's rules: a name is one level
// ([a-zA-Z0-9_.-]+, ValidateLevel); a path is '/' then levels of
// [a-zA-Z0-9_.-] within SSM's limits (ValidateParameterName); an ARN is
// arn:<partition [a-z-]>:ssm:<region [a-z0-9-]>:<account, 12 digits>:parameter/<name>,
// at most MaxParameterNameLength characters in all (SSM counts the ARN's
// prefix in the 1011), its name a path's levels. The error names the
// reference and the rule.
func ParseRef(s string) (Ref, error) {
	switch FormOf(s) {
	case RefARN:
		return parseARN(s)
	case RefPath:
		if err := validatePath(s); err != nil {
			return Ref{}, err
		}
		return Ref{Form: RefPath, Name: s}, nil
	}
	if strings.Contains(s, "/") {
		return Ref{}, fmt.Errorf("%q is neither a secret name ([a-zA-Z0-9_.-]+, no '/'), a parameter path (starting with '/') nor a parameter ARN (arn:<partition>:ssm:<region>:<account>:parameter/<name>)", s)
	}
	if err := ValidateSecretName(s); err != nil {
		return Ref{}, err
	}
	return Ref{Form: RefName, Name: s}, nil
}

// validatePath checks a full parameter path: '/' then levels of
// [a-zA-Z0-9_.-], none empty, "." or "..", within SSM's limits.
func validatePath(p string) error {
	for l := range strings.SplitSeq(p[1:], "/") {
		if err := ValidateLevel("level", l); err != nil {
			return fmt.Errorf("parameter path %q: %w", p, err)
		}
	}
	return ValidateParameterName(p)
}

func parseARN(s string) (Ref, error) {
	bad := func(why string) (Ref, error) {
		return Ref{}, fmt.Errorf("parameter ARN %q: %s (the form is arn:<partition>:ssm:<region>:<account>:parameter/<name>)", s, why)
	}
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[2] != "ssm" {
		return bad("not an SSM ARN")
	}
	partition, region, account, resource := parts[1], parts[3], parts[4], parts[5]
	name, ok := strings.CutPrefix(resource, "parameter/")
	switch {
	case partition == "" || !allBytes(partition, func(c byte) bool { return c >= 'a' && c <= 'z' || c == '-' }):
		return bad(fmt.Sprintf("partition %q must be letters and hyphens, like aws", partition))
	case region == "" || !allBytes(region, func(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' }):
		return bad(fmt.Sprintf("region %q must be a region, like eu-west-1", region))
	case len(account) != 12 || !allBytes(account, func(c byte) bool { return c >= '0' && c <= '9' }):
		return bad(fmt.Sprintf("account %q must be 12 digits", account))
	case !ok || name == "":
		return bad("the resource must be parameter/<name>")
	case len(s) > MaxParameterNameLength:
		return bad(fmt.Sprintf("is %d characters; SSM allows %d for a parameter's name, its ARN's prefix included", len(s), MaxParameterNameLength))
	}
	if err := validatePath("/" + name); err != nil {
		return Ref{}, fmt.Errorf("parameter ARN %q: %w", s, err)
	}
	if strings.Contains(name, "/") {
		name = "/" + name
	}
	return Ref{Form: RefARN, Name: name, Partition: partition, Region: region, Account: account}, nil
}
