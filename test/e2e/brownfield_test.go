package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/google/go-cmp/cmp"

	"github.com/fnenv/fnenv/internal/demo"
	"github.com/fnenv/fnenv/internal/lambdaapi"
	"github.com/fnenv/fnenv/internal/moto"
	"github.com/fnenv/fnenv/internal/ssmproxy"
	"github.com/fnenv/fnenv/model"
)

// TestDeployExistingParametersAndLargeLiterals deploys testdata/brownfield
// to moto with the CDK CLI — a function reading a SecureString and a
// String by path, a SecureString in eu-west-1 by ARN, and 20 KB of
// literals, which move to stack-managed parameters — runs its bootstrap
// and checks what it resolved, in one round (issue 23).
func TestDeployExistingParametersAndLargeLiterals(t *testing.T) {
	if testing.Short() {
		t.Skip("deploys to a local AWS: minutes")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	cdk := os.Getenv("CDK_CLI")
	if cdk == "" {
		cdk = filepath.Join(root, ".tools", "node_modules", ".bin", "cdk")
	}
	m := moto.StartT(t)
	r := &demo.Runner{Root: filepath.Join(root, "test", "e2e", "testdata", "brownfield"), CDK: cdk, Moto: m}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	// GIVEN the team's existing parameters, in two regions
	values := map[string]string{
		"/legacy/db/password":      "fake-legacy-db-password",
		"/legacy/payments/api-url": "https://payments.example.test/v1",
		"/legacy/eu/db-password":   "fake-eu-db-password",
	}
	for name, v := range values {
		region, typ := moto.Region, types.ParameterTypeSecureString
		switch name {
		case "/legacy/eu/db-password":
			region = "eu-west-1"
		case "/legacy/payments/api-url":
			typ = types.ParameterTypeString
		}
		c := ssm.New(ssm.Options{Region: region, BaseEndpoint: aws.String(m.URL), Credentials: aws.NewCredentialsCache(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, nil
		}))})
		_, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String(name), Value: aws.String(v), Type: typ})
		must(err)
	}

	// WHEN the app is synthesized (checking the parameters exist: the
	// default with credentials) and deployed
	out := filepath.Join(root, "cdk.out", "e2e-brownfield")
	must(r.Bootstrap(ctx))
	must(r.Synth(ctx, "main", out))
	must(r.Deploy(ctx, "main", out))

	// THEN the deployed environment fits in 4 KB and names the literals'
	// parameters
	stacks, err := demo.ReadAssembly(out)
	must(err)
	if len(stacks) != 1 || len(stacks[0].Functions) != 1 {
		t.Fatalf("stacks %+v, want one function", stacks)
	}
	fn := stacks[0].Functions[0]
	confs, err := r.Describe(ctx, stacks[0])
	must(err)
	conf := confs["legacy"]
	if n := model.EnvironmentSize(conf.Environment); n > model.MaxEnvironmentBytes || conf.Environment[model.EnvLiterals] == "" {
		t.Fatalf("deployed environment: %d bytes, %s=%q", n, model.EnvLiterals, conf.Environment[model.EnvLiterals])
	}

	// …and the function, run with it, resolves every value in one round:
	// one request in each region, both in flight together (moto takes no
	// ARN in GetParameters: the proxy passes it the name)
	p := ssmproxy.New(t, m.URL, ssmproxy.ARNsAsNames(demo.Account), ssmproxy.HoldUntil(2, 10*time.Second))
	env := append(lambdaapi.Environment(conf.FunctionName, int(conf.MemorySize)), m.Env()...)
	env = append(env, "AWS_ENDPOINT_URL="+p.URL)
	for k, v := range conf.Environment {
		env = append(env, k+"="+v)
	}
	f, err := lambdaapi.Start(fn.Bootstrap, env)
	must(err)
	defer f.Stop()
	resp, err := r.Invoke(ctx, f, map[string]any{})
	must(err)

	sum := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
	want := map[string]any{
		"LegacyPw": sum(values["/legacy/db/password"]),
		"EuPw":     sum(values["/legacy/eu/db-password"]),
		"APIURL":   sum(values["/legacy/payments/api-url"]),
		"Name":     sum("World"),
	}
	for i := range 40 {
		want[fmt.Sprintf("Blob%02d", i)] = sum(strings.Repeat(string(rune('a'+i%26)), 500))
	}
	if d := cmp.Diff(resp, want); d != "" {
		t.Errorf("resolved values, as SHA-256 (-got +want):\n%s", d)
	}
	regions := map[string]int{}
	for _, q := range p.Requests() {
		regions[q.Region]++
	}
	if d := cmp.Diff(regions, map[string]int{moto.Region: 1, "eu-west-1": 1}); d != "" || !p.Held() {
		t.Errorf("requests by region (-got +want):\n%s; in one round: %v", d, p.Held())
	}
}
