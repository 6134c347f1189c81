package main

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fnenv/fnenv/app/functions/send-receipt/env"
	"github.com/fnenv/fnenv/resolver"
)

func TestHandle(t *testing.T) {
	t.Cleanup(env.Override(&env.Env{SenderEmail: "receipts@example.test", SentryDsn: resolver.NewSecret("https://fake-unit-dsn@sentry.example.com/1")}))
	got, err := handle(context.Background(), Request{To: "ada@example.test", Charge: "ch_1"})
	if err != nil {
		t.Fatal(err)
	}
	want := Response{From: "receipts@example.test", To: "ada@example.test", Resolved: map[string]string{"SENTRY_DSN": "http…/1"}}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("handle (-got +want):\n%s", diff)
	}
}
