package resolver_test

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/fnenv/fnenv/resolver"
	"github.com/fnenv/fnenv/resolver/gensupport"
)

// A generated env package holds a Declaration and a build function, and creates
// its Loader with NewLoader; a handler calls Load at cold start. Here the
// function construct's variables are set by hand and SSM is an in-memory
// fake (see WithClient).
func ExampleNewLoader() {
	defer setenv(map[string]string{
		"GREETING":            "hello",
		"FNENV_SECRETS":       "API_KEY=MY_API_KEY",
		"FNENV_BRANCH_PREFIX": "/amplify/myapp/main/",
		"FNENV_SHARED_PREFIX": "/amplify/shared/myapp/",
	})()
	type Env struct {
		Greeting string
		APIKey   resolver.Secret[string]
	}
	spec := gensupport.Declaration{Function: "say-hello", Vars: []gensupport.Var{
		{Name: "API_KEY", Secret: "MY_API_KEY"},
		{Name: "GREETING"},
	}}
	build := func(v *gensupport.Values, lam resolver.Lambda) *Env {
		return &Env{Greeting: v.Get("GREETING"), APIKey: resolver.NewSecret(v.Get("API_KEY"))}
	}
	l := resolver.NewLoader(spec, build, resolver.WithClient(memSSM{"/amplify/shared/myapp/MY_API_KEY": "sk_test_fake_shared"}))

	e, err := l.Load(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(e.Greeting, e.APIKey, len(e.APIKey.Reveal()))
	// Output: hello sk…ed 19
}

// WithClient replaces the SSM client built from the Lambda environment: any
// type with GetParameters will do, here an in-memory map. The branch value
// wins over the shared one; a secret in neither fails Load with a
// *MissingSecretsError naming both paths.
func ExampleWithClient() {
	defer setenv(map[string]string{
		"FNENV_SECRETS":       "API_KEY=MY_API_KEY,DB_PASSWORD=DB_PASSWORD",
		"FNENV_BRANCH_PREFIX": "/amplify/myapp/main/",
		"FNENV_SHARED_PREFIX": "/amplify/shared/myapp/",
	})()
	spec := gensupport.Declaration{Function: "say-hello", Vars: []gensupport.Var{
		{Name: "API_KEY", Secret: "MY_API_KEY"},
		{Name: "DB_PASSWORD", Secret: "DB_PASSWORD"},
	}}
	build := func(v *gensupport.Values, lam resolver.Lambda) *[2]string {
		return &[2]string{v.Get("API_KEY"), v.Get("DB_PASSWORD")}
	}
	c := memSSM{
		"/amplify/myapp/main/MY_API_KEY":    "fake_branch_key",
		"/amplify/shared/myapp/MY_API_KEY":  "fake_shared_key",
		"/amplify/shared/myapp/DB_PASSWORD": "fake_shared_password",
	}
	e, err := resolver.NewLoader(spec, build, resolver.WithClient(c)).Load(context.Background())
	fmt.Println(*e, err)

	delete(c, "/amplify/shared/myapp/DB_PASSWORD")
	_, err = resolver.NewLoader(spec, build, resolver.WithClient(c)).Load(context.Background())
	fmt.Println(err)
	// Output:
	// [fake_branch_key fake_shared_password] <nil>
	// fnenv: function "say-hello": 1 secret is not set in SSM Parameter Store, neither on branch "main" nor shared:
	//   DB_PASSWORD (for DB_PASSWORD): tried /amplify/myapp/main/DB_PASSWORD and /amplify/shared/myapp/DB_PASSWORD; set it with `fnenv secret set DB_PASSWORD --branch main` (or --shared for every branch)
	//   `fnenv secret check --branch main` (after a synth) lists the names set near these; run fnenv as `go tool fnenv` where it is a tool of the app's module
}

// memSSM is an in-memory SSM: parameter name → value.
type memSSM map[string]string

func (m memSSM) GetParameters(_ context.Context, in *ssm.GetParametersInput, _ ...func(*ssm.Options)) (*ssm.GetParametersOutput, error) {
	out := &ssm.GetParametersOutput{}
	for _, n := range in.Names {
		if v, ok := m[n]; ok {
			out.Parameters = append(out.Parameters, types.Parameter{Name: aws.String(n), Value: aws.String(v)})
		} else {
			out.InvalidParameters = append(out.InvalidParameters, n)
		}
	}
	return out, nil
}

// setenv sets vars and returns a function restoring the environment.
func setenv(vars map[string]string) func() {
	old := map[string]*string{}
	for k, v := range vars {
		if prev, ok := os.LookupEnv(k); ok {
			old[k] = &prev
		} else {
			old[k] = nil
		}
		os.Setenv(k, v)
	}
	return func() {
		for k, v := range old {
			if v == nil {
				os.Unsetenv(k)
			} else {
				os.Setenv(k, *v)
			}
		}
	}
}
