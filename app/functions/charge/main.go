// Command charge charges a customer's card with Stripe.
package main

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/fnenv/fnenv/app/functions/charge/env"
)

// Request is a charge to make.
type Request struct {
	Customer string `json:"customer"`
	Amount   int64  `json:"amount"` // in the smallest unit of the currency
	// Currency is one of ALLOWED_CURRENCIES; default: CURRENCY.
	Currency string `json:"currency,omitempty"`
}

// Response says what was charged.
type Response struct {
	Customer string `json:"customer"`
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
	// Resolved shows the secrets the function resolved, masked.
	Resolved map[string]string `json:"resolved"`
}

// errKeyRejected is what the payment provider answers (HTTP 401) for an API
// key it no longer accepts, for example one rotated since it was resolved.
var errKeyRejected = errors.New("stripe: API key rejected")

// chargeCard charges the card at the payment provider. The sample calls no
// one; a real one would POST to e.StripeAPIBase with e.StripeKey.Reveal() within
// e.StripeTimeout and map a 401 to errKeyRejected. Tests replace it.
var chargeCard = func(ctx context.Context, e *env.Env, req Request) error { return nil }

func handle(ctx context.Context, req Request) (Response, error) {
	e, err := env.Load(ctx) // cached: no SSM call until FNENV_MAX_AGE has passed
	if err != nil {
		return Response{}, err
	}
	if req.Currency == "" {
		req.Currency = e.Currency
	}
	if !slices.Contains(e.AllowedCurrencies, req.Currency) {
		return Response{}, fmt.Errorf("currency %q is not one of %v", req.Currency, e.AllowedCurrencies)
	}
	ctx, cancel := context.WithTimeout(ctx, e.StripeTimeout)
	defer cancel()
	err = chargeCard(ctx, e, req)
	if errors.Is(err, errKeyRejected) {
		// The key may have been rotated: read the secrets again now (calls
		// within a second share one round), then retry once.
		if e, err = env.Refresh(ctx); err != nil {
			return Response{}, err
		}
		err = chargeCard(ctx, e, req)
	}
	if err != nil {
		return Response{}, err
	}
	return Response{
		Customer: req.Customer,
		Amount:   req.Amount,
		Currency: req.Currency,
		Resolved: map[string]string{
			"STRIPE_KEY":  e.StripeKey.String(),
			"SENTRY_DSN":  e.SentryDsn.String(),
			"DB_USERNAME": e.DBUsername.String(),
			"DB_PASSWORD": e.DBPassword.String(),
		},
	}, nil
}

func main() {
	// Resolve at cold start, in Lambda's init phase: a missing secret fails
	// init with an error naming it, before any invocation.
	env.MustLoad(context.Background())
	lambda.Start(handle)
}
