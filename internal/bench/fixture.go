package bench

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/fnenv/fnenv/internal/moto"
	"github.com/fnenv/fnenv/resolver"
	"github.com/fnenv/fnenv/resolver/gensupport"
)

// The backend every resolution benchmark reads: secrets S00, S01… whose
// even-numbered ones are set only as shared secrets and odd-numbered ones
// only on the branch.
const (
	appID        = "benchapp"
	branchPrefix = "/amplify/" + appID + "/main/"
	sharedPrefix = "/amplify/shared/" + appID + "/"
)

func secretName(i int) string { return fmt.Sprintf("S%02d", i) }

// fakeValue is the obviously fake value of secret i.
func fakeValue(i int) string { return fmt.Sprintf("sk_test_fake_bench_%02d", i) }

// sharedOnly reports whether secret i is set only as a shared secret.
func sharedOnly(i int) bool { return i%2 == 0 }

// putSecrets stores n secrets as SecureStrings in moto, directly (not
// through a proxy).
func putSecrets(ctx context.Context, m *moto.Server, n int) error {
	c := ssm.New(ssm.Options{
		Region:       moto.Region,
		BaseEndpoint: aws.String(m.URL),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, nil
		}),
	})
	for i := range n {
		name := branchPrefix + secretName(i)
		if sharedOnly(i) {
			name = sharedPrefix + secretName(i)
		}
		_, err := c.PutParameter(ctx, &ssm.PutParameterInput{
			Name: aws.String(name), Value: aws.String(fakeValue(i)),
			Type: types.ParameterTypeSecureString, Overwrite: aws.Bool(true),
		})
		if err != nil {
			return fmt.Errorf("put %s: %w", name, err)
		}
	}
	return nil
}

// benchEnv is what a generated env package of n secret variables expects
// (VAR_00 holds secret S00…), built by the function construct's rules.
type benchEnv struct{ vals []string }

func benchSpec(n int) (gensupport.Declaration, func(*gensupport.Values, resolver.Lambda) *benchEnv) {
	spec := gensupport.Declaration{Function: "bench"}
	for i := range n {
		spec.Vars = append(spec.Vars, gensupport.Var{Name: fmt.Sprintf("VAR_%02d", i), Secret: secretName(i)})
	}
	return spec, func(v *gensupport.Values, lam resolver.Lambda) *benchEnv {
		e := &benchEnv{vals: make([]string, n)}
		for i := range n {
			e.vals[i] = v.Get(fmt.Sprintf("VAR_%02d", i))
		}
		return e
	}
}

// setLambdaEnv sets the variables Lambda and the function construct would
// set for a function of n secrets whose SSM endpoint is endpoint.
func setLambdaEnv(endpoint string, n int) {
	var pairs []string
	for i := range n {
		pairs = append(pairs, fmt.Sprintf("VAR_%02d=%s", i, secretName(i)))
	}
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL":         endpoint,
		"AWS_ENDPOINT_URL_SSM":     "",
		"AWS_REGION":               moto.Region,
		"AWS_ACCESS_KEY_ID":        "test",
		"AWS_SECRET_ACCESS_KEY":    "test",
		"AWS_SESSION_TOKEN":        "",
		"AWS_LAMBDA_FUNCTION_NAME": "bench",
		"FNENV_SECRETS":            strings.Join(pairs, ","),
		"FNENV_BRANCH_PREFIX":      branchPrefix,
		"FNENV_SHARED_PREFIX":      sharedPrefix,
		"FNENV_MAX_AGE":            "",
		"FNENV_DOTENV":             "",
	} {
		os.Setenv(k, v)
	}
}

// checkValues reports a resolved value that is not secret i's.
func checkValues(got []string) error {
	for i, v := range got {
		if v != fakeValue(i) {
			return fmt.Errorf("secret %s resolved wrong (%d bytes)", secretName(i), len(v))
		}
	}
	return nil
}
