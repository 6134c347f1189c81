package resolver_test

import (
	"context"
	"fmt"

	"github.com/fnenv/fnenv/resolver"
	"github.com/fnenv/fnenv/resolver/gensupport"
)

// Override gives a unit test the value it wants: Load returns it without
// reading anything until restore is called. Generated env packages wrap
// it as env.Override; with t.Cleanup(env.Override(&env.Env{…})) a test
// restores it when it ends.
func ExampleLoader_Override() {
	type Env struct{ APIKey resolver.Secret[string] }
	l := resolver.NewLoader(gensupport.Declaration{Function: "say-hello", Vars: []gensupport.Var{{Name: "API_KEY", Secret: "MY_API_KEY"}}},
		func(v *gensupport.Values, lam resolver.Lambda) *Env {
			return &Env{APIKey: resolver.NewSecret(v.Get("API_KEY"))}
		})

	restore := l.Override(&Env{APIKey: resolver.NewSecret("sk_test_fake")})
	e, err := l.Load(context.Background())
	fmt.Println(e.APIKey.Reveal(), err)
	restore()
	// Output: sk_test_fake <nil>
}
