// Package smfetch is the resolver's AWS Secrets Manager client. A
// generated env package imports it — and links the SDK's Secrets Manager
// client — only when its function references Secrets Manager
// (function.SecretsManager), by setting resolver.Declaration.SecretsManager to New.
package smfetch

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/fnenv/fnenv/resolver"
	"github.com/fnenv/fnenv/resolver/internal/awsenv"
)

// New returns a client built from cfg, or, when cfg is nil, from the
// variables Lambda sets (AWS_REGION, AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) and, outside Lambda only (as
// for SSM: see resolver.NewClient), the endpoint in
// AWS_ENDPOINT_URL_SECRETS_MANAGER or AWS_ENDPOINT_URL when set; in
// Lambda it ignores the endpoint, proxy and CA variables. It fails
// when AWS_REGION is unset. Either way the SDK sends each call once: the
// resolver's round retries it with the SSM requests (see package
// resolver). New is a resolver.SecretsManagerFactory.
func New(cfg *aws.Config) (resolver.SecretsManagerClient, error) {
	if cfg != nil {
		return &Client{c: sm.NewFromConfig(*cfg, withRetryer)}, nil
	}
	region, err := awsenv.Region("Secrets Manager")
	if err != nil {
		return nil, err
	}
	hc, err := awsenv.HTTPClient()
	if err != nil {
		return nil, err
	}
	return &Client{c: sm.New(sm.Options{
		Region:       region,
		Credentials:  awsenv.Credentials,
		BaseEndpoint: awsenv.Endpoint("AWS_ENDPOINT_URL_SECRETS_MANAGER"),
		HTTPClient:   hc,
	})}, nil
}

// NewFromClient wraps an SDK client, e.g. one a test points at a local
// endpoint. Each request is still sent once, the resolver retrying.
func NewFromClient(c *sm.Client) *Client { return &Client{c: c} }

func withRetryer(o *sm.Options) { o.Retryer = awsenv.NoRetries }

// Client reads secrets with BatchGetSecretValue.
type Client struct{ c *sm.Client }

// BatchGetSecretValue implements resolver.SecretsManagerClient: one
// BatchGetSecretValue request for ids (at most
// resolver.MaxSecretIDsPerRequest), AWSCURRENT.
func (c *Client) BatchGetSecretValue(ctx context.Context, ids []string) (map[string]string, map[string]error, error) {
	if len(ids) > resolver.MaxSecretIDsPerRequest {
		return nil, nil, fmt.Errorf("%d secret ids in one request; Secrets Manager allows %d", len(ids), resolver.MaxSecretIDsPerRequest)
	}
	out, err := c.c.BatchGetSecretValue(ctx, &sm.BatchGetSecretValueInput{SecretIdList: ids}, withRetryer)
	if err != nil {
		return nil, nil, err
	}
	values, failed := map[string]string{}, map[string]error{}
	for _, e := range out.Errors {
		id := aws.ToString(e.SecretId)
		failed[id] = fmt.Errorf("%s: %s", aws.ToString(e.ErrorCode), aws.ToString(e.Message))
	}
	for _, v := range out.SecretValues {
		i := slices.IndexFunc(ids, func(id string) bool { return Names(id, aws.ToString(v.ARN), aws.ToString(v.Name)) })
		var id string
		if i >= 0 {
			id = ids[i]
		}
		switch {
		case i < 0:
		case v.SecretString == nil:
			failed[id] = errors.New("it holds a SecretBinary, not a SecretString")
		default:
			values[id] = *v.SecretString
		}
	}
	return values, failed, nil
}

// Names reports whether id names the secret whose complete ARN is arn and
// whose name is name, as BatchGetSecretValue answers them: id is the
// complete ARN, the name, or the partial ARN (the complete ARN without the
// "-" and 6 characters Secrets Manager appends).
func Names(id, arn, name string) bool {
	return id == arn || id == name || (strings.HasPrefix(id, "arn:") && len(arn) == len(id)+7 && strings.HasPrefix(arn, id+"-"))
}
