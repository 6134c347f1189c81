// Package smfetch reads AWS Secrets Manager secrets for the resolver. A
// generated env package imports it — and links the SDK's Secrets Manager
// client — only when its function references Secrets Manager
// (function.SecretsManager), by setting its gensupport.Declaration's
// SecretsManager to New; other handlers link no Secrets Manager client.
package smfetch

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go"

	"github.com/fnenv/fnenv/resolver/gensupport"
	"github.com/fnenv/fnenv/resolver/internal/awsenv"
)

// Client is the part of the Secrets Manager API the resolver uses, as
// resolver.Client is of SSM's; *secretsmanager.Client implements it.
type Client interface {
	GetSecretValue(ctx context.Context, in *sm.GetSecretValueInput, optFns ...func(*sm.Options)) (*sm.GetSecretValueOutput, error)
}

// New returns a reader built from cfg, or, when cfg is nil, from the
// variables Lambda sets (AWS_REGION, AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) and, outside Lambda only (as
// for SSM: see resolver.NewClient), the endpoint in
// AWS_ENDPOINT_URL_SECRETS_MANAGER or AWS_ENDPOINT_URL when set; in
// Lambda it ignores the endpoint, proxy and CA variables. It fails when
// AWS_REGION is unset. Either way the SDK sends each request once: the
// resolver's round retries it with the SSM requests. New is a
// gensupport.SecretsManagerFactory.
func New(cfg *aws.Config) (gensupport.ReadSecret, error) {
	if cfg != nil {
		return Reader(sm.NewFromConfig(*cfg, func(o *sm.Options) { o.Retryer = awsenv.NoRetries })), nil
	}
	region, err := awsenv.Region("Secrets Manager")
	if err != nil {
		return nil, err
	}
	hc, err := awsenv.HTTPClient()
	if err != nil {
		return nil, err
	}
	return Reader(sm.New(sm.Options{
		Region:       region,
		Credentials:  awsenv.Credentials,
		BaseEndpoint: awsenv.Endpoint("AWS_ENDPOINT_URL_SECRETS_MANAGER"),
		HTTPClient:   hc,
		Retryer:      awsenv.NoRetries,
	})), nil
}

// Reader returns the gensupport.ReadSecret of c: one GetSecretValue call
// per secret (AWSCURRENT), retried as c's options say. A secret Secrets
// Manager does not find (ResourceNotFoundException), or one holding a
// SecretBinary, is a *gensupport.SecretProblem. The resolver and `fnenv
// secret check` both read with it.
func Reader(c Client) gensupport.ReadSecret {
	return func(ctx context.Context, id string) (string, error) {
		out, err := c.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: aws.String(id)})
		var ae smithy.APIError
		switch {
		case errors.As(err, &ae) && ae.ErrorCode() == "ResourceNotFoundException":
			return "", &gensupport.SecretProblem{Reason: ae.ErrorCode() + ": " + ae.ErrorMessage()}
		case err != nil:
			return "", err
		case out.SecretString == nil:
			return "", &gensupport.SecretProblem{Reason: "it holds a SecretBinary, not a SecretString"}
		}
		return *out.SecretString, nil
	}
}
