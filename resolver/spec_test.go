package resolver

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fnenv/fnenv/codegen/spec"
)

// The resolver repeats spec's keys and decoder so that handlers do not link
// spec; they must agree.
func TestAgreesWithSpec(t *testing.T) {
	keys := [][2]string{
		{envSecrets, spec.EnvSecrets},
		{envBranchPrefix, spec.EnvBranchPrefix},
		{envSharedPrefix, spec.EnvSharedPrefix},
		{envMaxAge, spec.EnvMaxAge},
		{envDotenv, spec.EnvDotenv},
	}
	for _, k := range keys {
		if k[0] != k[1] {
			t.Errorf("resolver reads %s, spec sets %s", k[0], k[1])
		}
	}
	for _, in := range []string{"", "A=B", "API_KEY=MY_API_KEY,B_C=x.y-z", "A=", "=B", "A", "A=B,,C=D"} {
		got, gotErr := decodeSecrets(in)
		want, wantErr := spec.DecodeSecrets(in)
		if (gotErr != nil) != (wantErr != nil) {
			t.Errorf("decodeSecrets(%q) error = %v, spec.DecodeSecrets error = %v", in, gotErr, wantErr)
			continue
		}
		if diff := cmp.Diff(want, got); gotErr == nil && diff != "" {
			t.Errorf("decodeSecrets(%q) (-spec +resolver):\n%s", in, diff)
		}
	}
	b := spec.Backend{AppID: "app", Branch: "feature/login"}
	if got, want := branchOf(b.BranchPrefix()), b.SafeBranch(); got != want {
		t.Errorf("branchOf(%q) = %q, want %q", b.BranchPrefix(), got, want)
	}
}
