// Package smfetch reads AWS Secrets Manager secrets for the resolver. A
// generated env package imports it — and links the SDK's Secrets Manager
// client — only when its function references Secrets Manager
// (function.SecretsManager), by setting its gensupport.Declaration's
// SecretsManager to New; other handlers link no Secrets Manager client.
package smfetch

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go"

	"github.com/fnenv/fnenv/model"
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
//
// A secret given by an ARN of another region is read in that region, with
// a client built on first use from the same options, the region aside,
// and kept: every secret of a function, whatever its region or account,
// is read in the same round.
func New(cfg *aws.Config) (gensupport.ReadSecret, error) {
	if cfg != nil {
		return Regional(sm.NewFromConfig(*cfg, func(o *sm.Options) { o.Retryer = awsenv.NoRetries })), nil
	}
	region, err := awsenv.Region("Secrets Manager")
	if err != nil {
		return nil, err
	}
	hc, err := awsenv.HTTPClient()
	if err != nil {
		return nil, err
	}
	return Regional(sm.New(sm.Options{
		Region:       region,
		Credentials:  awsenv.Credentials,
		BaseEndpoint: awsenv.Endpoint("AWS_ENDPOINT_URL_SECRETS_MANAGER"),
		HTTPClient:   hc,
		Retryer:      awsenv.NoRetries,
	})), nil
}

// Regional reads each secret with the client of the region its ARN names
// (model.SecretRegion), home's for a name or an ARN of home's region; a
// request that fails in another region names it.
func Regional(home *sm.Client) gensupport.ReadSecret {
	var mu sync.Mutex
	readers := map[string]gensupport.ReadSecret{}
	return func(ctx context.Context, id string) (string, error) {
		region := model.SecretRegion(id)
		if region == "" || region == home.Options().Region {
			return Reader(home)(ctx, id)
		}
		mu.Lock()
		read := readers[region]
		if read == nil {
			read = Reader(sm.New(home.Options(), func(o *sm.Options) { o.Region = region }))
			readers[region] = read
		}
		mu.Unlock()
		v, err := read(ctx, id)
		var p *gensupport.SecretProblem
		if err != nil && !errors.As(err, &p) {
			err = fmt.Errorf("Secrets Manager in region %s: %w", region, err)
		}
		return v, err
	}
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
