package cli

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/fnenv/fnenv/internal/assembly"
	"github.com/fnenv/fnenv/model"
)

// readRecords reads the records of the cloud assembly in dir (see
// assembly.Records) for a command, with messages that say what to do.
func readRecords(dir string) ([]model.Record, error) {
	recs, err := assembly.Records(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, failed("no cloud assembly at %s (%v): synthesize the app first (cdk synth -c branch=BRANCH) or pass --assembly DIR", dir, err)
	}
	if err != nil {
		return nil, failed("reading the cloud assembly: %v", err)
	}
	if len(recs) == 0 {
		return nil, failed("the cloud assembly at %s holds no fnenv function (no metadata of type %q): is it this app's assembly, synthesized with fnenv functions?", dir, model.MetadataType)
	}
	return recs, nil
}

// assemblyBranch refuses a cloud assembly synthesized for other branches
// than branch (synthesized: the distinct branches of its records): what it
// holds — parameter paths, stack names, literals chosen per branch — is
// another branch's. The error names both branches and the synth command.
// A record cannot be recomputed for another branch: the app may declare
// other functions per branch, and a Secrets Manager secret's id is often a
// token resolved at synth. Every command that reads a branch's records
// (invoke, env, secret check) uses this rule, so that none reports on a
// branch the assembly does not describe.
func assemblyBranch(dir string, synthesized []string, branch string) error {
	var others []string
	for _, b := range synthesized {
		if b != branch {
			others = append(others, fmt.Sprintf("%q", b))
		}
	}
	if len(others) == 0 {
		return nil
	}
	return failed("the cloud assembly at %s was synthesized for branch %s, not %q: synthesize it for %q (cdk synth -c branch=%s), or pass --assembly DIR with a synth of that branch",
		dir, strings.Join(others, ", "), branch, branch, shellQuote(branch))
}
