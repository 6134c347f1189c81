package demo

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/fnenv/fnenv/codegen/spec"
)

// Stack is one CloudFormation stack of a synthesized cloud assembly.
type Stack struct {
	Name      string // the CloudFormation stack name
	Template  map[string]any
	Functions []DeployedFunction
}

// DeployedFunction ties a function's spec to its Lambda resource and built
// bootstrap in the cloud assembly.
type DeployedFunction struct {
	Record    spec.Record
	LogicalID string // the AWS::Lambda::Function's logical id
	Bootstrap string // the staged asset's bootstrap binary
}

type metadata map[string][]struct {
	Type string `json:"type"`
	Data any    `json:"data"`
}

type manifest struct {
	Artifacts map[string]struct {
		Type string `json:"type"`
		// Since aws-cdk-lib 2.2xx construct metadata is written to a file
		// beside the manifest, named here, rather than inline.
		AdditionalMetadataFile string `json:"additionalMetadataFile"`
		Properties             struct {
			TemplateFile string `json:"templateFile"`
			StackName    string `json:"stackName"`
			File         string `json:"file"`
		} `json:"properties"`
		Metadata metadata `json:"metadata"`
	} `json:"artifacts"`
}

// ReadAssembly reads the stacks of the cloud assembly in dir, each with its
// functions' records, Lambda logical ids and staged bootstraps.
func ReadAssembly(dir string) ([]Stack, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return nil, fmt.Errorf("reading the cloud assembly: %w", err)
	}
	var m manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("%s/manifest.json: %w", dir, err)
	}
	ids := make([]string, 0, len(m.Artifacts))
	for id := range m.Artifacts {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var stacks []Stack
	for _, id := range ids {
		a := m.Artifacts[id]
		switch a.Type {
		case "cdk:cloud-assembly": // a nested assembly (a Stage)
			nested, err := ReadAssembly(filepath.Join(dir, a.Properties.File))
			if err != nil {
				return nil, err
			}
			stacks = append(stacks, nested...)
			continue
		case "aws:cloudformation:stack":
		default:
			continue
		}
		st := Stack{Name: a.Properties.StackName}
		if st.Name == "" {
			st.Name = id
		}
		traw, err := os.ReadFile(filepath.Join(dir, a.Properties.TemplateFile))
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(traw, &st.Template); err != nil {
			return nil, fmt.Errorf("%s: %w", a.Properties.TemplateFile, err)
		}
		md := metadata{}
		for k, v := range a.Metadata {
			md[k] = v
		}
		if a.AdditionalMetadataFile != "" {
			raw, err := os.ReadFile(filepath.Join(dir, a.AdditionalMetadataFile))
			if err != nil {
				return nil, fmt.Errorf("stack %s: %w", st.Name, err)
			}
			var more metadata
			if err := json.Unmarshal(raw, &more); err != nil {
				return nil, fmt.Errorf("%s: %w", a.AdditionalMetadataFile, err)
			}
			for k, v := range more {
				md[k] = append(md[k], v...)
			}
		}
		for _, entries := range md {
			for _, e := range entries {
				if e.Type != spec.MetadataType {
					continue
				}
				s, ok := e.Data.(string)
				if !ok {
					return nil, fmt.Errorf("stack %s: %s metadata is not a JSON string", st.Name, spec.MetadataType)
				}
				var r spec.Record
				if err := json.Unmarshal([]byte(s), &r); err != nil {
					return nil, fmt.Errorf("stack %s: %s metadata: %w", st.Name, spec.MetadataType, err)
				}
				fn := DeployedFunction{Record: r}
				fn.LogicalID, fn.Bootstrap = findLambda(st.Template, r.Path, dir)
				if fn.LogicalID == "" {
					return nil, fmt.Errorf("stack %s: no AWS::Lambda::Function under %s", st.Name, r.Path)
				}
				st.Functions = append(st.Functions, fn)
			}
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
		p, _ := md["aws:cdk:path"].(string)
		if !strings.HasPrefix(p, path+"/") {
			continue
		}
		props, _ := r["Properties"].(map[string]any)
		code, _ := props["Code"].(map[string]any)
		if key, ok := code["S3Key"].(string); ok {
			bootstrap = filepath.Join(dir, "asset."+strings.TrimSuffix(key, ".zip"), "bootstrap")
		}
		if ap, ok := md["aws:asset:path"].(string); ok && bootstrap == "" {
			bootstrap = filepath.Join(dir, ap, "bootstrap")
		}
		return id, bootstrap
	}
	return "", ""
}
