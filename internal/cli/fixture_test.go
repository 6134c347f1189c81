package cli

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fnenv/fnenv/model"
)

var update = flag.Bool("update", false, "rewrite testdata/cdk.out from fixtureRecords")

// fixtureBackend is the backend the fixture's functions were "synthesized" for.
var fixtureBackend = model.Backend{Prefix: "/amplify", AppID: "checkapp", Branch: "main"}

func secretVar(name string) model.Variable { return model.Variable{Kind: model.Secret, Secret: name} }

// fixtureRecords are the records of testdata/cdk.out: four functions in
// three stacks (one inline metadata, one in an additional metadata file as
// aws-cdk-lib 2.270 writes it, one in a nested assembly), 25 distinct
// secrets, some used by several functions.
func fixtureRecords() map[string]model.Record {
	report := map[string]model.Variable{"REPORT_TITLE": {Kind: model.Literal}}
	for i := range 20 {
		report[fmt.Sprintf("REPORT_SECRET_%02d", i)] = secretVar(fmt.Sprintf("REPORT_SECRET_%02d", i))
	}
	rec := func(path, name, entry string, env map[string]model.Variable) model.Record {
		return model.Record{Backend: fixtureBackend, Path: path, Function: model.NewFunction(name, entry, env)}
	}
	return map[string]model.Record{
		"charge": rec("Payments-main/Charge", "charge", "app/functions/charge", map[string]model.Variable{
			"STRIPE_KEY": secretVar("STRIPE_KEY"), "WEBHOOK_SECRET": secretVar("STRIPE_WEBHOOK_SECRET"),
			"DB_PASSWORD": secretVar("DB_PASSWORD"), "CURRENCY": {Kind: model.Literal},
		}),
		"refund": rec("Payments-main/Refund", "refund", "app/functions/refund", map[string]model.Variable{
			"API_KEY": secretVar("STRIPE_KEY"), "DB_PASSWORD": secretVar("DB_PASSWORD"),
		}),
		"report": rec("Team-main/Report", "report", "app/functions/report", report),
		"notify": rec("Stage/Notify-main/Notify", "notify", "app/functions/notify", map[string]model.Variable{
			"SLACK_TOKEN": secretVar("SLACK_TOKEN"), "SENDGRID_KEY": secretVar("SENDGRID_KEY"),
			"DB_PASSWORD": secretVar("DB_PASSWORD"),
		}),
	}
}

func fixtureFiles(t *testing.T) map[string]string {
	t.Helper()
	recs := fixtureRecords()
	entry := func(r model.Record) map[string]any {
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		return map[string]any{"type": model.MetadataType, "data": string(b)}
	}
	logical := func(id string) map[string]any { return map[string]any{"type": "aws:cdk:logicalId", "data": id} }
	enc := func(v any) string {
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		return string(b) + "\n"
	}
	stack := func(tmpl string) map[string]any {
		return map[string]any{"type": "aws:cloudformation:stack", "environment": "aws://unknown-account/unknown-region",
			"properties": map[string]any{"templateFile": tmpl, "validateOnSynth": false}}
	}
	payments := stack("Payments-main.template.json")
	payments["metadata"] = map[string]any{
		"/Payments-main/Charge":          []any{entry(recs["charge"])},
		"/Payments-main/Charge/Resource": []any{logical("Charge0A1B2C3D")},
		"/Payments-main/Refund":          []any{logical("Ignored"), entry(recs["refund"])},
	}
	team := stack("Team-main.template.json")
	team["additionalMetadataFile"] = "Team-main.metadata.json"
	notify := stack("StageNotifymain12345678.template.json")
	notify["metadata"] = map[string]any{"/Stage/Notify-main/Notify": []any{entry(recs["notify"])}}
	return map[string]string{
		"manifest.json": enc(map[string]any{"version": "54.0.0", "artifacts": map[string]any{
			"Tree":          map[string]any{"type": "cdk:tree", "properties": map[string]any{"file": "tree.json"}},
			"Payments-main": payments,
			"Team-main":     team,
			"assembly-Stage": map[string]any{"type": "cdk:cloud-assembly",
				"properties": map[string]any{"directoryName": "assembly-Stage", "displayName": "Stage"}},
		}}),
		"Team-main.metadata.json": enc(map[string]any{
			"/Team-main/Report": []any{entry(recs["report"])},
			"/Team-main":        []any{map[string]any{"type": "aws:cdk:stack-tags", "data": []any{}}},
		}),
		"assembly-Stage/manifest.json": enc(map[string]any{"version": "54.0.0", "artifacts": map[string]any{
			"StageNotifymain12345678": notify,
		}}),
	}
}

// TestFixtureUpToDate keeps testdata/cdk.out what fixtureRecords says
// (go test -run TestFixtureUpToDate -update rewrites it).
func TestFixtureUpToDate(t *testing.T) {
	for name, want := range fixtureFiles(t) {
		p := filepath.Join("testdata", "cdk.out", name)
		if *update {
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(string(got), want); diff != "" {
			t.Errorf("%s is stale (-got +want); run go test -run TestFixtureUpToDate -update:\n%s", p, diff)
		}
	}
}

func TestReadRecords(t *testing.T) {
	got, err := readRecords(filepath.Join("testdata", "cdk.out"))
	if err != nil {
		t.Fatal(err)
	}
	recs := fixtureRecords()
	want := []model.Record{recs["charge"], recs["refund"], recs["notify"], recs["report"]}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("readRecords (-got +want):\n%s", diff)
	}
}
