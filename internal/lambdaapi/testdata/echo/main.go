// Command echo is a handler for the lambdaapi tests: it answers with its
// event and the function name from its environment, or fails on demand.
package main

import (
	"context"
	"errors"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
)

type event struct {
	Say  string `json:"say"`
	Fail bool   `json:"fail"`
}

type reply struct {
	Said     string `json:"said"`
	Function string `json:"function"`
}

func main() {
	if os.Getenv("ECHO_INIT_FAIL") != "" {
		os.Exit(3)
	}
	lambda.Start(func(ctx context.Context, e event) (reply, error) {
		if e.Fail {
			return reply{}, errors.New("asked to fail")
		}
		return reply{Said: e.Say, Function: os.Getenv("AWS_LAMBDA_FUNCTION_NAME")}, nil
	})
}
