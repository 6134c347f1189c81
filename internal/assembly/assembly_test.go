package assembly

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fnenv/fnenv/model"
)

// The CLI's fixture holds records in all three places a stack's metadata
// can be: inline in manifest.json, in an additional metadata file, and in a
// nested assembly (a Stage).
func TestRead(t *testing.T) {
	dir := filepath.Join("..", "cli", "testdata", "cdk.out")
	arts, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	type summary struct {
		ID, StackName, Template string
		Functions               []string
	}
	var got []summary
	for _, a := range arts {
		s := summary{ID: a.ID, StackName: a.StackName, Template: filepath.Base(a.Template)}
		for _, r := range a.Records {
			s.Functions = append(s.Functions, r.Function.Name)
		}
		got = append(got, s)
	}
	want := []summary{
		{ID: "Payments-main", StackName: "Payments-main", Template: "Payments-main.template.json", Functions: []string{"charge", "refund"}},
		{ID: "Team-main", StackName: "Team-main", Template: "Team-main.template.json", Functions: []string{"report"}},
	}
	// The nested Stage's stacks come after their parent assembly's.
	if len(got) < len(want)+1 {
		t.Fatalf("artifacts = %+v, want the two top-level stacks and the Stage's", got)
	}
	if diff := cmp.Diff(got[:2], want); diff != "" {
		t.Errorf("top-level artifacts (-got +want):\n%s", diff)
	}
	recs, err := Records(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, a := range arts {
		n += len(a.Records)
	}
	if len(recs) != n || n < 4 {
		t.Errorf("Records = %d records, Read = %d; want the same, 4 or more", len(recs), n)
	}
}

func TestReadMissing(t *testing.T) {
	if _, err := Read(t.TempDir()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Read of an empty dir: error = %v, want os.ErrNotExist", err)
	}
}

// Functions reads back what WriteFake writes: the record, the stack, the
// Lambda function's logical id, environment (a token kept as it is) and
// timeout.
func TestFunctions(t *testing.T) {
	dir := t.TempDir()
	rec := model.Record{Backend: model.Backend{AppID: "a", Branch: "main"}, Path: "Greet-main/Greet",
		Function: model.NewFunction("greet", "functions/greet", map[string]model.Variable{"GREETING": {Kind: model.Literal}})}
	env := map[string]any{"GREETING": "hello", "TABLE": map[string]any{"Ref": "Table1234"}}
	if err := WriteFake(dir, FakeFunction{Record: rec, Environment: env, Timeout: 7}); err != nil {
		t.Fatal(err)
	}
	got, err := Functions(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []Function{{Record: rec, StackName: "Greet-main", LogicalID: FakeLogicalID("Greet"), Environment: env, Timeout: 7}}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("Functions (-got +want):\n%s", diff)
	}
}
