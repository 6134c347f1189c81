// Command send-receipt e-mails a receipt for a charge.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/fnenv/fnenv/app/functions/send-receipt/env"
)

// Request is a receipt to send.
type Request struct {
	To     string `json:"to"`
	Charge string `json:"charge"`
}

// Response says who sent it to whom.
type Response struct {
	From string `json:"from"`
	To   string `json:"to"`
	// Resolved shows the secrets the function resolved, masked.
	Resolved map[string]string `json:"resolved"`
}

func handle(ctx context.Context, req Request) (Response, error) {
	e, err := env.Load(ctx) // cached: no SSM call until FNENV_MAX_AGE has passed
	if err != nil {
		return Response{}, err
	}
	return Response{
		From:     e.SenderEmail,
		To:       req.To,
		Resolved: map[string]string{"SENTRY_DSN": e.SentryDsn.String()},
	}, nil
}

func main() {
	// Resolve at cold start, in Lambda's init phase: a missing secret fails
	// init with an error naming it, before any invocation.
	env.MustLoad(context.Background())
	lambda.Start(handle)
}
