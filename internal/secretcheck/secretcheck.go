// Package secretcheck is the one implementation of "is every secret the
// app references set for this branch?": `fnenv secret check` runs it on a
// synthesized cloud assembly, and the construct runs it at synth when the
// context key fnenvCheckSecrets is true. It never reads a value.
//
// Collect is pure: from the functions' records to the secrets a branch
// would resolve. Check asks one Lookup per kind of reference which
// locations exist, and Result.Report words the outcome, with the command
// that sets each missing secret.
//
// A kind of reference (SSMParameter today) is a Kind constant, a case in
// Use.Locations (where it may be set, in the order a function reads them)
// and in Use.fixes (the commands that set it), the loop in Collect that
// finds its references, and a Lookup given to Check by the caller.
package secretcheck

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/fnenv/fnenv/internal/fnenvcmd"
	"github.com/fnenv/fnenv/internal/plural"
	"github.com/fnenv/fnenv/model"
)

// Kind is where a referenced secret is stored.
type Kind string

// SSMParameter is a secret() reference: an SSM SecureString at the
// branch's path, else at the shared path.
const SSMParameter Kind = "ssm"

// Use is one referenced secret as the checked branch resolves it, with the
// functions that reference it.
type Use struct {
	Kind Kind
	// Secret is the secret's name, e.g. "STRIPE_KEY"; for Secrets Manager,
	// its label in generated code, e.g. "DbCredential".
	Secret  string
	Backend model.Backend // the app id and prefix of the functions, and the checked branch
	// SecretID and Field are a Secrets Manager secret's id (name or ARN; ""
	// when the app creates it: known at deploy only) and the JSON field
	// read ("" for the whole SecretString).
	SecretID, Field string
	// Functions are "name (construct path)", sorted.
	Functions []string
	// Near are the parameters set that look like a missing SSM secret
	// (Check finds them with the SSMNames lookup), sorted by path.
	Near []NearMiss
}

// Locations are where u may be set, in the order a function reads them:
// for an SSM parameter the branch's path, then the shared path.
func (u Use) Locations() []string {
	switch u.Kind {
	case SSMParameter:
		return []string{u.Backend.BranchPath(u.Secret), u.Backend.SharedPath(u.Secret)}
	case SecretsManagerSecret:
		if u.SecretID != "" {
			return []string{smLocation(u.SecretID, u.Field)}
		}
	case ExistingParameter:
		return []string{u.Secret}
	}
	return nil
}

// key identifies a use: one secret of one backend (a Secrets Manager
// secret created by the app: its label and field).
func (u Use) key() string {
	if locs := u.Locations(); len(locs) > 0 {
		return string(u.Kind) + " " + strings.Join(locs, " ")
	}
	return string(u.Kind) + " " + u.Secret + "#" + u.Field
}

// Collect returns the secrets the records reference, as branch resolves
// them (each record's app id and prefix, with branch), sorted by secret,
// and the number of functions. A record whose backend is not valid is an
// error naming the function.
func Collect(recs []model.Record, branch string) ([]Use, int, error) {
	byKey := map[string]*Use{}
	users := map[string]map[string]bool{}
	fns := map[string]bool{}
	for _, rec := range recs {
		b := rec.Backend
		b.Branch = branch
		if err := model.ValidateBackend(b); err != nil {
			return nil, 0, fmt.Errorf("function %s (%s): %v", rec.Function.Name, rec.Path, err)
		}
		fn := Label(rec.Function.Name, rec.Path)
		fns[fn] = true
		var recUses []*Use
		for _, s := range rec.Function.Secrets() {
			recUses = append(recUses, &Use{Kind: SSMParameter, Secret: s, Backend: b})
		}
		for _, ref := range rec.Function.ExistingParameters() {
			recUses = append(recUses, &Use{Kind: ExistingParameter, Secret: ref, Backend: b})
		}
		for _, v := range rec.Function.SecretsManagerVariables() {
			r := v.SecretsManager
			recUses = append(recUses, &Use{Kind: SecretsManagerSecret, Secret: r.Secret, Backend: b, SecretID: r.ID, Field: r.Field})
		}
		for _, u := range recUses {
			k := u.key()
			if byKey[k] == nil {
				byKey[k], users[k] = u, map[string]bool{}
			}
			users[k][fn] = true
		}
	}
	out := make([]Use, 0, len(byKey))
	for k, u := range byKey {
		for f := range users[k] {
			u.Functions = append(u.Functions, f)
		}
		sort.Strings(u.Functions)
		out = append(out, *u)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Secret != out[j].Secret {
			return out[i].Secret < out[j].Secret
		}
		return out[i].key() < out[j].key()
	})
	return out, len(fns), nil
}

// Label is how Use.Functions names a function: "name (construct path)".
func Label(name, path string) string { return fmt.Sprintf("%s (%s)", name, path) }

// Lookup reports which of names exist, never reading a value (for SSM:
// GetParameters without decryption, ten names a call).
type Lookup func(ctx context.Context, names []string) (map[string]bool, error)

// Result is the outcome of Check.
type Result struct {
	Branch    string
	Functions int   // how many functions the records hold
	Uses      []Use // every referenced secret
	OnBranch  int   // set on the branch
	Shared    int   // not on the branch, set shared
	Missing   []Use // set nowhere
	// InSecretsManager counts the Secrets Manager uses found (the secret,
	// and its JSON field when one is read).
	InSecretsManager int
	// Existing counts the existing parameters (by path or ARN) found.
	Existing int
	// Unchecked are Secrets Manager secrets the app creates, whose ids
	// are known at deploy only.
	Unchecked []Use
	// Command is how the report's commands spell fnenv, e.g. "go tool
	// fnenv". Default: fnenvcmd.FromModule of the working directory — a
	// synth's: how the app's module runs fnenv.
	Command string
}

// Check asks, per kind, the lookup which locations of the uses exist, all
// names of a kind in one call of its lookup. A use whose kind has no
// lookup is an error. When an SSM secret is missing and lookups has
// SSMNames, it lists the names set under the app's and the shared paths
// (names only) to give each missing secret its near misses.
func Check(ctx context.Context, branch string, functions int, uses []Use, lookups map[Kind]Lookup) (Result, error) {
	res := Result{Branch: branch, Functions: functions, Uses: uses}
	names := map[Kind][]string{}
	seen := map[string]bool{}
	for _, u := range uses {
		if lookups[u.Kind] == nil {
			return res, fmt.Errorf("secret %s: no way to check a reference of kind %q", u.Secret, u.Kind)
		}
		for _, l := range u.Locations() {
			if !seen[l] {
				seen[l] = true
				names[u.Kind] = append(names[u.Kind], l)
			}
		}
	}
	found := map[string]bool{}
	kinds := make([]Kind, 0, len(names))
	for k := range names {
		kinds = append(kinds, k)
	}
	sort.Slice(kinds, func(i, j int) bool { return kinds[i] < kinds[j] })
	for _, k := range kinds {
		sort.Strings(names[k])
		f, err := lookups[k](ctx, names[k])
		if err != nil {
			return res, err
		}
		for n, ok := range f {
			found[n] = found[n] || ok
		}
	}
	for _, u := range uses {
		switch locs := u.Locations(); {
		case len(locs) == 0:
			res.Unchecked = append(res.Unchecked, u)
		case u.Kind == SecretsManagerSecret && found[locs[0]]:
			res.InSecretsManager++
		case u.Kind == ExistingParameter && found[locs[0]]:
			res.Existing++
		case found[locs[0]]:
			res.OnBranch++
		case len(locs) > 1 && found[locs[1]]:
			res.Shared++
		default:
			res.Missing = append(res.Missing, u)
		}
	}
	nearMisses(ctx, uses, res.Missing, lookups[SSMNames])
	return res, nil
}

// OK reports whether every referenced secret is set.
func (r Result) OK() bool { return len(r.Missing) == 0 }

// Summary is the one line that says the check passed.
func (r Result) Summary() string {
	if len(r.Uses) == 0 {
		return fmt.Sprintf("ok: the %s %s no secret", plural.Count(r.Functions, "function"), plural.Of(r.Functions, "references", "reference"))
	}
	n := len(r.Uses) - len(r.Unchecked)
	all := "all "
	if n == 1 {
		all = ""
	}
	sum := fmt.Sprintf("ok: %s%s referenced by %s %s set for branch %s (%d on the branch, %d shared",
		all, plural.Count(n, "secret"), plural.Count(r.Functions, "function"), plural.Of(n, "is", "are"), r.Branch, r.OnBranch, r.Shared)
	if r.InSecretsManager > 0 {
		sum += fmt.Sprintf(", %d in Secrets Manager", r.InSecretsManager)
	}
	if r.Existing > 0 {
		sum += ", " + plural.Count(r.Existing, "existing parameter")
	}
	sum += ")"
	if len(r.Unchecked) > 0 {
		sum += fmt.Sprintf("; %s the app creates %s not checked before deploy: %s", plural.Count(len(r.Unchecked), "Secrets Manager secret"), plural.Of(len(r.Unchecked), "is", "are"), unchecked(r.Unchecked))
	}
	return sum
}

func unchecked(uses []Use) string {
	var s []string
	for _, u := range uses {
		s = append(s, u.Secret)
	}
	return strings.Join(slices.Compact(s), ", ")
}

// Report lists every missing secret: where it was looked for, the
// functions that use it and the commands that set it. appID is the app id
// the reader's fnenv resolves by itself (from cdk.json): the commands name
// another with --app-id; "" names it always.
func (r Result) Report(appID string) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%d of %s referenced by %s %s not set for branch %s:\n", len(r.Missing), plural.Count(len(r.Uses)-len(r.Unchecked), "secret"), plural.Count(r.Functions, "function"), plural.Of(len(r.Missing), "is", "are"), r.Branch)
	for _, u := range bySecret(r.Missing) {
		fmt.Fprintf(&sb, "\n  %s\n", u.where())
		fmt.Fprintf(&sb, "    used by %s\n", strings.Join(u.Functions, ", "))
		for _, l := range u.nearLines(r.command(), appID) {
			fmt.Fprintf(&sb, "    %s\n", l)
		}
		for _, fix := range u.fixes(r.command(), appID) {
			fmt.Fprintf(&sb, "    %s\n", fix)
		}
	}
	return sb.String()
}

// Explain words one missing use for one of its functions (the synth-time
// check's error on that function): where it was looked for and the
// commands that set it, as Report lists it, without the functions.
func (r Result) Explain(u Use, appID string) string {
	u = bySecret([]Use{u})[0] // a Secrets Manager field as Report quotes it
	var sb strings.Builder
	sb.WriteString(u.where())
	for _, l := range u.nearLines(r.command(), appID) {
		fmt.Fprintf(&sb, "\n  %s", l)
	}
	for _, fix := range u.fixes(r.command(), appID) {
		fmt.Fprintf(&sb, "\n  %s", fix)
	}
	return sb.String()
}

// where is the first line of a missing use: its name and where it was
// looked for.
func (u Use) where() string {
	switch u.Kind {
	case SecretsManagerSecret:
		return fmt.Sprintf("%s — Secrets Manager secret %s %s", u.Secret, u.SecretID, u.smMissing())
	case ExistingParameter:
		return fmt.Sprintf("%s — existing parameter not found: it does not exist, or (by ARN from another account) is not shared with this one", u.Secret)
	}
	return fmt.Sprintf("%s — not at %s", u.Secret, strings.Join(u.Locations(), " nor "))
}

// Failure is the one line that says the check failed.
func (r Result) Failure() string {
	return fmt.Sprintf("check failed: %s not set for branch %s", plural.Count(len(r.Missing), "secret"), r.Branch)
}

// command is how the report spells fnenv.
func (r Result) command() string {
	if r.Command == "" {
		return fnenvcmd.FromModule(".")
	}
	return r.Command
}

// appFlags are the flags that give fnenv u's backend when it is not the
// one fnenv resolves by itself (appID: see Report).
func (u Use) appFlags(appID string) string {
	app := ""
	if u.Backend.AppID != appID {
		app = " --app-id " + ShellQuote(u.Backend.AppID)
	}
	if u.Backend.Prefix != model.DefaultPrefix && u.Backend.Prefix != "" {
		app += " --prefix " + ShellQuote(u.Backend.Prefix)
	}
	if u.Backend.Paths == model.PathsAmplify {
		app += " --paths " + string(model.PathsAmplify)
	}
	return app
}

// fixes are the commands that set u, each with what it does; cmd spells
// fnenv.
func (u Use) fixes(cmd, appID string) []string {
	switch u.Kind {
	case SSMParameter:
		app := u.appFlags(appID)
		// A command set would refuse is no fix: say why instead. (fnenv's
		// construct refuses such a name at synth.)
		for _, shared := range []bool{false, true} {
			if err := model.ValidateSecretPath(u.Backend, u.Secret, shared); err != nil {
				return []string{fmt.Sprintf("%s secret set cannot set it: %v; the function's record in the assembly names it, and fnenv's construct refuses such a name at synth: rename the secret in the app and synthesize again", cmd, err)}
			}
		}
		return []string{
			fmt.Sprintf("set it: %s secret set %s --branch %s%s", cmd, ShellQuote(u.Secret), ShellQuote(u.Backend.Branch), app),
			fmt.Sprintf("or for every branch: %s secret set %s --shared%s", cmd, ShellQuote(u.Secret), app),
		}
	case SecretsManagerSecret:
		return u.smFixes()
	case ExistingParameter:
		return []string{"fnenv does not manage it: create it, share it through AWS RAM from its account, or fix the reference"}
	}
	return nil
}

// ShellQuote quotes s for a POSIX shell when it needs it.
func ShellQuote(s string) string {
	safe := s != ""
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_./=:@%+-", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
