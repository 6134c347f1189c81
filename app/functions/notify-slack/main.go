// Command notify-slack posts an alert to the team's Slack channel.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/fnenv/fnenv/app/functions/notify-slack/env"
)

// Request is an alert to post.
type Request struct {
	Text string `json:"text"`
}

// Response says where it was posted.
type Response struct {
	Channel string `json:"channel"`
	// Resolved shows the secrets the function resolved, masked.
	Resolved map[string]string `json:"resolved"`
}

// post sends the alert to e.SlackWebhookURL.Reveal() (a *url.URL, parsed at Load)
// within e.PostTimeout. The sample posts nothing; tests replace it.
var post = func(ctx context.Context, e *env.Env, req Request) error { return nil }

func handle(ctx context.Context, req Request) (Response, error) {
	e, err := env.Load(ctx) // cached: no SSM call until FNENV_MAX_AGE has passed
	if err != nil {
		return Response{}, err
	}
	if err := post(ctx, e, req); err != nil {
		return Response{}, err
	}
	return Response{
		Channel:  e.SlackChannel,
		Resolved: map[string]string{"SLACK_WEBHOOK_URL": e.SlackWebhookURL.String(), "SENTRY_DSN": e.SentryDsn.String()},
	}, nil
}

func main() {
	// Resolve at cold start, in Lambda's init phase: a missing secret fails
	// init with an error naming it, before any invocation.
	env.MustLoad(context.Background())
	lambda.Start(handle)
}
