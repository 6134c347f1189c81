package secretcheck

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/fnenv/fnenv/internal/nearname"
	"github.com/fnenv/fnenv/model"
)

// SSMNames is not a kind of reference: it keys, in the lookups given to
// Check, the listing of the SSM parameter names under paths, by which a
// missing secret gets its near misses (see NearMiss). Its Lookup takes
// paths ending in "/" and returns every parameter name under them, at any
// depth, as true — names only, never a value (DescribeParameters). Without
// it, or when it fails, missing secrets are reported without near misses.
const SSMNames Kind = "ssm-names"

// NearMiss is a parameter that is set and looks like a missing secret:
// another name set on the checked branch or shared that is close to it
// (nearname.Close: "did you mean STRIPE_KEY?"), or the secret itself set
// under another branch level of the app that has the checked branch's
// letters and digits (set with --branch feature-login for feature/login).
type NearMiss struct {
	// Name is the secret's name as set, e.g. "STRIPE_KEY".
	Name string
	// Path is the parameter's name.
	Path string
	// Shared: set shared. Else set on the checked branch, or under Level.
	Shared bool
	// Level is the other branch level it is set under ("" for the
	// checked branch or shared), e.g. "feature-login".
	Level string
}

// nearMisses lists the names under the app and shared prefixes of the
// missing SSM parameters and gives each missing use its near misses. A
// name the app references itself (uses) is no typo of another: a series
// REPORT_01, REPORT_02… is not a near miss of its missing member. A failed
// listing leaves them without: the check's outcome stands.
func nearMisses(ctx context.Context, uses, missing []Use, list Lookup) {
	var paths []string
	for _, u := range missing {
		if u.Kind != SSMParameter {
			continue
		}
		for _, p := range []string{u.Backend.AppPrefix(), u.Backend.SharedPrefix()} {
			if !slices.Contains(paths, p) {
				paths = append(paths, p)
			}
		}
	}
	if list == nil || len(paths) == 0 {
		return
	}
	slices.Sort(paths)
	names, err := list(ctx, paths)
	if err != nil {
		return
	}
	set := make([]string, 0, len(names))
	for n, ok := range names {
		if ok {
			set = append(set, n)
		}
	}
	slices.Sort(set)
	referenced := map[string]bool{}
	for _, u := range uses {
		if u.Kind == SSMParameter {
			referenced[u.Secret] = true
		}
	}
	for i := range missing {
		if missing[i].Kind == SSMParameter {
			missing[i].Near = missing[i].nearMisses(set, referenced)
		}
	}
}

// nearMisses are u's near misses among the parameter names set, sorted,
// leaving out the close names that are referenced.
func (u Use) nearMisses(set []string, referenced map[string]bool) []NearMiss {
	var out []NearMiss
	branchLevel := u.Backend.BranchLevel()
	letters := strings.ToLower(lettersAndDigits(u.Backend.Branch))
	for _, p := range set {
		if name, ok := strings.CutPrefix(p, u.Backend.SharedPrefix()); ok && !strings.Contains(name, "/") {
			if nearname.Close(u.Secret, name) && !referenced[name] {
				out = append(out, NearMiss{Name: name, Path: p, Shared: true})
			}
			continue
		}
		rest, ok := strings.CutPrefix(p, u.Backend.AppPrefix())
		level, name, ok2 := strings.Cut(rest, "/")
		if !ok || !ok2 || strings.Contains(name, "/") {
			continue
		}
		switch {
		case level == branchLevel:
			if nearname.Close(u.Secret, name) && !referenced[name] {
				out = append(out, NearMiss{Name: name, Path: p})
			}
		case name == u.Secret && letters != "" && strings.ToLower(levelLetters(level)) == letters:
			out = append(out, NearMiss{Name: name, Path: p, Level: level})
		}
	}
	return out
}

// levelHash matches the end identity adds to a branch level it changed:
// fnenv's "-<10 hex>" after a leading hyphen ("-feature-login-5712f05b4f"),
// Amplify's "-branch-<10 hex>" ("featurelogin-branch-42753df9a2"); see
// model.BranchName and the Paths layouts.
var levelHash = regexp.MustCompile(`^-(.*)-[0-9a-f]{10}$|^(.*)-branch-[0-9a-f]{10}$`)

// levelLetters are the letters and digits of the branch a level was made
// from, as far as the level keeps them.
func levelLetters(level string) string {
	if m := levelHash.FindStringSubmatch(level); m != nil {
		level = m[1] + m[2]
	}
	return lettersAndDigits(level)
}

func lettersAndDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// nearLines are the report's lines for u's near misses: one "did you mean"
// line for the close names, one line per look-alike branch level with the
// command that copies its secrets to the checked branch.
func (u Use) nearLines(cmd, appID string) []string {
	var lines, names []string
	where := map[string][]string{}
	for _, n := range u.Near {
		switch {
		case n.Level != "":
			from := "--from-branch " + ShellQuote(n.Level)
			if u.Backend.Paths == model.PathsAmplify || model.BranchName(n.Level) != n.Level {
				from = "--from-path " + ShellQuote(u.Backend.AppPrefix()+n.Level+"/")
			}
			lines = append(lines, fmt.Sprintf("set under branch level %s (%s), which looks like branch %s: copy that level's secrets with %s secret copy %s --to-branch %s%s",
				n.Level, n.Path, u.Backend.Branch, cmd, from, ShellQuote(u.Backend.Branch), u.appFlags(appID)))
			continue
		case n.Shared:
			where[n.Name] = append(where[n.Name], "shared")
		default:
			where[n.Name] = append(where[n.Name], "on branch "+u.Backend.Branch)
		}
		if len(where[n.Name]) == 1 {
			names = append(names, n.Name)
		}
	}
	if len(names) == 0 {
		return lines
	}
	slices.Sort(names)
	var alts []string
	for _, n := range names {
		w := where[n]
		slices.Sort(w) // "on branch …" before "shared"
		alts = append(alts, fmt.Sprintf("%s (set %s)", n, strings.Join(w, " and ")))
	}
	return append([]string{"did you mean " + strings.Join(alts, " or ") + "?"}, lines...)
}
