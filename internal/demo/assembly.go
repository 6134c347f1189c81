package demo

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/fnenv/fnenv/internal/assembly"
	"github.com/fnenv/fnenv/model"
)

// Stack is one CloudFormation stack of a synthesized cloud assembly.
type Stack struct {
	Name      string // the CloudFormation stack name
	Functions []DeployedFunction
}

// DeployedFunction ties a function's spec to its Lambda resource and built
// bootstrap in the cloud assembly.
type DeployedFunction struct {
	Record    model.Record
	LogicalID string // the AWS::Lambda::Function's logical id
	Bootstrap string // the staged asset's bootstrap binary
}

// ReadAssembly reads the stacks of the cloud assembly in dir, each with its
// functions' records, Lambda logical ids and staged bootstraps.
func ReadAssembly(dir string) ([]Stack, error) {
	arts, err := assembly.Read(dir)
	if err != nil {
		return nil, fmt.Errorf("reading the cloud assembly: %w", err)
	}
	var stacks []Stack
	for _, a := range arts {
		if a.StackName == "" {
			continue
		}
		raw, err := os.ReadFile(a.Template)
		if err != nil {
			return nil, err
		}
		var tmpl map[string]any
		if err := json.Unmarshal(raw, &tmpl); err != nil {
			return nil, fmt.Errorf("%s: %w", a.Template, err)
		}
		st := Stack{Name: a.StackName}
		for _, r := range a.Records {
			fn := DeployedFunction{Record: r}
			fn.LogicalID, fn.Bootstrap = findLambda(tmpl, r.Path, filepath.Dir(a.Template))
			if fn.LogicalID == "" {
				return nil, fmt.Errorf("stack %s: no AWS::Lambda::Function under %s", st.Name, r.Path)
			}
			st.Functions = append(st.Functions, fn)
		}
		sort.Slice(st.Functions, func(i, j int) bool {
			return st.Functions[i].Record.Function.Name < st.Functions[j].Record.Function.Name
		})
		stacks = append(stacks, st)
	}
	return stacks, nil
}

// findLambda finds the Lambda function resource below construct path and
// its staged bootstrap: a directory asset staged as asset.<hash>/ is
// uploaded as <hash>.zip, the function's Code.S3Key.
func findLambda(tmpl map[string]any, path, dir string) (logicalID, bootstrap string) {
	res, _ := tmpl["Resources"].(map[string]any)
	for id, r := range res {
		r, _ := r.(map[string]any)
		if r["Type"] != "AWS::Lambda::Function" {
			continue
		}
		md, _ := r["Metadata"].(map[string]any)
		if p, _ := md["aws:cdk:path"].(string); !strings.HasPrefix(p, path+"/") {
			continue
		}
		if ap, ok := md["aws:asset:path"].(string); ok {
			return id, filepath.Join(dir, ap, "bootstrap")
		}
		props, _ := r["Properties"].(map[string]any)
		code, _ := props["Code"].(map[string]any)
		if key, ok := code["S3Key"].(string); ok {
			bootstrap = filepath.Join(dir, "asset."+strings.TrimSuffix(key, ".zip"), "bootstrap")
		}
		return id, bootstrap
	}
	return "", ""
}
