package resolver_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/fnenv/fnenv/internal/ssmproxy"
	"github.com/fnenv/fnenv/model"
	"github.com/fnenv/fnenv/resolver"
	"github.com/fnenv/fnenv/resolver/gensupport"
	"github.com/fnenv/fnenv/resolver/smfetch"
)

// smSetup is setup for a spec with Secrets Manager variables: idOf maps
// each such variable to the secret id FNENV_SECRETSMANAGER gives it. It
// returns a Secrets Manager client straight to moto.
func smSetup(t *testing.T, spec gensupport.Declaration, idOf map[string]string, opts ...ssmproxy.Option) (*sm.Client, *ssmproxy.Proxy) {
	t.Helper()
	_, p := setup(t, spec, opts...)
	t.Setenv(model.EnvSecretsManager, model.EncodeSecretsManager(idOf))
	c := sm.New(sm.Options{Region: "us-east-1", BaseEndpoint: aws.String(server.URL),
		Credentials: aws.NewCredentialsCache(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, nil
		}))})
	return c, p
}

func createSecret(t *testing.T, c *sm.Client, name, value string) string {
	t.Helper()
	out, err := c.CreateSecret(context.Background(), &sm.CreateSecretInput{Name: aws.String(name), SecretString: aws.String(value)})
	if err != nil {
		t.Fatalf("create secret %s: %v", name, err)
	}
	return *out.ARN
}

func smVar(name, secret, field string) gensupport.Var {
	return gensupport.Var{Name: name, SecretsManager: secret, JSONField: field}
}

func TestLoadSecretsManager(t *testing.T) {
	spec := gensupport.Declaration{Function: "db", SecretsManager: smfetch.New, Vars: []gensupport.Var{
		{Name: "API_KEY", Secret: "MY_API_KEY"},
		smVar("DB_PASSWORD", "DbCredential", "password"),
		smVar("DB_PORT", "DbCredential", "port"),
		smVar("DB_SSL", "DbCredential", "ssl"),
		smVar("DB_USERNAME", "DbCredential", "username"),
		smVar("GREETING_TOKEN", "Token", ""),
		smVar("PASSWORD_AGAIN", "DbCredential", "password"),
	}}
	// One secret by name, the other by complete ARN; the first read by 5
	// variables, the second whole.
	c, _ := smSetup(t, spec, map[string]string{})
	ssmc, err := resolver.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	put(t, ssmc, branchPrefix+"MY_API_KEY", "sk_test_fake_branch_0001")
	tokenARN := createSecret(t, c, "fnenv-test/token", "tok_fake_whole_string")
	createSecret(t, c, "fnenv-test/feature-login/db", `{"username":"fake_user","password":"fake_password_0001","port":5432,"ssl":true}`)
	db := "fnenv-test/feature-login/db"
	t.Setenv(model.EnvSecretsManager, model.EncodeSecretsManager(map[string]string{
		"DB_PASSWORD": db, "DB_PORT": db, "DB_SSL": db, "DB_USERNAME": db, "PASSWORD_AGAIN": db,
		"GREETING_TOKEN": tokenARN,
	}))
	// The SSM request and the two Secrets Manager ones must be in flight
	// together: one round.
	p2 := ssmproxy.New(t, server.URL, ssmproxy.HoldUntil(3, 10*time.Second))
	t.Setenv("AWS_ENDPOINT_URL", p2.URL)

	got := load(t, newLoader(spec))
	want := map[string]string{
		"API_KEY":        "sk_test_fake_branch_0001",
		"DB_PASSWORD":    "fake_password_0001",
		"DB_PORT":        "5432",
		"DB_SSL":         "true",
		"DB_USERNAME":    "fake_user",
		"GREETING_TOKEN": "tok_fake_whole_string",
		"PASSWORD_AGAIN": "fake_password_0001",
	}
	if diff := cmp.Diff(got.Vals, want); diff != "" {
		t.Errorf("values (-got +want):\n%s", diff)
	}
	if !p2.Held() {
		t.Error("the SSM and Secrets Manager requests were not in flight together: not one round")
	}
	var targets []string
	var ids []string
	for _, r := range p2.Requests() {
		targets = append(targets, r.Target)
		ids = append(ids, r.SecretIDs...)
	}
	slices.Sort(targets)
	slices.Sort(ids)
	if diff := cmp.Diff(targets, []string{"AmazonSSM.GetParameters", "secretsmanager.GetSecretValue", "secretsmanager.GetSecretValue"}); diff != "" {
		t.Errorf("requests (-got +want):\n%s", diff)
	}
	if diff := cmp.Diff(ids, []string{tokenARN, "fnenv-test/feature-login/db"}); diff != "" {
		t.Errorf("secret ids asked for, each once (-got +want):\n%s", diff)
	}
}

// Each secret is read with its own GetSecretValue (10,000 requests a second
// per account and region, where BatchGetSecretValue allows 100), all in
// one round.
func TestLoadSecretsManagerOneRequestPerSecret(t *testing.T) {
	spec := gensupport.Declaration{Function: "many", SecretsManager: smfetch.New}
	idOf := map[string]string{}
	for i := range 25 {
		name := fmt.Sprintf("VAR_%02d", i)
		spec.Vars = append(spec.Vars, smVar(name, "S"+name, ""))
		idOf[name] = fmt.Sprintf("fnenv-test/s%02d", i)
	}
	// 25 secrets → 25 requests, answered only once all arrived.
	c, p := smSetup(t, spec, idOf, ssmproxy.HoldUntil(25, 10*time.Second))
	want := map[string]string{}
	for i := range 25 {
		name := fmt.Sprintf("VAR_%02d", i)
		want[name] = fmt.Sprintf("sk_test_fake_%02d", i)
		createSecret(t, c, idOf[name], want[name])
	}
	got := load(t, newLoader(spec))
	if diff := cmp.Diff(got.Vals, want); diff != "" {
		t.Errorf("values (-got +want):\n%s", diff)
	}
	if !p.Held() {
		t.Error("the 25 requests were not in flight together: not one round")
	}
	var ids []string
	for _, r := range p.Requests() {
		if r.Target != "secretsmanager.GetSecretValue" || len(r.SecretIDs) != 1 {
			t.Errorf("request %s for %v; want GetSecretValue of one secret", r.Target, r.SecretIDs)
		}
		ids = append(ids, r.SecretIDs...)
	}
	slices.Sort(ids)
	wantIDs := slices.Sorted(maps.Values(idOf))
	if diff := cmp.Diff(ids, wantIDs); diff != "" {
		t.Errorf("secret ids asked for, each once (-got +want):\n%s", diff)
	}
}

func TestLoadSecretsManagerProblems(t *testing.T) {
	spec := gensupport.Declaration{Function: "db", SecretsManager: smfetch.New, Vars: []gensupport.Var{
		{Name: "API_KEY", Secret: "MY_API_KEY"},
		smVar("DB_PASSWORD", "DbCredential", "password"),
		smVar("DB_USERNAME", "DbCredential", "username"),
		smVar("DB_HOST", "DbCredential", "host"),
		smVar("GONE", "Gone", "password"),
		smVar("PLAIN_FIELD", "Plain", "key"),
		smVar("PLAIN_WHOLE", "Plain", ""),
	}}
	c, _ := smSetup(t, spec, map[string]string{
		"DB_PASSWORD": "fnenv-test/db", "DB_USERNAME": "fnenv-test/db", "DB_HOST": "fnenv-test/db",
		"GONE": "fnenv-test/gone", "PLAIN_FIELD": "fnenv-test/plain", "PLAIN_WHOLE": "fnenv-test/plain",
	})
	createSecret(t, c, "fnenv-test/db", `{"username":"fake_user_0001","host":null}`)
	createSecret(t, c, "fnenv-test/plain", "not json: fake_plain_0001")

	e, err := newLoader(spec).Load(context.Background())
	if e != nil || err == nil {
		t.Fatalf("Load = %v, %v; want no Env and an error", e, err)
	}
	msg := err.Error()
	t.Logf("error: %v", msg)
	for _, want := range []string{
		"MY_API_KEY (for API_KEY)", // the SSM problem, in the same error
		`4 Secrets Manager references could not be resolved:`,
		`DB_HOST: field "host" of secret fnenv-test/db (DbCredential): its JSON's top-level field "host" is null, which counts as missing`,
		`DB_PASSWORD: field "password" of secret fnenv-test/db (DbCredential): its JSON has no top-level field "password"`,
		`GONE: field "password" of secret fnenv-test/gone (Gone): ResourceNotFoundException`,
		`PLAIN_FIELD: field "key" of secret fnenv-test/plain (Plain): its SecretString is not a JSON object`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error\n%s\ndoes not contain %q", msg, want)
		}
	}
	if strings.Contains(msg, "fake_") || strings.Contains(msg, "PLAIN_WHOLE") || strings.Contains(msg, "DB_USERNAME") {
		t.Errorf("the error holds a value or names a variable that resolved: %v", msg)
	}
	var se *resolver.SecretsManagerError
	if !errors.As(err, &se) || len(se.Problems) != 4 {
		t.Errorf("errors.As(*SecretsManagerError) with 4 problems: got %+v", se)
	}
}

// deniedSM answers like Secrets Manager when the role may not call
// GetSecretValue on one secret.
type deniedSM struct{ denied string }

func (d deniedSM) GetSecretValue(_ context.Context, in *sm.GetSecretValueInput, _ ...func(*sm.Options)) (*sm.GetSecretValueOutput, error) {
	if aws.ToString(in.SecretId) == d.denied {
		return nil, &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "User is not authorized to perform: secretsmanager:GetSecretValue"}
	}
	return &sm.GetSecretValueOutput{SecretString: aws.String("fake_value_0001")}, nil
}

func TestLoadSecretsManagerAccessDenied(t *testing.T) {
	spec := gensupport.Declaration{Function: "db", Vars: []gensupport.Var{smVar("DB", "Db", ""), smVar("OK", "Ok", "")},
		SecretsManager: func(*aws.Config) (gensupport.ReadSecret, error) {
			return smfetch.Reader(deniedSM{"fnenv-test/db"}), nil
		}}
	smSetup(t, spec, map[string]string{"DB": "fnenv-test/db", "OK": "fnenv-test/ok"})
	_, err := newLoader(spec).Load(context.Background())
	var re *resolver.SecretsManagerRequestError
	if !errors.As(err, &re) || re.SecretID != "fnenv-test/db" || strings.Contains(err.Error(), "fake_") ||
		!strings.Contains(err.Error(), "reading secret fnenv-test/db from Secrets Manager: api error AccessDeniedException") ||
		!strings.Contains(err.Error(), "must allow secretsmanager:GetSecretValue on the secret") {
		t.Errorf("error = %v; want a *SecretsManagerRequestError for fnenv-test/db naming the permission, and no value", err)
	}

	// Every request denied.
	spec.SecretsManager = smfetch.New
	smSetup(t, spec, map[string]string{"DB": "fnenv-test/db", "OK": "fnenv-test/ok"}, ssmproxy.DenyAccess())
	_, err = newLoader(spec).Load(context.Background())
	for _, id := range []string{"fnenv-test/db", "fnenv-test/ok"} {
		if !strings.Contains(err.Error(), "reading secret "+id+" from Secrets Manager") {
			t.Errorf("error = %v; want a request error for %s", err, id)
		}
	}
}

func TestLoadSecretsManagerThrottled(t *testing.T) {
	spec := gensupport.Declaration{Function: "db", SecretsManager: smfetch.New, Vars: []gensupport.Var{smVar("DB_PASSWORD", "Db", "password")}}
	resolver.FastRetries(t)
	c, p := smSetup(t, spec, map[string]string{"DB_PASSWORD": "fnenv-test/db"}, ssmproxy.ThrottleFirst(3))
	createSecret(t, c, "fnenv-test/db", `{"password":"fake_password_0001"}`)
	got := load(t, newLoader(spec))
	if got.Vals["DB_PASSWORD"] != "fake_password_0001" {
		t.Errorf("DB_PASSWORD = %q after throttling", got.Vals["DB_PASSWORD"])
	}
	if p.Count() != 4 {
		t.Errorf("requests = %d, want 4 (3 throttled, then answered)", p.Count())
	}
}

// The SSM chunks and the Secrets Manager batches are one round: throttled
// until the deadline, each request's error says so.
func TestLoadSecretsManagerThrottledUntilDeadline(t *testing.T) {
	resolver.FastRetries(t)
	spec := gensupport.Declaration{Function: "db", SecretsManager: smfetch.New, Vars: []gensupport.Var{
		{Name: "API_KEY", Secret: "MY_API_KEY"}, smVar("DB_PASSWORD", "Db", "password"),
	}}
	smSetup(t, spec, map[string]string{"DB_PASSWORD": "fnenv-test/db"}, ssmproxy.ThrottleFirst(1_000_000))
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	_, err := newLoader(spec).Load(ctx)
	var re *resolver.SecretsManagerRequestError
	if !errors.As(err, &re) || re.ThrottledAttempts == 0 || !strings.Contains(err.Error(), "10,000 GetSecretValue requests a second") {
		t.Errorf("error = %v; want a *SecretsManagerRequestError throttled until the deadline", err)
	}
	var ssmErr *resolver.RequestError
	if !errors.As(err, &ssmErr) {
		t.Errorf("error = %v; want the SSM chunk's *RequestError too", err)
	}
}

func TestLoadSecretsManagerRotatedAfterMaxAge(t *testing.T) {
	spec := gensupport.Declaration{Function: "db", SecretsManager: smfetch.New, Vars: []gensupport.Var{smVar("DB_PASSWORD", "Db", "password")}}
	c, p := smSetup(t, spec, map[string]string{"DB_PASSWORD": "fnenv-test/db"})
	t.Setenv("FNENV_MAX_AGE", "5m")
	createSecret(t, c, "fnenv-test/db", `{"password":"fake_password_v1"}`)
	now := time.Now()
	l := newLoader(spec, resolver.WithClock(func() time.Time { return now }))
	if got := load(t, l).Vals["DB_PASSWORD"]; got != "fake_password_v1" {
		t.Fatalf("DB_PASSWORD = %q, want v1", got)
	}
	// Rotation: a new AWSCURRENT version.
	if _, err := c.PutSecretValue(context.Background(), &sm.PutSecretValueInput{SecretId: aws.String("fnenv-test/db"), SecretString: aws.String(`{"password":"fake_password_v2"}`)}); err != nil {
		t.Fatal(err)
	}
	now = now.Add(4 * time.Minute)
	if got := load(t, l).Vals["DB_PASSWORD"]; got != "fake_password_v1" || p.Count() != 1 {
		t.Errorf("before the max age: DB_PASSWORD = %q after %d requests, want v1 from the cache", got, p.Count())
	}
	now = now.Add(2 * time.Minute)
	if got := load(t, l).Vals["DB_PASSWORD"]; got != "fake_password_v2" {
		t.Errorf("after the max age: DB_PASSWORD = %q, want the rotated v2", got)
	}
}

func TestLoadSecretsManagerStale(t *testing.T) {
	spec := gensupport.Declaration{Function: "db", SecretsManager: smfetch.New, Vars: []gensupport.Var{smVar("DB_PASSWORD", "Db", "password"), {Name: "LITERAL"}}}
	smSetup(t, spec, map[string]string{"LITERAL": "fnenv-test/db"})
	t.Setenv("LITERAL", "x")
	_, err := newLoader(spec).Load(context.Background())
	var se *resolver.StaleError
	if !errors.As(err, &se) {
		t.Fatalf("error = %v; want a *StaleError", err)
	}
	want := []string{
		"Secrets Manager variable DB_PASSWORD (secret Db) is not in FNENV_SECRETSMANAGER",
		"LITERAL is not a Secrets Manager reference here but FNENV_SECRETSMANAGER maps it to secret fnenv-test/db",
	}
	if diff := cmp.Diff(se.Mismatches, want); diff != "" {
		t.Errorf("mismatches (-got +want):\n%s", diff)
	}
}

// Outside Lambda with a dotenv file, a Secrets Manager variable is read by
// its variable name like any other: no Secrets Manager call.
func TestLoadSecretsManagerDotenv(t *testing.T) {
	spec := gensupport.Declaration{Function: "db", SecretsManager: smfetch.New, Vars: []gensupport.Var{smVar("DB_PASSWORD", "DbCredential", "password"), smVar("DB_USERNAME", "DbCredential", "username")}}
	_, p := smSetup(t, spec, map[string]string{"DB_PASSWORD": "fnenv-test/db", "DB_USERNAME": "fnenv-test/db"})
	unsetenv(t, "AWS_LAMBDA_FUNCTION_NAME")
	file := filepath.Join(t.TempDir(), ".env")
	if err := os.WriteFile(file, []byte("DB_PASSWORD=fake_dotenv_password\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("FNENV_DOTENV", file)
	t.Setenv("DB_USERNAME", "fake_dotenv_user")
	if got := load(t, newLoader(spec)).Vals; got["DB_PASSWORD"] != "fake_dotenv_password" || got["DB_USERNAME"] != "fake_dotenv_user" || p.Count() != 0 {
		t.Errorf("values %v after %d requests; want the dotenv and environment values, no request", got, p.Count())
	}
	unsetenv(t, "DB_USERNAME")
	_, err := newLoader(spec).Load(context.Background())
	if err == nil || !strings.Contains(err.Error(), "Secrets Manager variable DB_USERNAME (secret DbCredential) is set neither in the environment nor in the dotenv file") {
		t.Errorf("error = %v; want DB_USERNAME named as a Secrets Manager variable", err)
	}
}

// TestLoadSecretsManagerSources: a Secrets Manager variable's Source is
// the secret's id and its field.
func TestLoadSecretsManagerSources(t *testing.T) {
	spec := gensupport.Declaration{Function: "db", SecretsManager: smfetch.New, Vars: []gensupport.Var{
		smVar("DB_PASSWORD", "DbCredential", "password"),
		smVar("TOKEN", "Token", ""),
	}}
	c, _ := smSetup(t, spec, map[string]string{})
	createSecret(t, c, "fnenv-test/db", `{"password":"fake_password_0002"}`)
	createSecret(t, c, "fnenv-test/token", "tok_fake_0003")
	t.Setenv(model.EnvSecretsManager, model.EncodeSecretsManager(map[string]string{
		"DB_PASSWORD": "fnenv-test/db", "TOKEN": "fnenv-test/token",
	}))
	got := map[string]gensupport.Source{}
	load(t, resolver.NewLoader(spec, func(v *gensupport.Values, _ resolver.Lambda) *env {
		for _, x := range spec.Vars {
			got[x.Name] = v.Source(x.Name)
		}
		return &env{}
	}))
	want := map[string]gensupport.Source{
		"DB_PASSWORD": {Kind: gensupport.SourceSecretsManager, ID: "fnenv-test/db", Field: "password"},
		"TOKEN":       {Kind: gensupport.SourceSecretsManager, ID: "fnenv-test/token"},
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("sources (-got +want):\n%s", diff)
	}
}
