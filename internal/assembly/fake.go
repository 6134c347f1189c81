package assembly

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/fnenv/fnenv/model"
)

// FakeFunction is one function of a cloud assembly WriteFake writes.
type FakeFunction struct {
	// Record is the function's record; its Path, "<stack>/<id>", names
	// its stack and construct.
	Record model.Record
	// Environment is its Lambda function's Environment.Variables: strings,
	// or intrinsic functions (CDK tokens) such as {"Ref": "Table1234"}.
	Environment map[string]any
	// Timeout is its Timeout in seconds; 0 leaves it unset.
	Timeout int
}

// FakeLogicalID is the logical id WriteFake gives the Lambda function of
// the construct id: id + "Function1A2B3C4D".
func FakeLogicalID(id string) string { return id + "Function1A2B3C4D" }

// WriteFake writes into dir a cloud assembly as a synth writes one, for
// tests and benchmarks that need one without running a CDK app: per
// function, a stack (the first level of its Record.Path) whose manifest
// metadata holds the record and whose template holds its
// AWS::Lambda::Function (provided.al2023, bootstrap) below the construct.
func WriteFake(dir string, fns ...FakeFunction) error {
	artifacts := map[string]any{}
	files := map[string]any{}
	for _, fn := range fns {
		stack, id, ok := strings.Cut(fn.Record.Path, "/")
		if !ok {
			return fmt.Errorf("record path %q is not <stack>/<id>", fn.Record.Path)
		}
		data, err := json.Marshal(fn.Record)
		if err != nil {
			return err
		}
		props := map[string]any{"Environment": map[string]any{"Variables": fn.Environment}, "Runtime": "provided.al2023", "Handler": "bootstrap"}
		if fn.Timeout > 0 {
			props["Timeout"] = fn.Timeout
		}
		files[stack+".template.json"] = map[string]any{"Resources": map[string]any{
			FakeLogicalID(id): map[string]any{"Type": "AWS::Lambda::Function", "Properties": props,
				"Metadata": map[string]any{"aws:cdk:path": fn.Record.Path + "/Function/Resource"}},
		}}
		artifacts[stack] = map[string]any{"type": "aws:cloudformation:stack",
			"properties": map[string]any{"templateFile": stack + ".template.json"},
			"metadata":   map[string]any{"/" + fn.Record.Path: []any{map[string]any{"type": model.MetadataType, "data": string(data)}}}}
	}
	files["manifest.json"] = map[string]any{"version": "54.0.0", "artifacts": artifacts}
	for name, v := range files {
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}
