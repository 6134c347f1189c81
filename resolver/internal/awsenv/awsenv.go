// Package awsenv holds what the resolver's AWS clients share: no SDK
// retries (the resolver's round retries), the region, credentials and
// endpoint read from the variables Lambda sets, and an HTTP client that no
// configuration steers in Lambda. The SSM client (package
// resolver) and the Secrets Manager client (package
// resolver/smfetch) both use it.
package awsenv

import (
	"context"
	"errors"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
)

// NoRetries is passed to every SDK call of the resolver's clients: a round
// of requests retries them together (see package resolver), SSM's and
// Secrets Manager's alike.
var NoRetries aws.Retryer = retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts = 1 })

// Region returns AWS_REGION, or an error naming client when it is unset.
func Region(client string) (string, error) {
	region := os.Getenv("AWS_REGION")
	if region == "" {
		return "", errors.New("AWS_REGION is not set: the " + client + " client needs a region (Lambda sets it)")
	}
	return region, nil
}

// Endpoint returns, outside Lambda only, the endpoint in serviceVar (e.g.
// AWS_ENDPOINT_URL_SSM), else AWS_ENDPOINT_URL (a local endpoint, for
// tests and tools); else nil, the SDK's default. In a Lambda execution
// environment — LAMBDA_TASK_ROOT set, which Lambda does and a function's
// configuration cannot (it is reserved) — the endpoint variables are
// ignored, so that no configuration can send secret reads elsewhere.
func Endpoint(serviceVar string) *string {
	if inLambda() {
		return nil
	}
	for _, k := range []string{serviceVar, "AWS_ENDPOINT_URL"} {
		if e := os.Getenv(k); e != "" {
			return aws.String(e)
		}
	}
	return nil
}

// Credentials reads the credentials Lambda sets from the function's role.
var Credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
	c := aws.Credentials{
		AccessKeyID:     os.Getenv("AWS_ACCESS_KEY_ID"),
		SecretAccessKey: os.Getenv("AWS_SECRET_ACCESS_KEY"),
		SessionToken:    os.Getenv("AWS_SESSION_TOKEN"),
		Source:          "fnenv/resolver: environment",
	}
	if c.AccessKeyID == "" || c.SecretAccessKey == "" {
		return aws.Credentials{}, errors.New("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set (Lambda sets them from the function's role)")
	}
	return c, nil
})
