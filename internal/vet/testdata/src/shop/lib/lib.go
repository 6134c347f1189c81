// Package lib belongs to no function: nothing is reported.
package lib

import (
	"os"

	"shop/functions/refund/env"
)

func Key() string { return os.Getenv("REFUND_KEY") }

var _ = env.Load
