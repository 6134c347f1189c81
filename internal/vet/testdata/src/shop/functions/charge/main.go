// Command charge is a handler that makes each mistake.
package main

import (
	"context"
	"os"
	"syscall"

	"shop/functions/charge/env"
	refundenv "shop/functions/refund/env" // want `imports shop/functions/refund/env, the env package of another function: its Load reads that function's configuration, which this function \(env package shop/functions/charge/env\) does not have`

	"shop/functions/charge/internal/pay"
)

const stripeKey = "STRIPE_KEY"

func main() {
	e := env.MustLoad(context.Background())
	_ = e.StripeKey                  // the way to read a secret
	_ = os.Getenv("CURRENCY")        // a literal is in the environment
	_ = os.Getenv("STRIPE_KEY")      // want `os.Getenv\("STRIPE_KEY"\) returns "" in Lambda: STRIPE_KEY is a secret of function "charge", resolved by its env package, not an environment variable; read it from env.Load\(ctx\), field StripeKey`
	_, _ = os.LookupEnv(stripeKey)   // want `os.LookupEnv\("STRIPE_KEY"\) returns "" in Lambda`
	_, _ = syscall.Getenv("API_KEY") // want `syscall.Getenv\("API_KEY"\) returns "" in Lambda: API_KEY is a secret of function "charge".*field APIKey`
	_ = os.Getenv("MY_API_KEY")      // want `MY_API_KEY is the secret behind variable API_KEY of function "charge"`
	_ = os.Getenv("DB_PASSWORD")     // want `DB_PASSWORD is a secret of function "charge".*field DBPassword`
	name := "STRIPE_KEY"
	_ = os.Getenv(name)         // not a constant: not reported
	_ = os.Getenv("REFUND_KEY") // another function's secret: not this one's variable either, but not reported
	_ = refundenv.Override
	pay.Charge()
}
