package model

// Literals that do not fit in Lambda's 4 KB environment: which move, to
// which stack-managed SSM parameters, and how the handler finds them.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

const (
	// EnvLiterals names the stack-managed SSM parameters holding the
	// literals moved out of the environment, as "<dir>:<n>": the parameters
	// are <dir>/1 … <dir>/<n> (LiteralsDir), whose values, concatenated in
	// that order, are one JSON object from key to literal. Unset when every
	// literal is in the environment.
	EnvLiterals = "FNENV_LITERALS"
	// MaxLiteralsBytes bounds a function's literals, measured as the JSON
	// object of their keys and values: 32 KB — Lambda's 4 KB environment
	// and the rest in at most 8 or so parameters of MaxParameterValueBytes,
	// read with one GetParameters request (10 names).
	MaxLiteralsBytes = 32 * 1024
	// MaxParameterValueBytes is SSM's limit on a standard-tier parameter's
	// value: 4 KB ("Parameter value size: Standard 4 KB"). Moved literals
	// are split across parameters of at most this many bytes.
	MaxParameterValueBytes = 4096
	// LiteralsRoot is the first level of the moved literals' parameters,
	// apart from the secrets' paths so that listing or removing a branch's
	// secrets never meets them.
	LiteralsRoot = "/fnenv"
)

// LiteralsDir is the parent of the parameters holding function's moved
// literals on b's branch: "/fnenv/<appId>/<branch level>/<function>/literals"
// (BranchLevel). It is unique per app, branch and function, as the
// function's name is in its app.
func (b Backend) LiteralsDir(function string) string {
	return LiteralsRoot + "/" + b.AppID + "/" + b.BranchLevel() + "/" + function + "/literals"
}

// EncodeLiterals is EnvLiterals' value for n parameters under dir.
func EncodeLiterals(dir string, n int) string { return dir + ":" + strconv.Itoa(n) }

// DecodeLiterals returns the parameter names EnvLiterals' value s names,
// in order.
func DecodeLiterals(s string) ([]string, error) {
	dir, count, ok := strings.Cut(s, ":")
	n, err := strconv.Atoi(count)
	if !ok || err != nil || n < 1 || !strings.HasPrefix(dir, "/") {
		return nil, fmt.Errorf("%s=%q is not <parameter path>:<count>", EnvLiterals, s)
	}
	names := make([]string, n)
	for i := range names {
		names[i] = dir + "/" + strconv.Itoa(i+1)
	}
	return names, nil
}

// DecodeLiteralValues decodes the concatenated values of EnvLiterals'
// parameters into a map from key to literal. Its error never quotes the
// text.
func DecodeLiteralValues(values []string) (map[string]string, error) {
	var out map[string]string
	if err := json.Unmarshal([]byte(strings.Join(values, "")), &out); err != nil {
		return nil, fmt.Errorf("the parameters of %s do not hold a JSON object of strings: redeploy the function's stack", EnvLiterals)
	}
	return out, nil
}

// LiteralsParameter is one stack-managed SSM parameter (String, standard
// tier) holding part of a function's moved literals.
type LiteralsParameter struct {
	// Name is the parameter's name, "<LiteralsDir>/<i>", i from 1.
	Name string
	// Value is at most MaxParameterValueBytes of the JSON object of the
	// moved literals; a literal holding a CDK token is never cut (its
	// token resolves at deploy).
	Value string
}

// Placement is where a function's values go.
type Placement struct {
	// Env is the function's environment: Environment's, less the moved
	// literals, plus EnvLiterals when any moved.
	Env map[string]string
	// Moved are the keys of the literals moved to Parameters, sorted.
	Moved []string
	// Parameters hold the moved literals; none when Moved is empty.
	Parameters []LiteralsParameter
}

// Place decides where a function's values go. When its environment, as
// Environment returns it, fits in Lambda's 4 KB (measured over the JSON
// map: EnvironmentSize), nothing moves: a small environment stays as it
// is, every literal readable with os.Getenv. Otherwise literals move to
// stack-managed parameters under b.LiteralsDir(f.Name), the largest first
// (by the bytes of its JSON entry, then by key), until the rest fits with
// EnvLiterals; the handler's Load reads them in the same round as the
// secrets. The error joins the problems Validate reports: literals over
// MaxLiteralsBytes, a literal holding a CDK token that does not fit in one
// parameter, an environment over 4 KB with every literal moved.
func (f Function) Place(b Backend, maxAge string, vals SynthValues) (Placement, error) {
	p, probs := f.place(b, maxAge, vals)
	return p, errors.Join(probs...)
}

func (f Function) place(b Backend, maxAge string, vals SynthValues) (Placement, []error) {
	problem := func(subject, format string, args ...any) []error {
		return []error{&Problem{Function: f.Name, Subject: subject, Rule: fmt.Sprintf(format, args...)}}
	}
	full := f.environment(b, maxAge, vals, true)
	if EnvironmentSize(full) <= MaxEnvironmentBytes {
		return Placement{Env: f.Environment(b, maxAge, vals)}, nil
	}
	litEnv := map[string]string{}
	for _, v := range f.Variables {
		if v.Kind == Literal {
			litEnv[v.Name] = vals.Literals[v.Name]
		}
	}
	if n := EnvironmentSize(litEnv); n > MaxLiteralsBytes {
		return Placement{}, problem("literals", "are %d bytes as JSON; fnenv keeps at most %d (32 KB) of literals per function: 4 KB in Lambda's environment, the rest in SSM parameters of 4 KB", n, MaxLiteralsBytes)
	}
	order := make([]string, 0, len(litEnv))
	for k := range litEnv {
		order = append(order, k)
	}
	size := func(k string) int { return len(jsonText(k)) + len(jsonText(litEnv[k])) + 2 }
	sort.Slice(order, func(i, j int) bool {
		if si, sj := size(order[i]), size(order[j]); si != sj {
			return si > sj
		}
		return order[i] < order[j]
	})
	dir := b.LiteralsDir(f.Name)
	for i := 1; i <= len(order); i++ {
		moved := order[:i]
		chunks, err := splitLiterals(litEnv, vals.Tokens, moved)
		if err != nil {
			return Placement{}, problem(fmt.Sprintf("env key %q", err.key), "%s", err.rule)
		}
		env := map[string]string{}
		for k, v := range full {
			env[k] = v
		}
		for _, k := range moved {
			delete(env, k)
		}
		env[EnvLiterals] = EncodeLiterals(dir, len(chunks))
		if n := EnvironmentSize(env); n > MaxEnvironmentBytes {
			if i == len(order) {
				return Placement{}, problem("environment", "is %d bytes as JSON with every literal moved to SSM parameters; Lambda allows %d (4 KB) for all environment variables", n, MaxEnvironmentBytes)
			}
			continue
		}
		p := Placement{Env: f.Environment(b, maxAge, vals), Moved: append([]string(nil), moved...)}
		for _, k := range moved {
			delete(p.Env, k)
		}
		p.Env[EnvLiterals] = env[EnvLiterals]
		sort.Strings(p.Moved)
		for j, c := range chunks {
			p.Parameters = append(p.Parameters, LiteralsParameter{Name: dir + "/" + strconv.Itoa(j+1), Value: c})
		}
		return p, nil
	}
	// No literal, and the rest does not fit.
	return Placement{}, problem("environment", "is %d bytes as JSON; Lambda allows %d (4 KB) for all environment variables", EnvironmentSize(full), MaxEnvironmentBytes)
}

type splitError struct{ key, rule string }

// splitLiterals encodes the moved literals as one JSON object, keys
// sorted, and cuts it into values of at most MaxParameterValueBytes, at
// UTF-8 boundaries; an entry holding a CDK token is kept whole.
func splitLiterals(literals map[string]string, tokens map[string]bool, moved []string) ([]string, *splitError) {
	keys := append([]string(nil), moved...)
	sort.Strings(keys)
	var chunks []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			chunks = append(chunks, cur.String())
			cur.Reset()
		}
	}
	put := func(seg string) { // cut anywhere at a rune boundary
		for seg != "" {
			room := MaxParameterValueBytes - cur.Len()
			take := min(room, len(seg))
			for take < len(seg) && take > 0 && !utf8.RuneStart(seg[take]) {
				take--
			}
			if take == 0 {
				flush()
				continue
			}
			cur.WriteString(seg[:take])
			seg = seg[take:]
		}
	}
	put("{")
	for i, k := range keys {
		seg := jsonText(k) + ":" + jsonText(literals[k])
		if i > 0 {
			seg = "," + seg
		}
		if !tokens[k] {
			put(seg)
			continue
		}
		if len(seg) > MaxParameterValueBytes {
			return nil, &splitError{k, fmt.Sprintf("literal holding a CDK token is %d bytes as JSON; moved out of Lambda's environment, it must fit whole in one SSM parameter: %d bytes (standard tier)", len(seg), MaxParameterValueBytes)}
		}
		if cur.Len()+len(seg) > MaxParameterValueBytes {
			flush()
		}
		cur.WriteString(seg)
	}
	put("}")
	flush()
	return chunks, nil
}

// jsonText is s as a JSON string, without HTML escaping (a CDK token's
// text stays as it is, to be resolved at deploy).
func jsonText(s string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil { // a string always encodes
		panic(err)
	}
	return strings.TrimSuffix(buf.String(), "\n")
}
