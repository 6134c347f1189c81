package gensupport_test

import (
	"fmt"

	"github.com/fnenv/fnenv/resolver"
	"github.com/fnenv/fnenv/resolver/gensupport"
)

// The Env types generated code declares, and Values, print with every
// secret masked, whatever the verb: a generated Env's secret is a
// resolver.Secret, which masks itself; a Values entry read from a secret
// is marked Secret.
func ExampleFormat() {
	fields := []gensupport.Field{
		{Name: "Currency", Value: "usd"},
		{Name: "StripeKey", Value: resolver.NewSecret("sk_test_fake_main_0042")},
		{Name: "STRIPE_KEY", Value: "sk_test_fake_main_0042", Secret: true},
	}
	fmt.Printf("%+v\n", fieldsOf(fields))
	fmt.Printf("%#v\n", fieldsOf(fields))
	// Output:
	// {Currency:usd StripeKey:sk…42 STRIPE_KEY:sk…42}
	// env.Env{Currency:"usd", StripeKey:"sk…42", STRIPE_KEY:"sk…42"}
}

// fieldsOf prints as a generated Env does.
type fieldsOf []gensupport.Field

func (f fieldsOf) Format(s fmt.State, verb rune) { gensupport.Format(s, verb, "env.Env", f) }
