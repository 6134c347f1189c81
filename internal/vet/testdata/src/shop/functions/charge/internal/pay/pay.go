// Package pay is a helper of the function charge, below its directory.
package pay

import "os"

func Charge() string {
	return os.Getenv("STRIPE_KEY") // want `os.Getenv\("STRIPE_KEY"\) returns "" in Lambda: STRIPE_KEY is a secret of function "charge"`
}
