// Command bare is the reference of the binary-size benchmark: a bare
// aws-lambda-go handler, no SSM client.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
)

func handle(context.Context, map[string]any) (string, error) { return "ok", nil }

func main() { lambda.Start(handle) }
