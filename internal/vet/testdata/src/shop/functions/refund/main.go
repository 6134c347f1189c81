// Command refund is a handler without a mistake.
package main

import (
	"context"
	"os"

	"shop/functions/refund/env"
)

func main() {
	e := env.MustLoad(context.Background())
	_ = e.RefundKey
	_ = os.Getenv("REGION_NAME") // a literal
	_ = os.Getenv("STRIPE_KEY")  // charge's secret, not refund's
}
