package model

import (
	"encoding/json"
	"errors"
	"fmt"
	"go/token"
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/fnenv/fnenv/resolver/envtype"
)

// Limits and rules, each with its source.
const (
	// MaxEnvironmentBytes is Lambda's limit on a function's environment:
	// "The total size of all environment variables doesn't exceed 4 KB",
	// measured here over the JSON encoding of the key/value map.
	MaxEnvironmentBytes = 4096
	// MaxParameterNameLength is SSM's limit on a parameter name: 1011
	// characters ("The maximum length for a parameter name ... is 1011
	// characters").
	MaxParameterNameLength = 1011
	// MaxParameterDepth is SSM's limit on a parameter hierarchy: 15 levels.
	MaxParameterDepth = 15
	// MaxFunctionNameLength bounds Name like a Lambda function name: 64.
	MaxFunctionNameLength = 64
)

// ReservedKeys are the environment variable keys Lambda reserves
// ("Defined runtime environment variables") and that a function may not set.
var ReservedKeys = []string{
	"_HANDLER", "_X_AMZN_TRACE_ID",
	"AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_DEFAULT_REGION", "AWS_EXECUTION_ENV",
	"AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION",
	"AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
	"AWS_LAMBDA_RUNTIME_API", "AWS_REGION", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
	"AWS_XRAY_CONTEXT_MISSING", "AWS_XRAY_DAEMON_ADDRESS",
	"LAMBDA_RUNTIME_DIR", "LAMBDA_TASK_ROOT", "TZ",
}

// SDKKeys are the environment variables, besides Lambda's reserved ones,
// that steer the AWS SDK for Go v2 (config.LoadDefaultConfig, read from
// the SDK's config package, env_config.go, v1.33.15): where requests go
// (endpoints, the instance metadata endpoint), which credentials it uses
// (shared files, profiles, container and web identity credentials) and
// which certificates it trusts. A literal may not set one (see IsSDKKey);
// in Lambda the resolver ignores the endpoint ones. Settings that only
// tune the SDK (retries, FIPS and dual-stack endpoints, compression) are
// allowed.
var SDKKeys = []string{
	"AWS_CA_BUNDLE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE",
	"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECRET_KEY", "AWS_LOGIN_CACHE_DIRECTORY",
	"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
	"AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
	"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME",
	"AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
}

// SDKKeyPrefix starts every endpoint variable of the AWS SDK:
// AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_<SERVICE>
// (AWS_ENDPOINT_URL_SSM…).
const SDKKeyPrefix = "AWS_ENDPOINT_URL"

// IsSDKKey reports whether key steers the AWS SDK: one of SDKKeys or a key
// starting with SDKKeyPrefix.
func IsSDKKey(key string) bool {
	return strings.HasPrefix(key, SDKKeyPrefix) || slices.Contains(SDKKeys, key)
}

// ReservedFields are the Go field and method names the generated Env
// struct uses for itself — its Lambda field and the methods that print it
// with secrets masked (fmt.Formatter, fmt.Stringer, fmt.GoStringer,
// slog.LogValuer); no variable may map to one of them (FORMAT → Format).
var ReservedFields = []string{"Lambda", "Format", "String", "GoString", "LogValue"}

// Problem is one broken rule. Validation returns every problem at once.
type Problem struct {
	Function string // the function's Name
	Subject  string // what broke the rule: `env key "A"`, `secret "X"`, "entry"…
	Rule     string // the rule, with its source
}

func (p *Problem) Error() string {
	return fmt.Sprintf("function %q: %s: %s", p.Function, p.Subject, p.Rule)
}

// Problems returns the problems err joins (errors.Join: Validate, Check
// and Place return every problem so), or err alone; nil for nil. The
// construct reports each as a synth problem, the generator each on a line.
func Problems(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// IsEnvKey reports whether key follows Lambda's rule for environment
// variable keys: [a-zA-Z][a-zA-Z0-9_]+.
func IsEnvKey(key string) bool {
	return len(key) >= 2 && isLetter(key[0]) && allBytes(key, func(c byte) bool { return isAlnum(c) || c == '_' })
}

// IsFunctionName reports whether name follows Lambda's rule for function
// names: [a-zA-Z0-9_-]{1,64}.
func IsFunctionName(name string) bool {
	return name != "" && len(name) <= MaxFunctionNameLength && allBytes(name, func(c byte) bool { return isAlnum(c) || c == '_' || c == '-' })
}

// ValidateSecretName reports whether name is a valid secret name: one
// level of a parameter path (ValidateLevel), SSM's characters
// [a-zA-Z0-9_.-]+ and neither "." nor "..".
func ValidateSecretName(name string) error { return ValidateLevel("secret name", name) }

// ValidateEntry checks a function's entry in a spec: the handler's main
// package directory relative to the module root, inside it, in the form
// CleanEntry returns ("app/functions/say-hello", not
// "./app/functions/say-hello/" nor "app\functions"), since it names the env
// package's directory and is compared between functions.
func ValidateEntry(entry string) error {
	e, err := CleanEntry(entry)
	if err != nil {
		return err
	}
	if e != entry {
		return fmt.Errorf("%q must be clean and slash-separated: write %q", entry, e)
	}
	return nil
}

// Validate checks a function's spec against every rule and returns all
// problems at once, each a *Problem joined with errors.Join; nil when the
// spec is valid. maxAge is the value Environment will be given. It is
// Check plus the rules that need the backend or the literal values: each
// literal parses as its type (a CDK token is parsed at Load instead), the
// parameter names fit SSM's limits, and the literals can be placed (see
// Place): at most MaxLiteralsBytes, and the environment in 4 KB once the
// literals that do not fit are moved.
func (f Function) Validate(b Backend, maxAge string, vals SynthValues) error {
	return errors.Join(f.problems(&b, maxAge, vals)...)
}

// Check checks the rules that hold whatever the backend and the literal
// values — the name, the entry, each key, Go field, kind, secret name and
// type — and returns every problem at once, as Validate does. It is what a
// spec read back from the cloud assembly (which holds no literal values)
// can be checked against: the generator calls it.
func (f Function) Check() error { return errors.Join(f.problems(nil, "", SynthValues{})...) }

// problems checks every rule; with a nil backend, only Check's.
func (f Function) problems(b *Backend, maxAge string, vals SynthValues) []error {
	var probs []error
	add := func(subject, format string, args ...any) {
		probs = append(probs, &Problem{Function: f.Name, Subject: subject, Rule: fmt.Sprintf(format, args...)})
	}
	switch {
	case f.Name == "":
		add("name", "must not be empty")
	case !IsFunctionName(f.Name):
		add("name", "must match [a-zA-Z0-9_-]{1,%d} (Lambda's rule for function names)", MaxFunctionNameLength)
	}
	if err := ValidateEntry(f.Entry); err != nil {
		add("entry", "%v", err)
	}
	reserved := map[string]bool{}
	for _, k := range ReservedKeys {
		reserved[k] = true
	}
	reservedField := map[string]bool{}
	for _, k := range ReservedFields {
		reservedField[k] = true
	}
	byField := map[string][]string{}
	for _, v := range f.Variables {
		key := fmt.Sprintf("env key %q", v.Name)
		field := v.Field
		if field == "" {
			field = GoField(v.Name)
		}
		switch {
		case !IsEnvKey(v.Name):
			add(key, "must match [a-zA-Z][a-zA-Z0-9_]+ (Lambda's rule: a letter first, 2 characters at least)")
			continue
		case reserved[v.Name]:
			add(key, "is reserved by the Lambda runtime")
		case strings.HasPrefix(v.Name, ReservedPrefix):
			add(key, "keys starting with %q are reserved by fnenv", ReservedPrefix)
		case v.Kind == Literal && IsSDKKey(v.Name):
			add(key, "steers the AWS SDK (where its requests go, which credentials or certificates it uses): a literal may not set it, so that no configuration redirects the function's secret reads")
		}
		switch {
		case !token.IsIdentifier(field) || !token.IsExported(field):
			add(key, "maps to Go field %q, which is not an exported Go identifier", field)
		case reservedField[field]:
			add(key, "maps to Go field %s, which the generated Env struct reserves", field)
		}
		byField[field] = append(byField[field], v.Name)
		if !v.Type.Valid() {
			add(key, "type %q is not one of %s", string(v.Type), typeNames())
		}
		switch v.Kind {
		case Literal:
			if v.Secret != "" {
				add(key, "a literal names secret %q", v.Secret)
			}
			if lit := vals.Literals[v.Name]; b != nil && !vals.Tokens[v.Name] && v.Type.Valid() {
				if err := v.Type.Check(lit); err != nil {
					add(key, "literal %q is not a valid %s: %v", lit, envtype.Of(v.Type), err)
				}
			}
		case Secret, Parameter:
			if vals.Tokens[v.Name] {
				add(key, "%q is a CDK token: give the parameter's name, path or ARN as plain text, so that the function's grant names exactly it", v.ref())
				continue
			}
			ref, err := ParseRef(v.ref())
			if err != nil {
				add(key, "%v", err)
				continue
			}
			if v.Kind == Parameter && ref.Form == RefName {
				add(key, "parameter %q: give an existing parameter's full path (starting with '/') or its ARN; a name without '/' is a secret's (function.Secret)", v.Parameter)
			}
			if b == nil || v.Kind != Secret || ref.Form != RefName {
				continue
			}
			for _, p := range []string{b.BranchPath(v.Secret), b.SharedPath(v.Secret)} {
				if err := ValidateParameterName(p); err != nil {
					add(fmt.Sprintf("secret %q", v.Secret), "%v", err)
				}
			}
		case SecretsManager:
			for _, rule := range validateSecretsManager(v, b != nil, vals.SecretTokens[v.Name] != "") {
				add(key, "%s", rule)
			}
		case "":
			add(key, "has no value: use function.Literal, function.Secret, function.Parameter or function.SecretsManager")
		default:
			add(key, "kind %q is not one of %q, %q, %q, %q", v.Kind, Literal, Secret, Parameter, SecretsManager)
		}
	}
	fields := make([]string, 0, len(byField))
	for fld := range byField {
		fields = append(fields, fld)
	}
	sort.Strings(fields)
	for _, fld := range fields {
		if keys := byField[fld]; len(keys) > 1 {
			sort.Strings(keys)
			add(fmt.Sprintf("env keys %s", quoteAll(keys)), "map to the same Go field %s", fld)
		}
	}
	if b != nil {
		_, placeProbs := f.place(*b, maxAge, vals)
		probs = append(probs, placeProbs...)
	}
	return probs
}

func typeNames() string {
	s := make([]string, len(envtype.All))
	for i, t := range envtype.All {
		s[i] = string(t)
	}
	return strings.Join(s, ", ")
}

// EnvironmentSize is the size in bytes of env encoded as a JSON object, the
// measure of Lambda's 4 KB limit.
func EnvironmentSize(env map[string]string) int {
	b, err := json.Marshal(env)
	if err != nil { // a map of strings always encodes
		panic(err)
	}
	return len(b)
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// commonInitialisms are written in upper case in Go names, as golint and
// staticcheck (ST1003) spell them.
var commonInitialisms = map[string]bool{
	"ACL": true, "API": true, "ASCII": true, "ARN": true, "AWS": true, "CPU": true, "CSS": true,
	"DB": true, "DNS": true, "EOF": true, "GUID": true, "HTML": true, "HTTP": true, "HTTPS": true,
	"ID": true, "IP": true, "JSON": true, "JWT": true, "KMS": true, "LHS": true, "QPS": true,
	"RAM": true, "RHS": true, "RPC": true, "SES": true, "SLA": true, "SMTP": true, "SNS": true,
	"SQL": true, "SQS": true, "SSH": true, "SSM": true, "TCP": true, "TLS": true, "TTL": true,
	"UDP": true, "UI": true, "UID": true, "URI": true, "URL": true, "UTF8": true, "UUID": true,
	"VM": true, "XML": true, "XMPP": true, "XSRF": true, "XSS": true,
}

// GoField returns the exported Go field name of an environment variable
// key: words split at '_', common initialisms upper case, others
// capitalised ("API_KEY" → "APIKey", "stripe_webhook_url" →
// "StripeWebhookURL", "apiEndpoint" → "ApiEndpoint").
func GoField(key string) string {
	var sb strings.Builder
	for _, word := range strings.Split(key, "_") {
		if word == "" {
			continue
		}
		up := strings.ToUpper(word)
		switch {
		case commonInitialisms[up]:
			sb.WriteString(up)
		case word == up || word == strings.ToLower(word):
			sb.WriteString(up[:1] + strings.ToLower(word[1:]))
		default: // mixed case: keep the writer's casing
			r := []rune(word)
			r[0] = unicode.ToUpper(r[0])
			sb.WriteString(string(r))
		}
	}
	return sb.String()
}

// allBytes reports whether every byte of s satisfies ok: the rules here
// are ASCII character sets, checked by hand rather than with regexp, which
// handlers linking this package would carry (about 0.6 MB).
func allBytes(s string, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}
