package cli

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/fnenv/fnenv/internal/assembly"
)

// smRef is one Secrets Manager secret the app references, with the JSON
// fields read and the functions reading it.
type smRef struct {
	label, id string
	fields    map[string]bool
	users     map[string]bool
}

// listSecretsManager writes `secret list`'s second source: the Secrets
// Manager secrets the functions of the cloud assembly at dir reference on
// branch, from their records (no AWS call, no value). It writes nothing
// when there is no assembly or it references none, and a note when it was
// synthesized for another branch (the secrets' ids are per branch).
func listSecretsManager(w io.Writer, dir, name, branch string) error {
	recs, err := assembly.Records(dir)
	if err != nil || len(recs) == 0 {
		return nil // `secret list` lists the store; the assembly is a bonus
	}
	refs := map[string]*smRef{}
	var other []string
	for _, rec := range recs {
		vars := rec.Function.SecretsManagerVariables()
		if len(vars) == 0 {
			continue
		}
		if rec.Backend.Branch != branch {
			other = append(other, rec.Backend.Branch)
			continue
		}
		for _, v := range vars {
			r := v.SecretsManager
			k := r.Secret + "\x00" + r.ID
			if refs[k] == nil {
				refs[k] = &smRef{label: r.Secret, id: r.ID, fields: map[string]bool{}, users: map[string]bool{}}
			}
			refs[k].fields[r.Field] = true
			refs[k].users[rec.Function.Name] = true
		}
	}
	if len(refs) == 0 {
		if len(other) > 0 {
			fmt.Fprintf(w, "\n%s was synthesized for branch %s: synthesize for %s (cdk synth -c branch=%s) to list its Secrets Manager secrets\n", name, other[0], branch, shellQuote(branch))
		}
		return nil
	}
	rows := make([]*smRef, 0, len(refs))
	for _, r := range refs {
		rows = append(rows, r)
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].label != rows[j].label {
			return rows[i].label < rows[j].label
		}
		return rows[i].id < rows[j].id
	})
	fmt.Fprintf(w, "\nSecrets Manager secrets the functions in %s read on branch %s (values are not read)\n", name, branch)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSOURCE\tSECRET\tFIELDS\tUSED BY")
	for _, r := range rows {
		id := r.id
		if id == "" {
			id = "(created by the app: its ARN is known at deploy)"
		}
		fmt.Fprintf(tw, "%s\tsecrets manager\t%s\t%s\t%s\n", r.label, id, strings.Join(fieldList(r.fields), ", "), strings.Join(keys(r.users), ", "))
	}
	return tw.Flush()
}

func fieldList(fields map[string]bool) []string {
	var out []string
	for f := range fields {
		if f == "" {
			f = "(whole SecretString)"
		}
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
