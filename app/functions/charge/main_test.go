package main

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fnenv/fnenv/app/functions/charge/env"
	"github.com/fnenv/fnenv/resolver"
)

// fakeEnv is the handler's environment in tests: fake values, no SSM.
func fakeEnv() *env.Env {
	return &env.Env{
		StripeKey:         resolver.NewSecret("sk_test_fake_unit_0001"),
		SentryDsn:         resolver.NewSecret("https://fake-unit-dsn@sentry.example.com/1"),
		Currency:          "usd",
		AllowedCurrencies: []string{"usd", "eur"},
		StripeTimeout:     time.Second,
		DBUsername:        resolver.NewSecret("fake_unit_user"),
		DBPassword:        resolver.NewSecret("fake_unit_password_0001"),
	}
}

func TestHandle(t *testing.T) {
	t.Cleanup(env.Override(fakeEnv()))
	resolved := map[string]string{"STRIPE_KEY": "sk…01", "SENTRY_DSN": "http…/1", "DB_USERNAME": "****", "DB_PASSWORD": "fa…01"}
	tests := []struct {
		name    string
		req     Request
		want    Response
		wantErr string
	}{
		{name: "default currency", req: Request{Customer: "cus_1", Amount: 100},
			want: Response{Customer: "cus_1", Amount: 100, Currency: "usd", Resolved: resolved}},
		{name: "allowed currency", req: Request{Customer: "cus_1", Amount: 100, Currency: "eur"},
			want: Response{Customer: "cus_1", Amount: 100, Currency: "eur", Resolved: resolved}},
		{name: "currency not allowed", req: Request{Customer: "cus_1", Amount: 100, Currency: "jpy"},
			wantErr: `currency "jpy" is not one of [usd eur]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := handle(context.Background(), tt.req)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("handle error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("handle (-got +want):\n%s", diff)
			}
		})
	}
}

// A rejected key is refreshed once and the charge retried once.
func TestHandleRefreshesARejectedKeyOnce(t *testing.T) {
	t.Cleanup(env.Override(fakeEnv()))
	for _, tt := range []struct {
		name      string
		rejects   int
		wantCalls int
		wantErr   error
	}{
		{"accepted", 0, 1, nil},
		{"rejected once, then accepted", 1, 2, nil},
		{"rejected twice: no third try", 2, 2, errKeyRejected},
	} {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			chargeCard = func(context.Context, *env.Env, Request) error {
				calls++
				if calls <= tt.rejects {
					return errKeyRejected
				}
				return nil
			}
			t.Cleanup(func() { chargeCard = func(context.Context, *env.Env, Request) error { return nil } })
			_, err := handle(context.Background(), Request{Customer: "cus_1", Amount: 100})
			if !errors.Is(err, tt.wantErr) || calls != tt.wantCalls {
				t.Errorf("handle = %v after %d calls; want %v after %d", err, calls, tt.wantErr, tt.wantCalls)
			}
		})
	}
}
