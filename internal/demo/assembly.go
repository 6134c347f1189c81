package demo

import (
	"fmt"
	"sort"

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
// functions' records, Lambda logical ids and staged bootstraps
// (assembly.Functions), functions sorted by name.
func ReadAssembly(dir string) ([]Stack, error) {
	fns, err := assembly.Functions(dir)
	if err != nil {
		return nil, fmt.Errorf("reading the cloud assembly: %w", err)
	}
	var stacks []Stack
	for _, f := range fns {
		if len(stacks) == 0 || stacks[len(stacks)-1].Name != f.StackName {
			stacks = append(stacks, Stack{Name: f.StackName})
		}
		st := &stacks[len(stacks)-1]
		st.Functions = append(st.Functions, DeployedFunction{Record: f.Record, LogicalID: f.LogicalID, Bootstrap: f.Bootstrap})
	}
	for _, st := range stacks {
		sort.Slice(st.Functions, func(i, j int) bool {
			return st.Functions[i].Record.Function.Name < st.Functions[j].Record.Function.Name
		})
	}
	return stacks, nil
}
