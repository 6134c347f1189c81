package function

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestProblemMessageDropsStacks(t *testing.T) {
	var nilMap map[string]int
	runtimeErr := func() (r any) {
		defer func() { r = recover() }()
		nilMap["x"] = 1
		return nil
	}()
	tests := []struct {
		name   string
		panic  any
		want   string
		wantOK bool
	}{
		{"jsii validation error", errors.New("ValidationFailedWithErrors: Validation failed with the following errors:\n" +
			"  [Shop-main/Orders] function \"orders\": entry: directory lambda/nope does not exist\n" +
			"    at validateTree (/tmp/jsii-kernel-x/node_modules/aws-cdk-lib/core/lib/private/synthesis.js:1:2)\n" +
			"    at synthesize (/tmp/jsii-kernel-x/node_modules/aws-cdk-lib/core/lib/private/synthesis.js:3:4)\n"),
			"ValidationFailedWithErrors: Validation failed with the following errors:\n" +
				"  [Shop-main/Orders] function \"orders\": entry: directory lambda/nope does not exist", true},
		{"fnenv identity error", errors.New("fnenv: no app id: pass it as CDK context"), "fnenv: no app id: pass it as CDK context", true},
		{"a string", "function.New(\"X\"): props must not be nil", "function.New(\"X\"): props must not be nil", true},
		{"a Go runtime error panics on", runtimeErr, "", false},
		{"another value panics on", 42, "", false},
	}
	for _, tt := range tests {
		got, ok := problemMessage(tt.panic)
		if diff := cmp.Diff(got, tt.want); diff != "" || ok != tt.wantOK {
			t.Errorf("%s: ok = %v, want %v; message (-got +want):\n%s", tt.name, ok, tt.wantOK, diff)
		}
	}
}
