package model

import (
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// Paths is a layout of parameter paths: fnenv's own (the default) or
// Amplify Gen 2's. It comes from CDK context "fnenvPaths" (ContextPaths) or
// the CLI's --paths flag.
type Paths string

const (
	// PathsFnenv is fnenv's layout, the default:
	//
	//	branch  <prefix>/<appId>/<BranchName(branch)>/<NAME>
	//	shared  <prefix>/shared/<appId>/<NAME>
	//
	// with <prefix> "/amplify" unless configured (ContextPrefix).
	PathsFnenv Paths = "fnenv"
	// PathsAmplify is Amplify Gen 2's layout, so that secrets set in the
	// Amplify console or with `ampx` are read as they are:
	//
	//	branch  /amplify/<app id's letters and digits>/<branch's letters and digits, ≤50>-branch-<hash>/<NAME>
	//	shared  /amplify/shared/<appId>/<NAME>
	//
	// <hash> is the first 10 hex digits of SHA-512(appId + branch) over the
	// raw app id and branch; the app id's part is cut to 100 characters minus
	// the branch's part. The rules are those of aws-amplify/amplify-backend,
	// packages/platform-core: BackendIdentifierConversions.toStackName (type
	// "branch", namespace = app id, name = branch) and
	// ParameterPathConversions; the shared path uses the app id as it is.
	// The prefix is always "/amplify": Amplify's paths have no other.
	PathsAmplify Paths = "amplify"
)

// ParsePaths returns the layout named s; "" is PathsFnenv.
func ParsePaths(s string) (Paths, error) {
	switch p := Paths(s); p {
	case "":
		return PathsFnenv, nil
	case PathsFnenv, PathsAmplify:
		return p, nil
	}
	return "", fmt.Errorf("paths %q: must be %q (the default) or %q (Amplify Gen 2's paths)", s, PathsFnenv, PathsAmplify)
}

// Limits of the names a branch maps to, each with its source.
const (
	// MaxStackNameLength is CloudFormation's limit on a stack name: "The
	// name must be unique in the Region ... can contain only alphanumeric
	// characters (case-sensitive) and hyphens. It must start with an
	// alphabetic character and can't be longer than 128 characters."
	MaxStackNameLength = 128
	// MaxBranchName bounds BranchName: a branch's level in parameter paths
	// is at most 100 characters, which leaves room in a stack name of 128
	// for a stack id of 27.
	MaxBranchName = 100
	// hashLen is the hex digits of the hash that tells changed names apart
	// (40 bits, as Amplify's).
	hashLen = 10
	// amplifyNameLen is how much of the branch Amplify keeps.
	amplifyNameLen = 50
)

// BranchName maps a branch, as git names it, to its level in fnenv's
// parameter paths and the suffix of its stack names:
//
//   - A branch of letters, digits and hyphens that does not start with a
//     hyphen and has at most MaxBranchName characters keeps its name:
//     "main" → "main", "feature-login" → "feature-login".
//   - Any other branch is changed: "-" + its letters and digits with each
//     run of other characters made one hyphen (cut to fit) + "-" + the first
//     10 hex digits of SHA-512(branch):
//     "feature/login" → "-feature-login-<hash>", "release/1.2" →
//     "-release-1-2-<hash>", "feature_x" → "-feature-x-<hash>".
//
// The result matches [A-Za-z0-9-]+, a valid CloudFormation stack-name part
// and SSM path level. Two different branches never map to one name: a
// kept name never starts with a hyphen (git refuses branch names that do:
// `git check-ref-format --branch`), a changed one always does, and changed
// names differ in their hash of the raw branch.
func BranchName(branch string) string { return branchName(branch, MaxBranchName) }

// branchName is BranchName in at most max (≥ hashLen+2) characters.
func branchName(branch string, max int) string {
	if keeps(branch) && len(branch) <= max {
		return branch
	}
	s := hyphenate(branch)
	if room := max - hashLen - 2; len(s) > room {
		s = strings.TrimRight(s[:room], "-")
	}
	return "-" + s + "-" + hash(branch)
}

// keeps reports whether branch is [A-Za-z0-9][A-Za-z0-9-]*.
func keeps(branch string) bool {
	if branch == "" || branch[0] == '-' {
		return false
	}
	for i := 0; i < len(branch); i++ {
		if !isAlnum(branch[i]) && branch[i] != '-' {
			return false
		}
	}
	return true
}

// hyphenate keeps the letters and digits of s, each run of other bytes
// made one hyphen, without a hyphen at either end.
func hyphenate(s string) string {
	var sb strings.Builder
	dash := false
	for i := 0; i < len(s); i++ {
		if isAlnum(s[i]) {
			if dash && sb.Len() > 0 {
				sb.WriteByte('-')
			}
			dash = false
			sb.WriteByte(s[i])
		} else {
			dash = true
		}
	}
	return sb.String()
}

// alnum keeps the ASCII letters and digits of s (Amplify's sanitizeChars:
// s.replace(/[^A-Za-z0-9]/g, "")).
func alnum(s string) string {
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		if isAlnum(s[i]) {
			sb.WriteByte(s[i])
		}
	}
	return sb.String()
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// hash is the first hashLen hex digits of SHA-512(s).
func hash(s string) string {
	sum := sha512.Sum512([]byte(s))
	return hex.EncodeToString(sum[:])[:hashLen]
}

// StackName returns the name of base's stack on branch:
// "<base>-<BranchName(branch)>" ("Payments" on main → "Payments-main", on
// feature/login → "Payments--feature-login-<hash>"). When that would pass
// CloudFormation's 128 characters, the branch's part is the changed form
// cut to fit. base must match [A-Za-z][A-Za-z0-9-]* (CloudFormation's rule
// for stack names) and leave room for the branch: an error names base,
// branch and the rule.
func StackName(base, branch string) (string, error) {
	if base == "" || !isLetter(base[0]) || strings.ContainsFunc(base, func(r rune) bool { return r > 0x7f || !isAlnum(byte(r)) && r != '-' }) {
		return "", fmt.Errorf("stack name %q for branch %q: must match [A-Za-z][A-Za-z0-9-]* (CloudFormation's rule for stack names: a letter first, then letters, digits and hyphens)", base, branch)
	}
	room := MaxStackNameLength - len(base) - 1
	name := BranchName(branch)
	if len(name) > room {
		if room < hashLen+2 {
			return "", fmt.Errorf("stack name %q for branch %q: too long to carry the branch: CloudFormation allows %d characters, which leaves %d for the branch, and a branch may need %d; shorten the stack id", base, branch, MaxStackNameLength, max(room, 0), hashLen+2)
		}
		name = branchName(branch, room)
	}
	return base + "-" + name, nil
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// amplifyLevels returns Amplify Gen 2's two levels of a branch's path:
// the app id's part and "<branch's part>-branch-<hash>".
func amplifyLevels(appID, branch string) (namespace, name string) {
	n := alnum(branch)
	if len(n) > amplifyNameLen {
		n = n[:amplifyNameLen]
	}
	// toStackName: namespace.slice(0, 128 - "amplify" - "branch" - name - 4 dashes - 10 - 1)
	ns := alnum(appID)
	if limit := MaxStackNameLength - len("amplify") - len("branch") - len(n) - 4 - hashLen - 1; len(ns) > limit {
		ns = ns[:limit]
	}
	return ns, n + "-branch-" + hash(appID+branch)
}

// reservedAppLevels are the names an app id's level in branch paths may
// not take: "shared" holds every app's shared secrets
// (<prefix>/shared/<appId>/), and Amplify keeps references between
// backends under /amplify/resource_reference/.
var reservedAppLevels = map[string]string{
	"shared":             "<prefix>/shared/ holds the shared secrets of every app, so its branches' paths would be other apps' shared secrets",
	"resource_reference": "Amplify Gen 2 keeps references between backends under /amplify/resource_reference/",
}

// ValidateLevel checks one level of a parameter path — an app id, a secret
// name — against SSM's rules: the characters [a-zA-Z0-9_.-], at least one;
// and not "." or "..", which name no level of their own ("/a/../X" reads
// as "/X" to anyone who resolves it). what names the level in the error,
// e.g. "secret name".
func ValidateLevel(what, s string) error {
	if s == "." || s == ".." {
		return fmt.Errorf("%s %q is refused: %q is a relative path level (the level itself or its parent), not a name of its own", what, s, s)
	}
	bad := s == ""
	for i := 0; i < len(s) && !bad; i++ {
		c := s[i]
		bad = !isAlnum(c) && c != '_' && c != '.' && c != '-'
	}
	if bad {
		return fmt.Errorf("%s %q must match [a-zA-Z0-9_.-]+ (the characters SSM allows in a parameter name level)", what, s)
	}
	return nil
}

// ValidateBackend checks the app id, branch, prefix and paths of b, and
// returns every problem at once.
func ValidateBackend(b Backend) error {
	var errs []error
	paths, err := ParsePaths(string(b.Paths))
	if err != nil {
		errs = append(errs, err)
	}
	if err := ValidateLevel("app id", b.AppID); err != nil {
		errs = append(errs, err)
	} else {
		level := b.AppID
		if paths == PathsAmplify {
			level, _ = amplifyLevels(b.AppID, b.Branch)
			if level == "" {
				errs = append(errs, fmt.Errorf("app id %q has no letter or digit: Amplify Gen 2's branch paths keep only those of the app id", b.AppID))
			}
		}
		if why, ok := reservedAppLevels[level]; ok {
			errs = append(errs, fmt.Errorf("app id %q is refused: it makes %q a level of branch paths, and %s", b.AppID, level, why))
		}
	}
	if err := ValidateBranch(b.Branch); err != nil {
		errs = append(errs, err)
	}
	if p := b.Prefix; p != "" {
		if err := validatePrefix(p); err != nil {
			errs = append(errs, err)
		} else if paths == PathsAmplify && strings.TrimSuffix(p, "/") != DefaultPrefix {
			errs = append(errs, fmt.Errorf("parameter prefix %q cannot be used with paths %q: Amplify Gen 2's paths always start with %s; drop the prefix (context %s) or use paths %q", p, PathsAmplify, DefaultPrefix, ContextPrefix, PathsFnenv))
		}
	}
	return errors.Join(errs...)
}

// ValidateBranch checks a branch name against git's own rule for branch
// names — what `git check-ref-format --branch NAME` accepts (outside a
// repository, so that nothing is expanded) — and returns an error naming
// the branch, the rule it breaks and the fix. The rules are git's
// (Documentation/git-check-ref-format.txt; refs.c, check_refname_component
// and check_or_sanitize_refname, on "refs/heads/" + NAME; and
// strbuf_check_branch_ref, which refuses a leading '-' and "HEAD"):
//
//   - not empty, not "HEAD", not starting with '-';
//   - no ASCII control character (below 0x20, or 0x7f), space, '~', '^',
//     ':', '?', '*', '[' or '\' anywhere;
//   - no "..", no "@{";
//   - no empty level: no leading or trailing '/', no "//";
//   - no level starting with '.' or ending with ".lock";
//   - not ending with '.'.
//
// Bytes 0x80 and above (UTF-8) are allowed, as "@" alone and "a@b" are.
// A branch that passes may still be changed in parameter paths and stack
// names (BranchName: "feature/login" → "-feature-login-<hash>"): that
// leading '-' is the mapping's, not the branch's.
func ValidateBranch(branch string) error {
	if why := branchRule(branch); why != "" {
		return fmt.Errorf("branch %q is refused: %s, and git accepts no such branch name (git check-ref-format --branch); give the branch as git names it (git branch --show-current)", branch, why)
	}
	return nil
}

// branchRule is the first of git's branch-name rules branch breaks, ""
// when none.
func branchRule(branch string) string {
	switch {
	case branch == "":
		return "it is empty"
	case branch == "HEAD":
		return `"HEAD" names the current commit, not a branch`
	case branch[0] == '-':
		return "it starts with '-' (it would read as an option)"
	}
	for i := 0; i < len(branch); i++ {
		switch c := branch[i]; {
		case c < 0x20 || c == 0x7f:
			return fmt.Sprintf("it holds the control character %q at byte %d", c, i)
		case strings.IndexByte(" ~^:?*[\\", c) >= 0:
			return fmt.Sprintf("it holds %q at byte %d (git refuses space ~ ^ : ? * [ \\ anywhere)", c, i)
		}
	}
	switch {
	case strings.Contains(branch, ".."):
		return `it holds ".."`
	case strings.Contains(branch, "@{"):
		return `it holds "@{"`
	case strings.HasSuffix(branch, "."):
		return "it ends with '.'"
	}
	for level := range strings.SplitSeq(branch, "/") {
		switch {
		case level == "":
			return "it has an empty level (a leading or trailing '/', or \"//\")"
		case level[0] == '.':
			return fmt.Sprintf("its level %q starts with '.'", level)
		case strings.HasSuffix(level, ".lock"):
			return fmt.Sprintf("its level %q ends with \".lock\"", level)
		}
	}
	return ""
}

// validatePrefix checks a parameter prefix: '/' then levels of
// [a-zA-Z0-9_.-], none empty, "." or "..".
func validatePrefix(p string) error {
	if !strings.HasPrefix(p, "/") {
		return fmt.Errorf("parameter prefix %q must start with '/'", p)
	}
	levels := strings.Split(strings.TrimSuffix(p[1:], "/"), "/")
	if len(levels) == 1 && levels[0] == "" {
		return fmt.Errorf("parameter prefix %q must have at least one level, like %q", p, DefaultPrefix)
	}
	for _, l := range levels {
		if err := ValidateLevel("level", l); err != nil {
			return fmt.Errorf("parameter prefix %q: %w", p, err)
		}
	}
	return nil
}

// OwnsAppPrefix reports whether AppPrefix belongs to this app alone, for
// every branch. It does with fnenv's paths. With Amplify Gen 2's it does
// only when the app id is letters and digits (Amplify keeps only those:
// "my-app" and "myapp" share /amplify/myapp/) short enough never to be cut
// for a long branch name; Amplify's own app ids ("d1a2b3c4") are.
func (b Backend) OwnsAppPrefix() bool {
	if b.Paths != PathsAmplify {
		return true
	}
	long, _ := amplifyLevels(b.AppID, strings.Repeat("x", amplifyNameLen))
	return alnum(b.AppID) == b.AppID && long == b.AppID
}
