package secretcheck

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"golang.org/x/sync/errgroup"

	"github.com/fnenv/fnenv/internal/ssmstore"
	"github.com/fnenv/fnenv/resolver/gensupport"
	"github.com/fnenv/fnenv/resolver/smfetch"
)

// SecretsManagerSecret is a function.SecretsManager reference: a secret in
// AWS Secrets Manager by name or ARN and, when a field is read, a
// top-level key of its JSON SecretString. The checked branch is the one
// the assembly was synthesized for: the secret's id is in the record.
const SecretsManagerSecret Kind = "secretsmanager"

// smLocation is where a Secrets Manager use is looked for: the secret's
// id, with "#" and the JSON field when one is read ('#' is in no secret
// name nor ARN).
func smLocation(id, field string) string {
	if field == "" {
		return id
	}
	return id + "#" + field
}

// Lookups are the lookups of every kind, and the listing of SSM names for
// near misses (SSMNames), on the AWS configuration the SSM store opened:
// what `fnenv secret check` and the synth-time check both use.
func Lookups(s *ssmstore.Store) map[Kind]Lookup {
	return map[Kind]Lookup{
		SSMParameter:         s.Exists,
		SSMNames:             ssmNames(s),
		SecretsManagerSecret: SecretsManagerLookup(sm.NewFromConfig(s.Config())),
		ExistingParameter:    ParametersLookup(s.Config()),
	}
}

// ssmNames is the SSMNames lookup: every parameter name under each path,
// at any depth (DescribeParameters: names and metadata, no value).
func ssmNames(s *ssmstore.Store) Lookup {
	return func(ctx context.Context, paths []string) (map[string]bool, error) {
		out := map[string]bool{}
		for _, p := range paths {
			names, err := s.Names(ctx, p)
			if err != nil {
				return nil, err
			}
			for _, n := range names {
				out[n] = true
			}
		}
		return out, nil
	}
}

// SecretsManagerLookup is the Lookup of SecretsManagerSecret: for each
// location, whether the secret exists and, when a field is named, whether
// its SecretString is a JSON object with that top-level key. It reads each
// secret once, with GetSecretValue as the resolver does (smfetch.Reader),
// the reads in parallel, to look at the keys; it never returns, prints or
// keeps a value. A secret Secrets Manager refuses to read
// (AccessDeniedException…) is an error naming it.
func SecretsManagerLookup(c smfetch.Client) Lookup {
	read := smfetch.Reader(c)
	if home, ok := c.(*sm.Client); ok { // a secret by ARN in its own region
		read = smfetch.Regional(home)
	}
	return func(ctx context.Context, locations []string) (map[string]bool, error) {
		fieldsOf := map[string][]string{}
		var ids []string
		for _, l := range locations {
			id, field, _ := strings.Cut(l, "#")
			if _, ok := fieldsOf[id]; !ok {
				ids = append(ids, id)
			}
			fieldsOf[id] = append(fieldsOf[id], field)
		}
		found := map[string]bool{}
		var mu sync.Mutex
		var g errgroup.Group
		g.SetLimit(maxParallelReads)
		for _, id := range ids {
			g.Go(func() error {
				s, err := read(ctx, id)
				var p *gensupport.SecretProblem
				switch {
				case errors.As(err, &p): // missing, or binary: no SecretString
				case err != nil:
					return fmt.Errorf("reading Secrets Manager secret %s: %w", id, err)
				}
				var keys map[string]json.RawMessage
				if err == nil {
					_ = json.Unmarshal([]byte(s), &keys) // not JSON: no field
				}
				mu.Lock()
				defer mu.Unlock()
				for _, f := range fieldsOf[id] {
					_, hasKey := keys[f]
					found[smLocation(id, f)] = f == "" && err == nil || hasKey
				}
				return nil
			})
		}
		return found, g.Wait()
	}
}

// maxParallelReads bounds the check's GetSecretValue calls in flight.
const maxParallelReads = 16

// bySecret merges the missing Secrets Manager uses of one secret into one,
// for the report: its fields (in Field, quoted and comma-separated) and
// functions together. Other uses are kept as they are, in order.
func bySecret(uses []Use) []Use {
	var out []Use
	at := map[string]int{}
	for _, u := range uses {
		if u.Kind != SecretsManagerSecret {
			out = append(out, u)
			continue
		}
		f := ""
		if u.Field != "" {
			f = fmt.Sprintf("%q", u.Field)
		}
		i, ok := at[u.SecretID]
		if !ok {
			at[u.SecretID] = len(out)
			u.Field, u.Functions = f, slices.Clone(u.Functions)
			out = append(out, u)
			continue
		}
		m := &out[i]
		if f != "" {
			m.Field = strings.TrimPrefix(m.Field+", "+f, ", ")
		}
		for _, fn := range u.Functions {
			if !slices.Contains(m.Functions, fn) {
				m.Functions = append(m.Functions, fn)
			}
		}
		slices.Sort(m.Functions)
	}
	return out
}

// smMissing says what is missing of a use merged by bySecret.
func (u Use) smMissing() string {
	switch {
	case u.Field == "":
		return "does not exist"
	case strings.Contains(u.Field, ", "):
		return "does not exist or its JSON lacks the top-level fields " + u.Field
	}
	return "does not exist or its JSON lacks the top-level field " + u.Field
}

// smFixes are the ways to set a missing Secrets Manager use (merged by
// bySecret).
func (u Use) smFixes() []string {
	what := "create the secret"
	if u.Field != "" {
		what = "create it (or add " + u.Field + " to its JSON)"
	}
	return []string{fmt.Sprintf("%s in Secrets Manager: aws secretsmanager put-secret-value --secret-id %s --secret-string file://value.json (create-secret --name for a new one)", what, ShellQuote(u.SecretID))}
}
