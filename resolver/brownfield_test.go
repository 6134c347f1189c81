package resolver_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/google/go-cmp/cmp"

	"github.com/fnenv/fnenv/internal/moto"
	"github.com/fnenv/fnenv/internal/ssmproxy"
	"github.com/fnenv/fnenv/model"
	"github.com/fnenv/fnenv/resolver"
	"github.com/fnenv/fnenv/resolver/gensupport"
	"github.com/fnenv/fnenv/resolver/smfetch"
)

// A team's existing parameters, one in a second region (moto keeps
// regions apart by the request's signature, on one endpoint).
const (
	motoAccount  = "123456789012"
	otherRegion  = "eu-west-1"
	legacyPW     = "/legacy/db/password"
	legacyURL    = "/legacy/payments/api-url"
	euPW         = "arn:aws:ssm:" + otherRegion + ":" + motoAccount + ":parameter/legacy/eu/db-password"
	euPWPath     = "/legacy/eu/db-password"
	notShared    = "arn:aws:ssm:" + moto.Region + ":999988887777:parameter/platform/datadog-key"
	fakeLegacyPW = "fake-legacy-db-password"
	fakeEuPW     = "fake-eu-db-password"
	fakeURL      = "https://payments.example.test/v1"
)

// brownfield is a function reading a secret by name, an existing
// SecureString by path, an existing String, a SecureString in another
// region by ARN, and 20 KB of literals; with smARN, the password field of
// that Secrets Manager secret too.
func brownfield(smARN string) (model.Function, map[string]string) {
	vars := map[string]model.Variable{
		"API_KEY":   {Kind: model.Secret, Secret: "MY_API_KEY"},
		"LEGACY_PW": {Kind: model.Secret, Secret: legacyPW},
		"API_URL":   {Kind: model.Parameter, Parameter: legacyURL},
		"EU_PW":     {Kind: model.Secret, Secret: euPW},
		"NAME":      {Kind: model.Literal},
	}
	if smARN != "" {
		vars["EU_DB"] = model.Variable{Kind: model.SecretsManager, SecretsManager: &model.SecretsManagerRef{Secret: "EuDb", ID: smARN, Field: "password"}}
	}
	literals := map[string]string{"NAME": "World"}
	for i := range 40 {
		k := fmt.Sprintf("BLOB_%02d", i)
		literals[k] = strings.Repeat(string(rune('a'+i%26)), 500)
		vars[k] = model.Variable{Kind: model.Literal}
	}
	return model.NewFunction("brownfield", "app/functions/brownfield", vars), literals
}

func declOf(f model.Function) gensupport.Declaration {
	d := gensupport.Declaration{Function: f.Name}
	for _, v := range f.Variables {
		x := gensupport.Var{Name: v.Name, Secret: v.Secret, Parameter: v.Parameter}
		if r := v.SecretsManager; r != nil {
			x.SecretsManager, x.JSONField = r.Secret, r.Field
			d.SecretsManager = smfetch.New
		}
		d.Vars = append(d.Vars, x)
	}
	return d
}

// deploy puts f's configuration in the environment, as the construct sets
// it, and the parameters its stack would create in moto.
func deploy(t *testing.T, c *ssm.Client, f model.Function, literals map[string]string) model.Placement {
	t.Helper()
	p, err := f.Place(model.Backend{AppID: "fnenv-test", Branch: "feature-login"}, "0s", model.SynthValues{Literals: literals})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{model.EnvSecrets, model.EnvParameters, model.EnvLiterals, model.EnvSecretsManager} {
		unsetenv(t, k)
	}
	for k, v := range p.Env {
		t.Setenv(k, v)
	}
	for _, prm := range p.Parameters {
		putTyped(t, c, prm.Name, prm.Value, types.ParameterTypeString)
	}
	return p
}

func putTyped(t *testing.T, c *ssm.Client, name, value string, typ types.ParameterType) {
	t.Helper()
	_, err := c.PutParameter(context.Background(), &ssm.PutParameterInput{
		Name: aws.String(name), Value: aws.String(value), Type: typ, Overwrite: aws.Bool(true),
	})
	if err != nil {
		t.Fatalf("put %s: %v", name, err)
	}
}

// inRegion is c for another region of the same moto.
func inRegion(c *ssm.Client, region string) *ssm.Client {
	return ssm.New(c.Options(), func(o *ssm.Options) { o.Region = region; o.BaseEndpoint = aws.String(server.URL) })
}

func TestExistingParametersAcrossRegionsAndMovedLiteralsLoadInOneRound(t *testing.T) {
	// GIVEN the parameters and a Secrets Manager secret in the other
	// region, on moto behind a proxy that counts requests
	f, _ := brownfield("")
	// the home region's chunk (secret pair, two paths, the literals'
	// parameters), the other region's chunk and its GetSecretValue
	plan := 3
	c, p := setup(t, declOf(f), ssmproxy.ARNsAsNames(motoAccount), ssmproxy.HoldUntil(plan, 10*time.Second))
	euSM := sm.New(sm.Options{Region: otherRegion, BaseEndpoint: aws.String(server.URL), Credentials: c.Options().Credentials})
	f, literals := brownfield(createSecret(t, euSM, "legacy/eu/db", `{"password":"fake-eu-sm-password"}`))
	placed := deploy(t, c, f, literals)
	if len(placed.Moved) == 0 || 2+2+len(placed.Parameters) > 10 {
		t.Fatalf("the fixture should move literals into one chunk's worth of parameters: %d moved, %d parameters", len(placed.Moved), len(placed.Parameters))
	}
	put(t, c, branchPrefix+"MY_API_KEY", "fake-api-key-feature-login")
	put(t, c, legacyPW, fakeLegacyPW)
	putTyped(t, c, legacyURL, fakeURL, types.ParameterTypeString)
	put(t, inRegion(c, otherRegion), euPWPath, fakeEuPW)

	// WHEN the function loads
	e := load(t, newLoader(declOf(f)))

	// THEN every value is right
	want := map[string]string{
		"API_KEY": "fake-api-key-feature-login", "LEGACY_PW": fakeLegacyPW, "API_URL": fakeURL, "EU_PW": fakeEuPW,
		"EU_DB": "fake-eu-sm-password",
	}
	for k, v := range literals {
		want[k] = v
	}
	if d := cmp.Diff(e.Vals, want); d != "" {
		t.Errorf("values (-got +want):\n%s", d)
	}
	// …read in one round: one GetParameters per region and the
	// GetSecretValue in the secret's region, all in flight together
	byRegion := map[string]int{}
	for _, r := range p.Requests() {
		byRegion[r.Region+" "+r.Target]++
	}
	want2 := map[string]int{moto.Region + " AmazonSSM.GetParameters": 1, otherRegion + " AmazonSSM.GetParameters": 1, otherRegion + " secretsmanager.GetSecretValue": 1}
	if d := cmp.Diff(byRegion, want2); d != "" || !p.Held() {
		t.Errorf("requests by region (-got +want):\n%s; all in one round: %v", d, p.Held())
	}
}

func TestARegionThatFailsIsNamed(t *testing.T) {
	f, literals := brownfield("")
	c, _ := setup(t, declOf(f), ssmproxy.ARNsAsNames(motoAccount), ssmproxy.DenyAccess(euPW))
	deploy(t, c, f, literals)
	put(t, c, branchPrefix+"MY_API_KEY", "fake-api-key-feature-login")
	put(t, c, legacyPW, fakeLegacyPW)
	putTyped(t, c, legacyURL, fakeURL, types.ParameterTypeString)

	_, err := newLoader(declOf(f)).Load(context.Background())
	var re *resolver.RequestError
	if err == nil || !strings.Contains(err.Error(), "SSM in region "+otherRegion+": ") || !errors.As(err, &re) || !strings.Contains(err.Error(), euPW) {
		t.Errorf("Load = %v, want an AccessDenied naming region %s and %s", err, otherRegion, euPW)
	}
	if strings.Contains(fmt.Sprint(err), "fake-") {
		t.Errorf("the error holds a value: %v", err)
	}
}

func TestExistingParameterProblems(t *testing.T) {
	// GIVEN a Parameter that is a SecureString, a path that does not
	// exist, and an ARN of another account that nothing shares
	decl := gensupport.Declaration{Function: "legacy", Vars: []gensupport.Var{
		{Name: "API_URL", Parameter: legacyPW},
		{Name: "GONE", Secret: "/legacy/gone"},
		{Name: "PLATFORM", Secret: notShared},
	}}
	c, _ := setup(t, decl, ssmproxy.ARNsAsNames(motoAccount))
	t.Setenv(model.EnvParameters, "API_URL="+legacyPW)
	t.Setenv(model.EnvSecrets, "GONE=/legacy/gone,PLATFORM="+notShared)
	put(t, c, legacyPW, fakeLegacyPW)

	// WHEN it loads, THEN it fails naming each, and no value
	_, err := newLoader(decl).Load(context.Background())
	var missing *resolver.MissingParametersError
	var secure *resolver.SecureStringParameterError
	if !errors.As(err, &missing) || !errors.As(err, &secure) {
		t.Fatalf("Load = %v, want a MissingParametersError and a SecureStringParameterError", err)
	}
	got := []string{missing.Parameters[0].Parameter, missing.Parameters[1].Parameter, secure.Var}
	if d := cmp.Diff(got, []string{"/legacy/gone", notShared, "API_URL"}); d != "" {
		t.Errorf("problems (-got +want):\n%s", d)
	}
	for _, w := range []string{"is not shared with this one through AWS RAM", "reference it with function.Secret"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q: %v", w, err)
		}
	}
	if strings.Contains(err.Error(), fakeLegacyPW) {
		t.Errorf("the error holds a value: %v", err)
	}
}

func TestASecretsManagerRegionThatFailsIsNamed(t *testing.T) {
	// GIVEN a Secrets Manager secret in the other region that the function
	// may not read
	f, _ := brownfield("")
	c, _ := setup(t, declOf(f), ssmproxy.ARNsAsNames(motoAccount))
	euSM := sm.New(sm.Options{Region: otherRegion, BaseEndpoint: aws.String(server.URL), Credentials: c.Options().Credentials})
	arn := createSecret(t, euSM, "legacy/eu/db", `{"password":"fake-eu-sm-password"}`)
	f, literals := brownfield(arn)
	p := ssmproxy.New(t, server.URL, ssmproxy.ARNsAsNames(motoAccount), ssmproxy.DenyAccess(arn))
	t.Setenv("AWS_ENDPOINT_URL", p.URL)
	deploy(t, c, f, literals)
	put(t, c, branchPrefix+"MY_API_KEY", "fake-api-key-feature-login")
	put(t, c, legacyPW, fakeLegacyPW)
	putTyped(t, c, legacyURL, fakeURL, types.ParameterTypeString)
	put(t, inRegion(c, otherRegion), euPWPath, fakeEuPW)

	// WHEN it loads, THEN the error names the region and the secret, and
	// no value
	_, err := newLoader(declOf(f)).Load(context.Background())
	if err == nil || !strings.Contains(err.Error(), "Secrets Manager in region "+otherRegion+": ") || !strings.Contains(err.Error(), arn) {
		t.Errorf("Load = %v, want an error naming region %s and %s", err, otherRegion, arn)
	}
	if strings.Contains(fmt.Sprint(err), "fake-") {
		t.Errorf("the error holds a value: %v", err)
	}
}
