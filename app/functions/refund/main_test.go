package main

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fnenv/fnenv/app/functions/refund/env"
	"github.com/fnenv/fnenv/resolver"
)

func TestHandle(t *testing.T) {
	for _, tt := range []struct {
		name    string
		enabled bool
		want    Response
		wantErr error
	}{
		{"enabled", true, Response{Charge: "ch_1", Refunded: true, Resolved: map[string]string{"STRIPE_KEY": "sk…01", "STRIPE_API_KEY": "sk…01", "SENTRY_DSN": "****"}}, nil},
		{"disabled by the flag", false, Response{}, errRefundsDisabled},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Cleanup(env.Override(&env.Env{
				StripeKey: resolver.NewSecret("sk_test_fake_unit_0001"), StripeAPIKey: resolver.NewSecret("sk_test_fake_unit_0001"), SentryDsn: resolver.NewSecret("fake-dsn"),
				RefundsEnabled: tt.enabled,
			}))
			got, err := handle(context.Background(), Request{Charge: "ch_1"})
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("handle error = %v, want %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("handle (-got +want):\n%s", diff)
			}
		})
	}
}
