package model

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The stack tags fnenv puts on every stack of a backend (the stacks of
// backend.NewStack and those holding fnenv functions), by which the CLI
// finds a branch's stacks with CloudFormation's DescribeStacks.
const (
	// StackTagAppID holds the app id as it is, e.g. "fnenv-sample".
	StackTagAppID = "fnenv:app-id"
	// StackTagBranch holds BranchTag(branch): the branch as git names it,
	// e.g. "feature/login".
	StackTagBranch = "fnenv:branch"
)

// MaxTagValueLength is the limit of a tag value: "Value: 0–256 Unicode
// characters" (CloudFormation's Tag and the services its stack tags
// propagate to).
const MaxTagValueLength = 256

// BranchTag returns the value of the StackTagBranch tag for branch: the
// branch as git names it when every character of it is one AWS tags accept
// — Unicode letters and digits and _ . / = + - @ (the pattern of Lambda's,
// IAM's and S3's tags, [\p{L}\p{Z}\p{N}_.:/=+\-@]*; CloudFormation passes a
// stack's tags on to its resources, so a character one of them refuses
// fails the deploy) — and it has at most MaxTagValueLength characters.
// Any other branch ("fix/#12", "a'b") is tagged with BranchName(branch),
// which starts with a hyphen: git refuses branch names that do, so
// ParseBranchTag tells the two apart.
func BranchTag(branch string) string {
	if utf8.RuneCountInString(branch) <= MaxTagValueLength && strings.IndexFunc(branch, notTagRune) < 0 {
		return branch
	}
	return BranchName(branch)
}

func notTagRune(r rune) bool {
	return !unicode.IsLetter(r) && !unicode.IsNumber(r) && !strings.ContainsRune("_./=+-@", r)
}

// ParseBranchTag reads a StackTagBranch value: the branch as git names it
// (gitName), or for a branch BranchTag could not spell, "" and the
// branch's BranchName (name). name is always BranchName of the branch.
func ParseBranchTag(v string) (gitName, name string) {
	if strings.HasPrefix(v, "-") {
		return "", v
	}
	return v, BranchName(v)
}
