package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/fnenv/fnenv/codegen/spec"
)

// manifest is the part of a cloud assembly's manifest.json fnenv reads.
type manifest struct {
	Artifacts map[string]artifact `json:"artifacts"`
}

type artifact struct {
	Type string `json:"type"`
	// Metadata maps construct paths to their metadata entries.
	Metadata map[string][]metadataEntry `json:"metadata"`
	// AdditionalMetadataFile names a file beside manifest.json with more
	// entries in the same shape; aws-cdk-lib 2.270 writes a stack's
	// construct metadata there ("<stack>.metadata.json") rather than inline.
	AdditionalMetadataFile string `json:"additionalMetadataFile"`
	Properties             struct {
		// DirectoryName is a nested assembly's directory (a Stage).
		DirectoryName string `json:"directoryName"`
	} `json:"properties"`
}

type metadataEntry struct {
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

// ReadAssembly returns the records (spec.MetadataType metadata) of the cloud
// assembly in dir and of its nested assemblies, sorted by construct path.
// A missing manifest.json is an error wrapping os.ErrNotExist.
func ReadAssembly(dir string) ([]spec.Record, error) {
	var out []spec.Record
	if err := readAssembly(dir, &out, 0); err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

func readAssembly(dir string, out *[]spec.Record, depth int) error {
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
		if err := addRecords(p, id, a.Metadata, out); err != nil {
			return err
		}
		if a.AdditionalMetadataFile != "" {
			mp := filepath.Join(dir, a.AdditionalMetadataFile)
			data, err := os.ReadFile(mp)
			if err != nil {
				return fmt.Errorf("artifact %s: %w", id, err)
			}
			var md map[string][]metadataEntry
			if err := json.Unmarshal(data, &md); err != nil {
				return fmt.Errorf("%s: not a metadata file: %w", mp, err)
			}
			if err := addRecords(mp, id, md, out); err != nil {
				return err
			}
		}
		if a.Type == "cdk:cloud-assembly" && a.Properties.DirectoryName != "" {
			if err := readAssembly(filepath.Join(dir, a.Properties.DirectoryName), out, depth+1); err != nil {
				return fmt.Errorf("nested assembly %s: %w", id, err)
			}
		}
	}
	return nil
}

func addRecords(file, artifactID string, md map[string][]metadataEntry, out *[]spec.Record) error {
	paths := make([]string, 0, len(md))
	for p := range md {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, path := range paths {
		for _, e := range md[path] {
			if e.Type != spec.MetadataType {
				continue
			}
			// The construct writes the record's JSON as a string; accept the
			// object too.
			raw := []byte(e.Data)
			var s string
			if err := json.Unmarshal(raw, &s); err == nil {
				raw = []byte(s)
			}
			var r spec.Record
			if err := json.Unmarshal(raw, &r); err != nil {
				return fmt.Errorf("%s: artifact %s, %s: %s data is not a function record: %w", file, artifactID, path, spec.MetadataType, err)
			}
			if r.Function.Name == "" {
				return fmt.Errorf("%s: artifact %s, %s: %s record has no function name", file, artifactID, path, spec.MetadataType)
			}
			*out = append(*out, r)
		}
	}
	return nil
}

// readRecords reads the assembly for a command, with messages that say
// what to do.
func readRecords(dir string) ([]spec.Record, error) {
	recs, err := ReadAssembly(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, failed("no cloud assembly at %s (%v): synthesize the app first (cdk synth -c branch=BRANCH) or pass --assembly DIR", dir, err)
	}
	if err != nil {
		return nil, failed("reading the cloud assembly: %v", err)
	}
	if len(recs) == 0 {
		return nil, failed("the cloud assembly at %s holds no fnenv function (no metadata of type %q): is it this app's assembly, synthesized with fnenv functions?", dir, spec.MetadataType)
	}
	return recs, nil
}
