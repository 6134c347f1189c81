package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/fnenv/fnenv/internal/moto"
	"github.com/fnenv/fnenv/internal/ssmproxy"
	"github.com/fnenv/fnenv/model"
	"github.com/fnenv/fnenv/resolver"
	"github.com/fnenv/fnenv/resolver/gensupport"
	"github.com/fnenv/fnenv/resolver/smfetch"
)

// The mixed function of the Secrets Manager row: mixedSSM SSM secrets and
// mixedFields JSON fields of mixedSMSecrets Secrets Manager secrets.
const (
	mixedSSM       = 10
	mixedSMSecrets = 3
	mixedFields    = 5
)

// mixedField is Secrets Manager variable i: field f of secret s.
func mixedField(i int) (secret, field string) {
	return fmt.Sprintf("benchapp/main/sm%d", i%mixedSMSecrets), fmt.Sprintf("field%d", i/mixedSMSecrets)
}

func mixedValue(i int) string { return fmt.Sprintf("fake_sm_bench_%02d", i) }

// MixedResult is the Secrets Manager row of the resolution section: one
// function with 10 SSM secrets and 5 Secrets Manager fields from 3
// secrets, resolved by fnenv's Load in one round, and the same values
// fetched one request after another.
type MixedResult struct {
	Latency time.Duration
	// Fnenv is Load: 2 GetParameters chunks and 3 GetSecretValue, all in
	// parallel; Sequential: the 2 chunks, then GetSecretValue of each of
	// the 3 secrets, one after another.
	Fnenv, Sequential Approach
}

// MixedResolution measures MixedResult through a proxy adding latency in
// front of moto, cfg.Iterations times each after cfg.Warmup, interleaved.
func MixedResolution(ctx context.Context, m *moto.Server, cfg ResolutionConfig) (*MixedResult, error) {
	cfg.defaults()
	if err := putSecrets(ctx, m, mixedSSM); err != nil {
		return nil, err
	}
	if err := putMixedSecrets(ctx, m); err != nil {
		return nil, err
	}
	p, err := ssmproxy.Start(m.URL, ssmproxy.WithLatency(cfg.Latency))
	if err != nil {
		return nil, err
	}
	defer p.Close()
	setLambdaEnv(p.URL, mixedSSM)
	idOf := map[string]string{}
	spec, build := benchSpec(mixedSSM)
	spec.SecretsManager = smfetch.New
	for i := range mixedFields {
		secret, field := mixedField(i)
		name := fmt.Sprintf("SM_%02d", i)
		idOf[name] = secret
		spec.Vars = append(spec.Vars, gensupport.Var{Name: name, SecretsManager: secret, JSONField: field})
	}
	os.Setenv(model.EnvSecretsManager, model.EncodeSecretsManager(idOf))
	defer os.Unsetenv(model.EnvSecretsManager)

	res := &MixedResult{Latency: cfg.Latency}
	res.Fnenv.Name, res.Fnenv.How = "fnenv Load, 10 SSM + 5 Secrets Manager fields of 3 secrets", "one round: 2 GetParameters chunks and 3 GetSecretValue in parallel"
	res.Sequential.Name, res.Sequential.How = "one after another", "the 2 GetParameters chunks, then GetSecretValue of each secret, each request after the last"
	approaches := []measured{
		{&res.Fnenv, func(ctx context.Context) error {
			l := resolver.NewLoader(spec, func(v *gensupport.Values, lam resolver.Lambda) *[]string {
				vals := build(v, lam).vals
				for i := range mixedFields {
					vals = append(vals, v.Get(fmt.Sprintf("SM_%02d", i)))
				}
				return &vals
			})
			vals, err := l.Load(ctx)
			if err != nil {
				return err
			}
			return checkMixed(*vals)
		}},
		{&res.Sequential, func(ctx context.Context) error {
			vals, err := sequentialMixed(ctx)
			if err != nil {
				return err
			}
			return checkMixed(vals)
		}},
	}
	if err := interleave(ctx, p, cfg, approaches); err != nil {
		return nil, err
	}
	return res, nil
}

// sequentialMixed fetches the mixed function's values one request after
// another, as a handler calling the SDK in turn would.
func sequentialMixed(ctx context.Context) ([]string, error) {
	c, err := resolver.NewClient()
	if err != nil {
		return nil, err
	}
	found, err := getChunks(ctx, c, bothNames(mixedSSM), false)
	if err != nil {
		return nil, err
	}
	vals := make([]string, 0, mixedSSM+mixedFields)
	for i := range mixedSSM {
		v, ok := found[branchPrefix+secretName(i)]
		if !ok {
			v = found[sharedPrefix+secretName(i)]
		}
		vals = append(vals, v)
	}
	smc := sm.New(sm.Options{Region: moto.Region, BaseEndpoint: aws.String(os.Getenv("AWS_ENDPOINT_URL")),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, nil
		})})
	fields := map[string]map[string]string{}
	for s := range mixedSMSecrets {
		id := fmt.Sprintf("benchapp/main/sm%d", s)
		out, err := smc.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: aws.String(id)})
		if err != nil {
			return nil, err
		}
		var m map[string]string
		if err := json.Unmarshal([]byte(aws.ToString(out.SecretString)), &m); err != nil {
			return nil, fmt.Errorf("secret %s is not JSON", id)
		}
		fields[id] = m
	}
	for i := range mixedFields {
		secret, field := mixedField(i)
		vals = append(vals, fields[secret][field])
	}
	return vals, nil
}

// putMixedSecrets creates (or updates) the 3 Secrets Manager secrets in
// moto, directly.
func putMixedSecrets(ctx context.Context, m *moto.Server) error {
	c := sm.New(sm.Options{Region: moto.Region, BaseEndpoint: aws.String(m.URL),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, nil
		})})
	byID := map[string]map[string]string{}
	for i := range mixedFields {
		secret, field := mixedField(i)
		if byID[secret] == nil {
			byID[secret] = map[string]string{}
		}
		byID[secret][field] = mixedValue(i)
	}
	for id, fields := range byID {
		js, _ := json.Marshal(fields)
		_, err := c.PutSecretValue(ctx, &sm.PutSecretValueInput{SecretId: aws.String(id), SecretString: aws.String(string(js))})
		var nf *smtypes.ResourceNotFoundException
		if errors.As(err, &nf) {
			_, err = c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String(id), SecretString: aws.String(string(js))})
		}
		if err != nil {
			return fmt.Errorf("secret %s: %w", id, err)
		}
	}
	return nil
}

// checkMixed reports a resolved value that is not the mixed function's.
func checkMixed(got []string) error {
	if err := checkValues(got[:mixedSSM]); err != nil {
		return err
	}
	for i, v := range got[mixedSSM:] {
		if v != mixedValue(i) {
			return fmt.Errorf("Secrets Manager variable SM_%02d resolved wrong (%d bytes)", i, len(v))
		}
	}
	return nil
}

// writeMixed writes the Secrets Manager row of the resolution section.
func (r *Report) writeMixed(p func(string, ...any)) {
	x := r.Mixed
	p("### Secrets Manager in the same round")
	p("")
	p("One function with %d SSM secrets and %d JSON fields of %d Secrets Manager secrets, in moto behind the proxy", mixedSSM, mixedFields, mixedSMSecrets)
	p("(%s a request), a fresh Loader (and clients) each iteration:", x.Latency)
	p("")
	p("| approach | how | requests | p50 | p90 | min | max | p50 vs fnenv |")
	p("|---|---|---|---|---|---|---|---|")
	for _, a := range []Approach{x.Fnenv, x.Sequential} {
		p("| %s | %s | %d | %s | %s | %s | %s | %s |", a.Name, a.How, a.Requests, ms(a.Stats.P50), ms(a.Stats.P90), ms(a.Stats.Min), ms(a.Stats.Max), ratio(a.Stats.P50, x.Fnenv.Stats.P50))
	}
	p("")
}
