package demo

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A stack whose records sit in an additional metadata file, as aws-cdk-lib
// writes them, and whose function's code is a staged directory asset.
func TestReadAssembly(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("manifest.json", `{"artifacts":{
		"Payments-main":{"type":"aws:cloudformation:stack","additionalMetadataFile":"Payments-main.metadata.json",
			"properties":{"templateFile":"Payments-main.template.json"}},
		"Tree":{"type":"cdk:tree","properties":{"file":"tree.json"}}}}`)
	write("Payments-main.metadata.json", `{"/Payments-main/Charge":[{"type":"fnenv:function",
		"data":"{\"backend\":{\"appId\":\"a\",\"branch\":\"main\"},\"function\":{\"name\":\"charge\",\"entry\":\"app/functions/charge\",\"variables\":[{\"name\":\"STRIPE_KEY\",\"field\":\"StripeKey\",\"kind\":\"secret\",\"secret\":\"STRIPE_KEY\"}]},\"path\":\"Payments-main/Charge\"}"}]}`)
	write("Payments-main.template.json", `{"Resources":{
		"ChargeFn1234":{"Type":"AWS::Lambda::Function","Metadata":{"aws:cdk:path":"Payments-main/Charge/Function/Resource"},
			"Properties":{"Code":{"S3Bucket":"b","S3Key":"abc123.zip"}}},
		"Other":{"Type":"AWS::IAM::Role","Metadata":{"aws:cdk:path":"Payments-main/Charge/Role/Resource"}}}}`)

	stacks, err := ReadAssembly(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(stacks) != 1 || len(stacks[0].Functions) != 1 {
		t.Fatalf("stacks = %+v, want one stack with one function", stacks)
	}
	fn := stacks[0].Functions[0]
	got := []string{stacks[0].Name, fn.Record.Function.Name, fn.LogicalID, fn.Bootstrap}
	want := []string{"Payments-main", "charge", "ChargeFn1234", filepath.Join(dir, "asset.abc123", "bootstrap")}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("(-got +want):\n%s", diff)
	}
	if diff := cmp.Diff(Secrets(stacks), []string{"STRIPE_KEY"}); diff != "" {
		t.Errorf("Secrets (-got +want):\n%s", diff)
	}
}
