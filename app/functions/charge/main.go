// Command charge charges a customer's card with Stripe.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/fnenv/fnenv/app/functions/charge/env"
	"github.com/fnenv/fnenv/resolver"
)

// Request is a charge to make.
type Request struct {
	Customer string `json:"customer"`
	Amount   int64  `json:"amount"` // in the smallest unit of the currency
}

// Response says what was charged.
type Response struct {
	Customer string `json:"customer"`
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
	// Resolved shows the secrets the function resolved, masked.
	Resolved map[string]string `json:"resolved"`
}

func handle(ctx context.Context, req Request) (Response, error) {
	e, err := env.Load(ctx) // cached: no SSM call until FNENV_MAX_AGE has passed
	if err != nil {
		return Response{}, err
	}
	return Response{
		Customer: req.Customer,
		Amount:   req.Amount,
		Currency: e.Currency,
		Resolved: map[string]string{"STRIPE_KEY": resolver.Mask(e.StripeKey), "SENTRY_DSN": resolver.Mask(e.SentryDsn)},
	}, nil
}

func main() {
	// Resolve at cold start, in Lambda's init phase: a missing secret fails
	// init with an error naming it, before any invocation.
	env.MustLoad(context.Background())
	lambda.Start(handle)
}
