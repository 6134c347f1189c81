package function

import (
	"github.com/fnenv/fnenv/codegen"
	"github.com/fnenv/fnenv/spec"
)

// writeEnvPackage writes the function's env package at <Entry>/env; it
// leaves the file untouched when its bytes would not change.
func writeEnvPackage(moduleRoot string, fn spec.Function) error {
	_, err := codegen.Write(moduleRoot, fn)
	return err
}
