package e2e

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// Handler binaries never import jsii or aws-cdk-go: neither the handler-side
// resolver nor any sample handler with its generated env package.
func TestHandlersImportNoCDK(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", "./app/functions/...", "./resolver/...")
	cmd.Dir = "../.."
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if !slices.Contains(deps, "github.com/fnenv/fnenv/resolver") || !slices.Contains(deps, "github.com/aws/aws-lambda-go/lambda") {
		t.Fatalf("go list -deps listed %d packages without the resolver and aws-lambda-go: not the handlers' dependencies", len(deps))
	}
	for _, d := range deps {
		for _, banned := range []string{"github.com/aws/jsii-runtime-go", "github.com/aws/aws-cdk-go", "github.com/aws/constructs-go"} {
			if d == banned || strings.HasPrefix(d, banned+"/") {
				t.Errorf("a handler depends on %s", d)
			}
		}
	}
}
