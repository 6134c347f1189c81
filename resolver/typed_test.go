package resolver_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fnenv/fnenv/resolver"
	"github.com/fnenv/fnenv/resolver/envtype"
	"github.com/fnenv/fnenv/resolver/gensupport"
	"github.com/fnenv/fnenv/resolver/smfetch"
)

// typedEnv is the test's stand-in for a generated Env with one field of
// each type.
type typedEnv struct {
	Name    string
	Port    int
	Debug   bool
	Rate    float64
	Timeout time.Duration
	API     *url.URL
	Origins []string
	Config  json.RawMessage
}

func buildTyped(v *gensupport.Values, _ resolver.Lambda) *typedEnv {
	return &typedEnv{
		Name: v.Get("NAME"), Port: v.Int("PORT"), Debug: v.Bool("DEBUG"), Rate: v.Float("RATE"),
		Timeout: v.Duration("TIMEOUT"), API: v.URL("API"), Origins: v.StringList("ORIGINS"), Config: v.JSON("CONFIG"),
	}
}

// Literals come from the environment; PORT and CONFIG are secrets.
var typedSpec = gensupport.Declaration{Function: "typed", Vars: []gensupport.Var{
	{Name: "API"}, {Name: "CONFIG", Secret: "CONFIG"}, {Name: "DEBUG"}, {Name: "NAME"},
	{Name: "ORIGINS"}, {Name: "PORT", Secret: "PORT"}, {Name: "RATE"}, {Name: "TIMEOUT"},
}}

func TestLoadTyped(t *testing.T) {
	c, p := setup(t, typedSpec)
	put(t, c, branchPrefix+"CONFIG", `{"pool": 5}`)
	put(t, c, branchPrefix+"PORT", "8080")
	for k, v := range map[string]string{"API": "https://api.example.com/v1", "DEBUG": "true", "NAME": "x", "ORIGINS": " a.example, ,b.example,", "RATE": "0.25", "TIMEOUT": "1.5s"} {
		t.Setenv(k, v)
	}
	l := resolver.NewLoader(typedSpec, buildTyped)
	got, err := l.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := &typedEnv{Name: "x", Port: 8080, Debug: true, Rate: 0.25, Timeout: 1500 * time.Millisecond,
		API: &url.URL{Scheme: "https", Host: "api.example.com", Path: "/v1"}, Origins: []string{"a.example", "b.example"}, Config: json.RawMessage(`{"pool": 5}`)}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("Load (-got +want):\n%s", diff)
	}
	if p.Count() != 1 {
		t.Errorf("requests = %d, want 1: types add no request", p.Count())
	}
}

// Every bad value is reported at once, with its type, never the value, and
// no Env is returned.
func TestLoadTypedInvalid(t *testing.T) {
	c, _ := setup(t, typedSpec)
	put(t, c, branchPrefix+"CONFIG", `{"pool": sk_test_fake_notjson`)
	put(t, c, sharedPrefix+"PORT", "sk_test_fake_port")
	for k, v := range map[string]string{"API": "api.example.com", "DEBUG": "yes", "NAME": "x", "ORIGINS": "", "RATE": "NaN", "TIMEOUT": "5"} {
		t.Setenv(k, v)
	}
	l := resolver.NewLoader(typedSpec, buildTyped)
	got, err := l.Load(context.Background())
	if got != nil || err == nil {
		t.Fatalf("Load = %v, %v; want no Env and an error", got, err)
	}
	want := `fnenv: function "typed": 6 variables are not of their type (values not shown):
  PORT (secret PORT) is not a valid int: want a decimal integer, like 8080
  DEBUG (literal) is not a valid bool: want true or false (also 1, t, T, TRUE, True, 0, f, F, FALSE, False)
  RATE (literal) is not a valid float: want a finite number, like 0.25 or 1e-3
  TIMEOUT (literal) is not a valid duration: want a Go duration, like 300ms, 1.5s or 2h45m
  API (literal) is not a valid url: want an absolute URL with a scheme and a host, like https://api.example.com/v1
  CONFIG (secret CONFIG) is not a valid json: want valid JSON, like {"a":1}`
	if diff := cmp.Diff(err.Error(), want); diff != "" {
		t.Errorf("error (-got +want):\n%s", diff)
	}
	var ie *resolver.InvalidValuesError
	if !errors.As(err, &ie) || len(ie.Values) != 6 || ie.Values[0].Type != envtype.Int || ie.Values[0].Source != "secret PORT" {
		t.Errorf("errors.As(*InvalidValuesError) = %+v", ie)
	}
	if strings.Contains(err.Error(), "sk_test_fake") {
		t.Errorf("the error shows a value: %v", err)
	}
	// Nothing was cached: fixed values load.
	put(t, c, branchPrefix+"CONFIG", `{}`)
	put(t, c, branchPrefix+"PORT", "1")
	for k, v := range map[string]string{"API": "http://localhost:1", "DEBUG": "0", "RATE": "1", "TIMEOUT": "5s"} {
		t.Setenv(k, v)
	}
	if got, err := l.Load(context.Background()); err != nil || got.Port != 1 {
		t.Errorf("Load after fixing = %v, %v", got, err)
	}
}

// A Secrets Manager field is typed like any value: a bad one is named with
// its secret and field, never shown; Values mask it when printed.
func TestLoadTypedSecretsManager(t *testing.T) {
	spec := gensupport.Declaration{Function: "db", SecretsManager: smfetch.New, Vars: []gensupport.Var{
		smVar("DB_PASSWORD", "DbCredential", "password"),
		smVar("DB_PORT", "DbCredential", "port"),
		smVar("DB_SSL", "DbCredential", "ssl"),
	}}
	c, _ := smSetup(t, spec, map[string]string{"DB_PASSWORD": "fnenv-test/db", "DB_PORT": "fnenv-test/db", "DB_SSL": "fnenv-test/db"})
	createSecret(t, c, "fnenv-test/db", `{"password":"fake_password_0001","port":5432,"ssl":"sk_test_fake_notbool"}`)
	var printed string
	build := func(v *gensupport.Values, lam resolver.Lambda) *typedEnv {
		printed = fmt.Sprintf("%+v", v)
		return &typedEnv{Port: v.Int("DB_PORT"), Debug: v.Bool("DB_SSL")}
	}
	got, err := resolver.NewLoader(spec, build).Load(context.Background())
	want := `fnenv: function "db": 1 variable is not of its type (values not shown):
  DB_SSL (Secrets Manager secret DbCredential, field ssl) is not a valid bool: want true or false (also 1, t, T, TRUE, True, 0, f, F, FALSE, False)`
	if got != nil || err == nil || err.Error() != want {
		t.Errorf("Load = %v, %v; want no Env and\n%s", got, err, want)
	}
	if strings.Contains(printed, "fake_password") || strings.Contains(printed, "sk_test_fake") || !strings.Contains(printed, "DB_PORT:****") {
		t.Errorf("Values printed %q; want every Secrets Manager value masked", printed)
	}
}
