package resolver_test

import (
	"context"
	"fmt"

	"github.com/fnenv/fnenv/resolver"
)

// Override gives a unit test the value it wants: Load returns it without
// reading anything until restore is called. Generated env packages wrap
// it as env.Override; with t.Cleanup(env.Override(&env.Env{…})) a test
// restores it when it ends.
func ExampleLoader_Override() {
	type Env struct{ APIKey string }
	l := resolver.NewLoader(resolver.Declaration{Function: "say-hello", Vars: []resolver.Var{{Name: "API_KEY", Secret: "MY_API_KEY"}}},
		func(v *resolver.Values) *Env { return &Env{APIKey: v.Get("API_KEY")} })

	restore := l.Override(&Env{APIKey: "sk_test_fake"})
	e, err := l.Load(context.Background())
	fmt.Println(e.APIKey, err)
	restore()
	// Output: sk_test_fake <nil>
}

// Values, and the Env types generated code declares, print with every
// secret masked, whatever the verb.
func ExampleFormat() {
	fields := []resolver.Field{
		{Name: "Currency", Value: "usd"},
		{Name: "StripeKey", Value: "sk_test_fake_main_0042", Secret: true},
	}
	fmt.Printf("%+v\n", fieldsOf(fields))
	fmt.Printf("%#v\n", fieldsOf(fields))
	// Output:
	// {Currency:usd StripeKey:sk_t…42}
	// env.Env{Currency:"usd", StripeKey:"sk_t…42"}
}

// fieldsOf prints as a generated Env does.
type fieldsOf []resolver.Field

func (f fieldsOf) Format(s fmt.State, verb rune) { resolver.Format(s, verb, "env.Env", f) }
