// Package assembly reads what the function construct writes into a
// synthesized cloud assembly: each function's model.Record, stored as
// construct metadata of type model.MetadataType, per stack.
package assembly

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/fnenv/fnenv/model"
)

// Artifact is one artifact of a cloud assembly that holds fnenv records, or
// any CloudFormation stack.
type Artifact struct {
	ID string
	// StackName is the CloudFormation stack name ("" for other artifacts).
	StackName string
	// Template is the path of the stack's template ("" for other artifacts).
	Template string
	// Records are the fnenv functions of the artifact, by construct path.
	Records []model.Record
	// Dependencies are the ids of the artifacts this one depends on, as
	// the manifest lists them (other stacks — from references and
	// AddDependency — and asset artifacts).
	Dependencies []string
}

// manifest is the part of a cloud assembly's manifest.json fnenv reads.
type manifest struct {
	Artifacts map[string]artifact `json:"artifacts"`
}

type artifact struct {
	Type         string   `json:"type"`
	Dependencies []string `json:"dependencies"`
	// Metadata maps construct paths to their metadata entries.
	Metadata map[string][]metadataEntry `json:"metadata"`
	// AdditionalMetadataFile names a file beside manifest.json with more
	// entries in the same shape; aws-cdk-lib 2.270 writes a stack's
	// construct metadata there ("<stack>.metadata.json") rather than inline.
	AdditionalMetadataFile string `json:"additionalMetadataFile"`
	Properties             struct {
		// DirectoryName is a nested assembly's directory (a Stage).
		DirectoryName string `json:"directoryName"`
		TemplateFile  string `json:"templateFile"`
		StackName     string `json:"stackName"`
	} `json:"properties"`
}

type metadataEntry struct {
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

// Read returns the stacks and other record-holding artifacts of the cloud
// assembly in dir and of its nested assemblies (Stages), sorted by artifact
// id, each with its records sorted by construct path. A missing
// manifest.json is an error wrapping os.ErrNotExist.
func Read(dir string) ([]Artifact, error) {
	var out []Artifact
	if err := read(dir, &out, 0); err != nil {
		return nil, err
	}
	return out, nil
}

// Records returns every record of the cloud assembly in dir, sorted by
// construct path.
func Records(dir string) ([]model.Record, error) {
	arts, err := Read(dir)
	if err != nil {
		return nil, err
	}
	var out []model.Record
	for _, a := range arts {
		out = append(out, a.Records...)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

func read(dir string, out *[]Artifact, depth int) error {
	if depth > 16 {
		return fmt.Errorf("%s: cloud assemblies nested more than 16 deep", dir)
	}
	p := filepath.Join(dir, "manifest.json")
	data, err := os.ReadFile(p)
	if err != nil {
		return err
	}
	var m manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return fmt.Errorf("%s is not a cloud assembly manifest: %w", p, err)
	}
	ids := make([]string, 0, len(m.Artifacts))
	for id := range m.Artifacts {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		a := m.Artifacts[id]
		art := Artifact{ID: id, Dependencies: a.Dependencies}
		if a.Type == "aws:cloudformation:stack" {
			art.StackName = a.Properties.StackName
			if art.StackName == "" {
				art.StackName = id
			}
			art.Template = filepath.Join(dir, a.Properties.TemplateFile)
		}
		if err := addRecords(p, id, a.Metadata, &art.Records); err != nil {
			return err
		}
		if a.AdditionalMetadataFile != "" {
			mp := filepath.Join(dir, a.AdditionalMetadataFile)
			// Not wrapped: a missing metadata file is a broken assembly,
			// not a missing one (os.ErrNotExist means no manifest.json).
			data, err := os.ReadFile(mp)
			if err != nil {
				return fmt.Errorf("%s, the additionalMetadataFile of artifact %s in %s, cannot be read: %v", mp, id, p, err)
			}
			var md map[string][]metadataEntry
			if err := json.Unmarshal(data, &md); err != nil {
				return fmt.Errorf("%s, the additionalMetadataFile of artifact %s in %s, is not a metadata file (a JSON object from construct paths to lists of {\"type\", \"data\"}): %v", mp, id, p, err)
			}
			if err := addRecords(mp, id, md, &art.Records); err != nil {
				return err
			}
		}
		sort.Slice(art.Records, func(i, j int) bool { return art.Records[i].Path < art.Records[j].Path })
		if art.StackName != "" || len(art.Records) > 0 {
			*out = append(*out, art)
		}
		if a.Type == "cdk:cloud-assembly" && a.Properties.DirectoryName != "" {
			if err := read(filepath.Join(dir, a.Properties.DirectoryName), out, depth+1); err != nil {
				return fmt.Errorf("nested assembly %s: %v", id, err) // not os.ErrNotExist: the outer assembly exists
			}
		}
	}
	return nil
}

func addRecords(file, artifactID string, md map[string][]metadataEntry, out *[]model.Record) error {
	for path, entries := range md {
		for _, e := range entries {
			if e.Type != model.MetadataType {
				continue
			}
			// The construct writes the record's JSON as a string; accept the
			// object too.
			raw := []byte(e.Data)
			var s string
			if err := json.Unmarshal(raw, &s); err == nil {
				raw = []byte(s)
			}
			var r model.Record
			if err := json.Unmarshal(raw, &r); err != nil {
				return fmt.Errorf("%s: artifact %s, %s: %s data is not a function record: %w", file, artifactID, path, model.MetadataType, err)
			}
			if r.Function.Name == "" {
				return fmt.Errorf("%s: artifact %s, %s: %s record has no function name", file, artifactID, path, model.MetadataType)
			}
			*out = append(*out, r)
		}
	}
	return nil
}
