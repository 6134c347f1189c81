package assembly

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/fnenv/fnenv/model"
)

// Function is one fnenv function of a synthesized stack with what the
// stack's template says about its AWS::Lambda::Function: where to find it
// once deployed, and the configuration it deploys with.
type Function struct {
	Record model.Record
	// StackName is the CloudFormation stack name, e.g. "Payments-main".
	StackName string
	// LogicalID is the AWS::Lambda::Function's logical id in the stack.
	LogicalID string
	// Environment is the template's Environment.Variables: each value a
	// string, or an intrinsic function (a CDK token such as {"Ref": …})
	// that only CloudFormation resolves, at deploy.
	Environment map[string]any
	// Timeout is the template's Timeout in seconds; 0 when unset (Lambda's
	// default, 3 s).
	Timeout int
	// MemorySize is the template's MemorySize in MiB; 0 when unset
	// (Lambda's default, 128).
	MemorySize int
	// Bootstrap is the staged asset's bootstrap binary, built for Lambda;
	// "" when the template names no asset.
	Bootstrap string
}

// Functions returns every fnenv function of the cloud assembly in dir, with
// its stack and Lambda resource, in the order of Read (artifact, then
// construct path). A record without an AWS::Lambda::Function below its
// construct path is an error.
func Functions(dir string) ([]Function, error) {
	arts, err := Read(dir)
	if err != nil {
		return nil, err
	}
	var out []Function
	for _, a := range arts {
		if a.StackName == "" || len(a.Records) == 0 {
			continue
		}
		raw, err := os.ReadFile(a.Template)
		if err != nil {
			return nil, err
		}
		var tmpl struct {
			Resources map[string]resource `json:"Resources"`
		}
		if err := json.Unmarshal(raw, &tmpl); err != nil {
			return nil, fmt.Errorf("%s: not a CloudFormation template: %w", a.Template, err)
		}
		for _, r := range a.Records {
			fn, ok := findLambda(tmpl.Resources, r.Path, filepath.Dir(a.Template))
			if !ok {
				return nil, fmt.Errorf("stack %s: no AWS::Lambda::Function under %s (function %s)", a.StackName, r.Path, r.Function.Name)
			}
			fn.Record, fn.StackName = r, a.StackName
			out = append(out, fn)
		}
	}
	return out, nil
}

type resource struct {
	Type     string `json:"Type"`
	Metadata struct {
		Path      string `json:"aws:cdk:path"`
		AssetPath string `json:"aws:asset:path"`
	} `json:"Metadata"`
	Properties struct {
		Code struct {
			S3Key any `json:"S3Key"`
		} `json:"Code"`
		Environment struct {
			Variables map[string]any `json:"Variables"`
		} `json:"Environment"`
		Timeout    any `json:"Timeout"`
		MemorySize any `json:"MemorySize"`
	} `json:"Properties"`
}

// findLambda finds the Lambda function resource below construct path and
// its staged bootstrap: a directory asset staged as asset.<hash>/ is
// uploaded as <hash>.zip, the function's Code.S3Key.
func findLambda(res map[string]resource, path, dir string) (Function, bool) {
	ids := make([]string, 0, len(res))
	for id := range res {
		ids = append(ids, id)
	}
	sort.Strings(ids) // deterministic should a construct hold two
	for _, id := range ids {
		r := res[id]
		if r.Type != "AWS::Lambda::Function" || !strings.HasPrefix(r.Metadata.Path, path+"/") {
			continue
		}
		fn := Function{LogicalID: id, Environment: r.Properties.Environment.Variables,
			Timeout: number(r.Properties.Timeout), MemorySize: number(r.Properties.MemorySize)}
		if fn.Environment == nil {
			fn.Environment = map[string]any{}
		}
		if r.Metadata.AssetPath != "" {
			fn.Bootstrap = filepath.Join(dir, r.Metadata.AssetPath, "bootstrap")
		} else if key, ok := r.Properties.Code.S3Key.(string); ok {
			fn.Bootstrap = filepath.Join(dir, "asset."+strings.TrimSuffix(key, ".zip"), "bootstrap")
		}
		return fn, true
	}
	return Function{}, false
}

// number is a template's integer property: a JSON number, or a string
// holding one; 0 otherwise (unset, or a token).
func number(v any) int {
	switch n := v.(type) {
	case float64:
		return int(n)
	case string:
		var i int
		if _, err := fmt.Sscan(n, &i); err == nil {
			return i
		}
	}
	return 0
}
