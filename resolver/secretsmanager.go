package resolver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/aws/smithy-go"

	"github.com/fnenv/fnenv/model"
	"github.com/fnenv/fnenv/resolver/gensupport"
)

// smReader returns the reader of Secrets Manager secrets, built once per
// Loader (as client does for SSM) by the Declaration's factory.
func (l *Loader[T]) smReader() (gensupport.ReadSecret, error) {
	if l.readSM != nil {
		return l.readSM, nil
	}
	if l.decl.SecretsManager == nil {
		return nil, errors.New("the env package references Secrets Manager but its Declaration has no SecretsManager factory: run `fnenv gen`")
	}
	read, err := l.decl.SecretsManager(l.opts.cfg)
	if err != nil {
		return nil, err
	}
	l.readSM = read
	return read, nil
}

// smPlan is what a fetch asks Secrets Manager for: the distinct secret ids
// in the order of the Declaration, and the variables reading each.
type smPlan struct {
	ids    []string
	varsOf map[string][]gensupport.Var
}

// planSecretsManager reads FNENV_SECRETSMANAGER and matches it to the
// Declaration's Secrets Manager variables; a mismatch is added to stale.
func (l *Loader[T]) planSecretsManager(configured string, stale *StaleError) (smPlan, error) {
	p := smPlan{varsOf: map[string][]gensupport.Var{}}
	idOf, err := model.DecodeSecretsManager(configured)
	if err != nil {
		return p, l.errorf("%w", err)
	}
	for _, v := range l.decl.Vars {
		id, ok := idOf[v.Name]
		switch {
		case v.SecretsManager == "" && ok:
			stale.Mismatches = append(stale.Mismatches, fmt.Sprintf("%s is not a Secrets Manager reference here but %s maps it to secret %s", v.Name, model.EnvSecretsManager, id))
		case v.SecretsManager == "":
		case !ok:
			stale.Mismatches = append(stale.Mismatches, fmt.Sprintf("Secrets Manager variable %s (secret %s) is not in %s", v.Name, v.SecretsManager, model.EnvSecretsManager))
		default:
			if _, seen := p.varsOf[id]; !seen {
				p.ids = append(p.ids, id)
			}
			p.varsOf[id] = append(p.varsOf[id], v)
		}
	}
	return p, nil
}

// getSecrets reads each of ids with its own GetSecretValue request —
// Secrets Manager allows 10,000 a second per account and region, where
// BatchGetSecretValue allows 100 — as requests first, first+1… of round r
// (the SSM chunks' round, so that all are retried together), all in
// parallel. It returns the SecretStrings read and the secrets that cannot
// serve (*gensupport.SecretProblem), by id; every failed request is
// reported, as a *SecretsManagerRequestError, joined.
func getSecrets(ctx context.Context, r *round, first int, read gensupport.ReadSecret, ids []string) (map[string]string, map[string]error, error) {
	vals := make([]string, len(ids))
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Go(func() {
			errs[i] = r.do(ctx, first+i, func(ctx context.Context) (err error) {
				vals[i], err = read(ctx, id)
				return err
			})
		})
	}
	wg.Wait()
	found, failed := map[string]string{}, map[string]error{}
	var reqErrs []error
	for i, id := range ids {
		var p *gensupport.SecretProblem
		switch err := errs[i]; {
		case err == nil:
			found[id] = vals[i]
		case errors.As(err, &p):
			failed[id] = p
		default:
			re := &SecretsManagerRequestError{SecretID: id, Err: err}
			var te *throttledError
			if errors.As(err, &te) {
				re.ThrottledAttempts = te.attempts
			}
			reqErrs = append(reqErrs, re)
		}
	}
	if err := errors.Join(reqErrs...); err != nil {
		return nil, nil, err
	}
	return found, failed, nil
}

// resolveSecretsManager sets the value of every variable of p from the
// fetched SecretStrings, each secret parsed once, and returns every
// problem in one *SecretsManagerError (nil when none).
func (l *Loader[T]) resolveSecretsManager(p smPlan, found map[string]string, failed map[string]error, vals map[string]string) error {
	e := &SecretsManagerError{Function: l.decl.Function}
	for _, id := range p.ids {
		vars := p.varsOf[id]
		problem := func(v gensupport.Var, reason string) {
			e.Problems = append(e.Problems, SecretsManagerProblem{Var: v.Name, Secret: v.SecretsManager, SecretID: id, Field: v.JSONField, Reason: reason})
		}
		s, ok := found[id]
		if !ok {
			reason := failed[id].Error()
			for _, v := range vars {
				problem(v, reason)
			}
			continue
		}
		var fields map[string]json.RawMessage
		var parseErr error
		parsed := false
		for _, v := range vars {
			if v.JSONField == "" {
				vals[v.Name] = s
				continue
			}
			if !parsed {
				parsed, parseErr = true, json.Unmarshal([]byte(s), &fields)
			}
			if parseErr != nil { // the parser's message may quote the value
				problem(v, "its SecretString is not a JSON object, so it has no field")
				continue
			}
			raw, ok := fields[v.JSONField]
			if !ok {
				problem(v, "its JSON has no top-level field "+fmt.Sprintf("%q", v.JSONField))
				continue
			}
			if string(bytes.TrimSpace(raw)) == "null" { // not "": null is no value
				problem(v, fmt.Sprintf("its JSON's top-level field %q is null, which counts as missing", v.JSONField))
				continue
			}
			vals[v.Name] = jsonText(raw)
		}
	}
	if len(e.Problems) == 0 {
		return nil
	}
	sort.SliceStable(e.Problems, func(i, j int) bool { return e.Problems[i].Var < e.Problems[j].Var })
	return e
}

// jsonText is a JSON value as a string: a string's content, else its JSON
// text (a number, bool, object or array; a null field is refused before).
func jsonText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return strings.TrimSpace(string(raw))
}

// SecretsManagerError reports every Secrets Manager reference Load could
// not resolve: a missing secret, a missing JSON field, a SecretString that
// is not JSON when a field is asked, access denied.
type SecretsManagerError struct {
	// Function is the function's name.
	Function string
	// Problems are one per variable, sorted by Var.
	Problems []SecretsManagerProblem
}

// SecretsManagerProblem is one variable whose value could not be read.
type SecretsManagerProblem struct {
	// Var is the variable, e.g. "DB_PASSWORD".
	Var string
	// Secret names the secret as the generated code does, e.g.
	// "DbCredential"; SecretID is the id asked for, e.g.
	// "fnenv-demo/main/db".
	Secret, SecretID string
	// Field is the JSON field asked for; "" for the whole SecretString.
	Field string
	// Reason says what is wrong, without a value.
	Reason string
}

// Error lists every problem, one per line after a header.
func (e *SecretsManagerError) Error() string {
	var sb strings.Builder
	n := "1 Secrets Manager reference"
	if len(e.Problems) != 1 {
		n = fmt.Sprintf("%d Secrets Manager references", len(e.Problems))
	}
	fmt.Fprintf(&sb, "fnenv: function %q: %s could not be resolved:", e.Function, n)
	for _, p := range e.Problems {
		what := "the SecretString"
		if p.Field != "" {
			what = fmt.Sprintf("field %q", p.Field)
		}
		fmt.Fprintf(&sb, "\n  %s: %s of secret %s (%s): %s", p.Var, what, p.SecretID, p.Secret, p.Reason)
	}
	return sb.String()
}

// SecretsManagerRequestError is a failed GetSecretValue request (after
// retries), with the secret id it asked for.
type SecretsManagerRequestError struct {
	// SecretID is the id the request asked for: a complete ARN or a name.
	SecretID string
	// Err is the SDK's error.
	Err error
	// ThrottledAttempts is how many times the request was sent when
	// Secrets Manager throttled it until the context's deadline; 0 when it
	// failed otherwise.
	ThrottledAttempts int
}

func (e *SecretsManagerRequestError) Error() string {
	msg := fmt.Sprintf("reading secret %s from Secrets Manager: %v", e.SecretID, e.Err)
	var ae smithy.APIError
	switch {
	case errors.As(e.Err, &ae) && ae.ErrorCode() == "AccessDeniedException":
		msg += " — the function's role must allow secretsmanager:GetSecretValue on the secret (and kms:Decrypt on its customer key, via Secrets Manager)"
	case e.ThrottledAttempts > 0:
		msg += fmt.Sprintf(" — throttled on all %d attempts until the context's deadline (Secrets Manager allows 10,000 GetSecretValue requests a second per account and region)", e.ThrottledAttempts)
	case errors.Is(e.Err, context.DeadlineExceeded):
		msg += " — gave up at the context's deadline (a function in a VPC without a route to Secrets Manager waits until then: give its subnets a NAT gateway or the VPC an interface endpoint for com.amazonaws.<region>.secretsmanager)"
	}
	return msg
}

func (e *SecretsManagerRequestError) Unwrap() error { return e.Err }
