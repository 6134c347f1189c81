package resolver

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/fnenv/fnenv/model"
	"github.com/fnenv/fnenv/resolver/gensupport"
)

// homeRegion is the region of the function's own client: the
// configuration's (WithAWSConfig), else AWS_REGION.
func (l *Loader[T]) homeRegion() string {
	if l.opts.cfg != nil && l.opts.cfg.Region != "" {
		return l.opts.cfg.Region
	}
	return os.Getenv("AWS_REGION")
}

// regionClient returns the SSM client of region: the function's own client
// for its home region, else one built for region on first use — from the
// same configuration (WithAWSConfig) or the same variables Lambda sets,
// the region aside — and kept for later rounds.
func (l *Loader[T]) regionClient(region string) (Client, error) {
	if region == "" || region == l.homeRegion() {
		return l.client()
	}
	if c := l.regional[region]; c != nil {
		return c, nil
	}
	var c Client
	if l.opts.cfg != nil {
		c = ssm.NewFromConfig(*l.opts.cfg, func(o *ssm.Options) { o.Region = region })
	} else {
		home, err := NewClient()
		if err != nil {
			return nil, err
		}
		opts := home.Options()
		opts.Region = region
		c = ssm.New(opts)
	}
	if l.regional == nil {
		l.regional = map[string]Client{}
	}
	l.regional[region] = c
	return c, nil
}

// ssmPlan is what one round asks SSM for, by region ("" is the home
// region): the branch and shared names of the secrets, the existing
// parameters (paths in the home region, ARNs in theirs), the moved
// literals' parameters.
type ssmPlan struct {
	names map[string][]string // region → names, each once, in order
	seen  map[string]bool
}

func (p *ssmPlan) add(region string, names ...string) {
	if p.names == nil {
		p.names, p.seen = map[string][]string{}, map[string]bool{}
	}
	for _, n := range names {
		if k := region + " " + n; !p.seen[k] {
			p.seen[k] = true
			p.names[region] = append(p.names[region], n)
		}
	}
}

// addRef adds an existing parameter's reference: a path in the home
// region, an ARN in its own (by ARN: SSM takes it as a name, and requires
// it for a parameter another account shares).
func (p *ssmPlan) addRef(ref string) {
	region := ""
	if r, err := model.ParseRef(ref); err == nil && r.Form == model.RefARN {
		region = r.Region
	}
	p.add(region, ref)
}

// regions are the plan's regions, the home one ("") first, then sorted.
func (p *ssmPlan) regions() []string {
	rs := make([]string, 0, len(p.names))
	for r := range p.names {
		rs = append(rs, r)
	}
	sort.Strings(rs)
	return rs
}

// requests is how many GetParameters requests the plan takes.
func (p *ssmPlan) requests() int {
	n := 0
	for _, names := range p.names {
		n += (len(names) + model.MaxNamesPerRequest - 1) / model.MaxNamesPerRequest
	}
	return n
}

// fetch sends every request of the plan as requests first, first+1… of
// round r, all regions in parallel, and returns every parameter found,
// keyed by name and by ARN (SSM answers a request by ARN with the
// parameter's name, or for a shared parameter its ARN). A failed region
// is named in its error.
func (p *ssmPlan) fetch(ctx context.Context, r *round, first int, client func(region string) (Client, error), secretOf func(string) string) (map[string]ssmtypes.Parameter, error) {
	found := map[string]ssmtypes.Parameter{}
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		errs []error
	)
	i := first
	for _, region := range p.regions() {
		names := p.names[region]
		c, err := client(region)
		if err != nil {
			errs = append(errs, fmt.Errorf("SSM in region %s: %w", region, err))
			i += (len(names) + model.MaxNamesPerRequest - 1) / model.MaxNamesPerRequest
			continue
		}
		at := i
		i += (len(names) + model.MaxNamesPerRequest - 1) / model.MaxNamesPerRequest
		wg.Go(func() {
			got, err := getParameters(ctx, r, at, c, names, secretOf)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if region != "" {
					err = fmt.Errorf("SSM in region %s: %w", region, err)
				}
				errs = append(errs, err)
				return
			}
			for k, v := range got {
				found[k] = v
			}
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		slices.SortFunc(errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
		return nil, errors.Join(errs...)
	}
	return found, nil
}

// MissingParametersError reports every existing parameter — referenced by
// full path or ARN with function.Secret or function.Parameter — that SSM
// did not return: it does not exist, or (by ARN) is not shared with the
// function's account.
type MissingParametersError struct {
	// Function is the function's name.
	Function string
	// Parameters are the missing parameters as referenced, sorted, with
	// the variables reading each.
	Parameters []MissingParameter
}

// MissingParameter is one missing existing parameter.
type MissingParameter struct {
	// Parameter is the path or ARN, as referenced.
	Parameter string
	// Vars are the variables reading it.
	Vars []string
}

func (e *MissingParametersError) Error() string {
	var sb strings.Builder
	n := "1 existing parameter was"
	if len(e.Parameters) != 1 {
		n = fmt.Sprintf("%d existing parameters were", len(e.Parameters))
	}
	fmt.Fprintf(&sb, "fnenv: function %q: %s not found in SSM Parameter Store:", e.Function, n)
	for _, m := range e.Parameters {
		fmt.Fprintf(&sb, "\n  %s (for %s): it does not exist, or — by ARN from another account — is not shared with this one through AWS RAM", m.Parameter, strings.Join(m.Vars, ", "))
	}
	return sb.String()
}

// SecureStringParameterError reports a function.Parameter whose parameter
// is a SecureString: its value would land in a plain, printed field.
type SecureStringParameterError struct {
	Function, Var, Parameter string
}

func (e *SecureStringParameterError) Error() string {
	return fmt.Sprintf("fnenv: function %q: %s reads parameter %s, a SecureString, into a plain field: reference it with function.Secret, whose field masks it", e.Function, e.Var, e.Parameter)
}

// matchPairs checks the pairs the function's configuration holds under key
// (decoded by decode) against the Declaration's variables whose reference
// of returns, adding every mismatch to stale.
func (l *Loader[T]) matchPairs(stale *StaleError, key string, decode func(string) (map[string]string, error), what string, of func(gensupport.Var) string) error {
	configured, err := decode(os.Getenv(key))
	if err != nil {
		return l.errorf("%w", err)
	}
	for _, v := range l.decl.Vars {
		ref := of(v)
		if ref == "" {
			if s, ok := configured[v.Name]; ok {
				stale.Mismatches = append(stale.Mismatches, fmt.Sprintf("%s is not a %s here but %s maps it to %s %s", v.Name, what, key, what, s))
			}
			continue
		}
		switch s, ok := configured[v.Name]; {
		case !ok:
			stale.Mismatches = append(stale.Mismatches, fmt.Sprintf("%s variable %s (%s %s) is not in %s", what, v.Name, what, ref, key))
		case s != ref:
			stale.Mismatches = append(stale.Mismatches, fmt.Sprintf("%s holds %s %s here but %s maps it to %s %s", v.Name, what, ref, key, what, s))
		}
	}
	return nil
}

// movedLiterals sets the literals moved out of the environment from the
// parameters holding them (model.EnvLiterals), read in the round.
func (l *Loader[T]) movedLiterals(params, vars []string, found map[string]ssmtypes.Parameter, vals map[string]string, srcs map[string]gensupport.Source) error {
	if len(vars) == 0 {
		return nil
	}
	values := make([]string, len(params))
	for i, name := range params {
		p, ok := found[name]
		if !ok {
			return l.errorf("parameter %s, which holds literals that do not fit in Lambda's environment (%s), does not exist: redeploy the function's stack", name, model.EnvLiterals)
		}
		values[i] = *p.Value
	}
	moved, err := model.DecodeLiteralValues(values)
	if err != nil {
		return l.errorf("%w", err)
	}
	stale := &StaleError{Function: l.decl.Function}
	for _, v := range vars {
		val, ok := moved[v]
		if !ok {
			stale.MissingLiterals = append(stale.MissingLiterals, v)
			continue
		}
		vals[v] = val
		srcs[v] = gensupport.Source{Kind: gensupport.SourceLiteral, ID: params[0]}
	}
	if len(stale.MissingLiterals) > 0 {
		return stale
	}
	return nil
}
