package model

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseContext(t *testing.T) {
	yes, no := true, false
	thirty := 30 * time.Second
	zero := time.Duration(0)
	tests := []struct {
		name    string
		ctx     map[string]any
		want    Context
		wantErr []string // each a line of the error, in ContextKeys' order
	}{
		{name: "empty", ctx: nil},
		{name: "cdk.json's JSON types", ctx: map[string]any{
			"appId": "shop", "branch": "feature/login", "fnenvPrefix": "/acme", "fnenvPaths": "amplify",
			"fnenvSecretsMaxAge": "30s", "fnenvCodegen": false, "fnenvCheckSecrets": true, "other": 42.0,
		}, want: Context{AppID: "shop", Branch: "feature/login", Prefix: "/acme", Paths: PathsAmplify, SecretsMaxAge: &thirty, Codegen: &no, CheckSecrets: &yes}},
		{name: "the strings -c gives", ctx: map[string]any{"fnenvCodegen": "true", "fnenvCheckSecrets": "false", "fnenvSecretsMaxAge": "0s"},
			want: Context{SecretsMaxAge: &zero, Codegen: &yes, CheckSecrets: &no}},
		{name: "empty strings are unset", ctx: map[string]any{"appId": "", "fnenvPaths": "", "fnenvSecretsMaxAge": "", "fnenvCodegen": "", "fnenvCheckSecrets": ""}},
		{name: "every bad value, together", ctx: map[string]any{
			"appId": 123.0, "branch": true, "fnenvPrefix": map[string]any{"a": 1.0}, "fnenvPaths": "gen2",
			"fnenvSecretsMaxAge": 30.0, "fnenvCodegen": "yes", "fnenvCheckSecrets": 1.0,
		}, wantErr: []string{
			`context appId must be a string, got 123 (a number)`,
			`context branch must be a string, got true (a boolean)`,
			`context fnenvPrefix must be a string, got {"a":1} (an object)`,
			`context fnenvPaths must be "fnenv" (the default) or "amplify" (Amplify Gen 2's paths), got "gen2"`,
			`context fnenvSecretsMaxAge must be a Go duration of zero or more, like "30s" or "10m" ("0s": for the life of the execution environment), got 30 (a number)`,
			`context fnenvCodegen must be true or false (as JSON, or the string -c gives: -c fnenvCodegen=true), got "yes"`,
			`context fnenvCheckSecrets must be true or false (as JSON, or the string -c gives: -c fnenvCheckSecrets=true), got 1 (a number)`,
		}},
		{name: "a negative max age", ctx: map[string]any{"fnenvSecretsMaxAge": "-1s"}, wantErr: []string{
			`context fnenvSecretsMaxAge must be a Go duration of zero or more, like "30s" or "10m" ("0s": for the life of the execution environment), got "-1s"`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseContext(tt.ctx)
			if tt.wantErr != nil {
				if err == nil {
					t.Fatalf("ParseContext = %+v, want an error", got)
				}
				if diff := cmp.Diff(strings.Split(err.Error(), "\n"), tt.wantErr); diff != "" {
					t.Errorf("error (-got +want):\n%s", diff)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseContext: %v", err)
			}
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("ParseContext (-got +want):\n%s", diff)
			}
		})
	}
}

func TestContextDefaults(t *testing.T) {
	var c Context
	if c.MaxAge() != DefaultSecretsMaxAge || !c.CodegenOn() {
		t.Errorf("zero Context: MaxAge %v, CodegenOn %v; want %v, true", c.MaxAge(), c.CodegenOn(), DefaultSecretsMaxAge)
	}
}
