// Command sdkconfig is what a handler reading its secrets by hand usually
// looks like, for the binary-size benchmark: config.LoadDefaultConfig and
// an SSM client, GetParameters at cold start.
package main

import (
	"context"
	"os"
	"strings"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

var secrets = map[string]string{}

func handle(context.Context, map[string]any) (int, error) { return len(secrets), nil }

func main() {
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		panic(err)
	}
	out, err := ssm.NewFromConfig(cfg).GetParameters(ctx, &ssm.GetParametersInput{
		Names:          strings.Split(os.Getenv("SECRET_NAMES"), ","),
		WithDecryption: aws.Bool(true),
	})
	if err != nil {
		panic(err)
	}
	for _, p := range out.Parameters {
		secrets[*p.Name] = *p.Value
	}
	lambda.Start(handle)
}
