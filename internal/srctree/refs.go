package srctree

import (
	"context"
	"os/exec"
	"sort"
	"strings"
	"time"
)

// Refs are the branches of the git repository around a directory: its
// local branches and each remote's remote-tracking branches (as of the
// last `git fetch`; `git fetch --prune` drops the deleted ones).
type Refs struct {
	Repo    bool   // inside a git work tree
	Current string // the branch checked out; "" when detached or no repo
	Local   map[string]bool
	Remotes map[string]map[string]bool // remote → its branches
}

// ReadRefs reads dir's branches with `git for-each-ref`; outside a git
// work tree (or without git) Repo is false.
func ReadRefs(dir string) Refs {
	g := Refs{Local: map[string]bool{}, Remotes: map[string]map[string]bool{}}
	if _, err := runGit(dir, "rev-parse", "--is-inside-work-tree"); err != nil {
		return g
	}
	g.Repo = true
	g.Current = GitBranch(dir)
	remotes, _ := runGit(dir, "remote")
	names := strings.Fields(remotes)
	// The longest remote name first: a remote may be named "a/b".
	sort.Slice(names, func(i, j int) bool { return len(names[i]) > len(names[j]) })
	for _, r := range names {
		g.Remotes[r] = map[string]bool{}
	}
	out, _ := runGit(dir, "for-each-ref", "--format=%(refname)", "refs/heads", "refs/remotes")
	for _, ref := range strings.Split(out, "\n") {
		if b, ok := strings.CutPrefix(ref, "refs/heads/"); ok {
			g.Local[b] = true
			continue
		}
		rest, ok := strings.CutPrefix(ref, "refs/remotes/")
		if !ok {
			continue
		}
		for _, r := range names {
			if b, ok := strings.CutPrefix(rest, r+"/"); ok {
				if b != "HEAD" { // the remote's default branch, a symbolic ref
					g.Remotes[r][b] = true
				}
				break
			}
		}
	}
	return g
}

func runGit(dir string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	return strings.TrimSpace(string(out)), err
}

// Names are every branch name the repository knows, local and remote,
// sorted.
func (g Refs) Names() []string {
	seen := map[string]bool{}
	for b := range g.Local {
		seen[b] = true
	}
	for _, bs := range g.Remotes {
		for b := range bs {
			seen[b] = true
		}
	}
	out := make([]string, 0, len(seen))
	for b := range seen {
		out = append(out, b)
	}
	sort.Strings(out)
	return out
}

// Where says where branch exists: "local", remote names, comma-separated;
// "" when nowhere.
func (g Refs) Where(branch string) string {
	var at []string
	if g.Local[branch] {
		at = append(at, "local")
	}
	var rs []string
	for r, bs := range g.Remotes {
		if bs[branch] {
			rs = append(rs, r)
		}
	}
	sort.Strings(rs)
	return strings.Join(append(at, rs...), ", ")
}
