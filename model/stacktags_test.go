package model

import (
	"strings"
	"testing"
)

func TestBranchTag(t *testing.T) {
	for _, tt := range []struct{ branch, want string }{
		{"main", "main"},
		{"feature/login", "feature/login"},
		{"release/1.2", "release/1.2"},
		{"user@host/x_y=z+1", "user@host/x_y=z+1"},
		{"fix/ünïcode", "fix/ünïcode"},
		{"fix/#12", BranchName("fix/#12")},
		{"a'b", BranchName("a'b")},
		{strings.Repeat("é", 256), strings.Repeat("é", 256)},
		{strings.Repeat("é", 257), BranchName(strings.Repeat("é", 257))},
	} {
		got := BranchTag(tt.branch)
		if got != tt.want {
			t.Errorf("BranchTag(%q) = %q, want %q", tt.branch, got, tt.want)
		}
		git, name := ParseBranchTag(got)
		if name != BranchName(tt.branch) {
			t.Errorf("ParseBranchTag(%q) name = %q, want BranchName %q", got, name, BranchName(tt.branch))
		}
		if wantGit := tt.branch; got != tt.branch {
			if git != "" {
				t.Errorf("ParseBranchTag(%q) git = %q, want \"\" for a changed name", got, git)
			}
		} else if git != wantGit {
			t.Errorf("ParseBranchTag(%q) git = %q, want %q", got, git, wantGit)
		}
	}
}
