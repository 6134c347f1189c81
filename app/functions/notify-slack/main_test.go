package main

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fnenv/fnenv/app/functions/notify-slack/env"
	"github.com/fnenv/fnenv/resolver"
)

func TestHandle(t *testing.T) {
	hook, _ := url.Parse("https://hooks.example.com/fake/unit-0001")
	t.Cleanup(env.Override(&env.Env{SlackWebhookURL: resolver.NewSecret(hook), SlackChannel: "#test", PostTimeout: time.Second}))
	var posted []string
	post = func(_ context.Context, e *env.Env, req Request) error {
		posted = append(posted, e.SlackWebhookURL.Reveal().Host+" "+req.Text)
		return nil
	}
	got, err := handle(context.Background(), Request{Text: "charge failed"})
	if err != nil {
		t.Fatal(err)
	}
	want := Response{Channel: "#test", Resolved: map[string]string{"SLACK_WEBHOOK_URL": "http…01", "SENTRY_DSN": ""}}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("handle (-got +want):\n%s", diff)
	}
	if diff := cmp.Diff(posted, []string{"hooks.example.com charge failed"}); diff != "" {
		t.Errorf("posted (-got +want):\n%s", diff)
	}
}
