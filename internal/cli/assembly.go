package cli

import (
	"errors"
	"os"

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
