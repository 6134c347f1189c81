// Command refund refunds a charge with Stripe.
package main

import (
	"context"
	"errors"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/fnenv/fnenv/app/functions/refund/env"
)

// Request is a refund to make.
type Request struct {
	Charge string `json:"charge"`
}

// Response says what was refunded.
type Response struct {
	Charge   string `json:"charge"`
	Refunded bool   `json:"refunded"`
	// Resolved shows the secrets the function resolved, masked.
	Resolved map[string]string `json:"resolved"`
}

// errRefundsDisabled is the answer while REFUNDS_ENABLED is false.
var errRefundsDisabled = errors.New("refunds are disabled (REFUNDS_ENABLED=false)")

func handle(ctx context.Context, req Request) (Response, error) {
	e, err := env.Load(ctx) // cached: no SSM call until FNENV_MAX_AGE has passed
	if err != nil {
		return Response{}, err
	}
	if !e.RefundsEnabled {
		return Response{}, errRefundsDisabled
	}
	return Response{
		Charge:   req.Charge,
		Refunded: true,
		Resolved: map[string]string{
			"STRIPE_KEY":     e.StripeKey.String(),
			"STRIPE_API_KEY": e.StripeAPIKey.String(),
			"SENTRY_DSN":     e.SentryDsn.String(),
		},
	}, nil
}

func main() {
	// Resolve at cold start, in Lambda's init phase: a missing secret fails
	// init with an error naming it, before any invocation.
	env.MustLoad(context.Background())
	lambda.Start(handle)
}
