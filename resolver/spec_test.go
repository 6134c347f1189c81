package resolver

import (
	"testing"

	"github.com/fnenv/fnenv/identity"
)

// The missing-secret command names the branch as it appears in the prefix:
// spec's safe branch.
func TestBranchOfAgreesWithSpec(t *testing.T) {
	b := identity.Backend{AppID: "app", Branch: "feature/login"}
	if got, want := branchOf(b.BranchPrefix()), b.SafeBranch(); got != want {
		t.Errorf("branchOf(%q) = %q, want %q", b.BranchPrefix(), got, want)
	}
}
