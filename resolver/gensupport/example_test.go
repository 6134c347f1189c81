package gensupport_test

import (
	"fmt"

	"github.com/fnenv/fnenv/resolver/gensupport"
)

// The Env types generated code declares, and Values, print with every
// secret masked, whatever the verb.
func ExampleFormat() {
	fields := []gensupport.Field{
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
type fieldsOf []gensupport.Field

func (f fieldsOf) Format(s fmt.State, verb rune) { gensupport.Format(s, verb, "env.Env", f) }
