package resolver_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/fnenv/fnenv/resolver"
	"github.com/fnenv/fnenv/resolver/gensupport"
)

// fakeSSM answers every name with a fake value, in memory.
type fakeSSM struct{}

func (fakeSSM) GetParameters(_ context.Context, in *ssm.GetParametersInput, _ ...func(*ssm.Options)) (*ssm.GetParametersOutput, error) {
	out := &ssm.GetParametersOutput{}
	for _, n := range in.Names {
		out.Parameters = append(out.Parameters, types.Parameter{Name: aws.String(n), Value: aws.String("sk_test_fake_bench")})
	}
	return out, nil
}

func benchSpec(b *testing.B, secrets int) gensupport.Declaration {
	spec := gensupport.Declaration{Function: "bench"}
	var pairs string
	for i := range secrets {
		name := fmt.Sprintf("VAR_%02d", i)
		spec.Vars = append(spec.Vars, gensupport.Var{Name: name, Secret: "S" + name})
		if pairs != "" {
			pairs += ","
		}
		pairs += name + "=S" + name
	}
	b.Setenv("FNENV_SECRETS", pairs)
	b.Setenv("FNENV_BRANCH_PREFIX", "/amplify/app/main/")
	b.Setenv("FNENV_SHARED_PREFIX", "/amplify/shared/app/")
	b.Setenv("FNENV_MAX_AGE", "5m")
	b.Setenv("AWS_LAMBDA_FUNCTION_NAME", "bench")
	return spec
}

// BenchmarkLoadWarm is the cost of Load on every invocation after the cold
// start: an atomic load and a monotonic clock check.
func BenchmarkLoadWarm(b *testing.B) {
	spec := benchSpec(b, 5)
	l := resolver.NewLoader(spec, build(spec), resolver.WithClient(fakeSSM{}))
	ctx := context.Background()
	if _, err := l.Load(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := l.Load(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadColdInMemory is the resolver's own cost of a cold Load of 25
// secrets (5 requests), SSM answered in memory.
func BenchmarkLoadColdInMemory(b *testing.B) {
	spec := benchSpec(b, 25)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		l := resolver.NewLoader(spec, build(spec), resolver.WithClient(fakeSSM{}))
		if _, err := l.Load(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
