package resolver_test

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// Production handlers (the function construct builds with -tags
// lambda.norpc) link neither godotenv nor os/exec; local builds keep the
// dotenv reader. Package model, which every handler links for the wire
// format, brings neither os/exec nor regexp (the SDK's endpoint rules link
// regexp anyway, but model adds no regexp compiled at init).
// smSDK is the AWS SDK's Secrets Manager client.
const smSDK = "github.com/aws/aws-sdk-go-v2/service/secretsmanager"

func TestProductionHandlerDeps(t *testing.T) {
	tests := []struct {
		name     string
		pkg      string
		tags     []string
		wantDeps map[string]bool // package → whether it is linked
	}{
		{"construct's build", "../app/functions/charge", []string{"-tags", "lambda.norpc"}, map[string]bool{"github.com/joho/godotenv": false, "os/exec": false, "github.com/fnenv/fnenv/model": true}},
		{"local build", "../app/functions/charge", nil, map[string]bool{"github.com/joho/godotenv": true, "os/exec": true}},
		{"model", "../model", nil, map[string]bool{"os/exec": false, "regexp": false, "go/build": false}},
		// Only a handler whose function references Secrets Manager links
		// its SDK client (through resolver/smfetch).
		{"with Secrets Manager references", "../app/functions/charge", []string{"-tags", "lambda.norpc"}, map[string]bool{smSDK: true}},
		{"without Secrets Manager references", "../app/functions/refund", []string{"-tags", "lambda.norpc"}, map[string]bool{smSDK: false, "github.com/fnenv/fnenv/resolver/smfetch": false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append(append([]string{"list", "-deps"}, tt.tags...), tt.pkg)
			cmd := exec.Command("go", args...)
			cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0")
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
			}
			deps := strings.Fields(string(out))
			got := map[string]bool{}
			for pkg := range tt.wantDeps {
				got[pkg] = slices.Contains(deps, pkg)
			}
			for pkg, want := range tt.wantDeps {
				if got[pkg] != want {
					t.Errorf("go %s: linked %s = %v, want %v", strings.Join(args, " "), pkg, got[pkg], want)
				}
			}
		})
	}
}
