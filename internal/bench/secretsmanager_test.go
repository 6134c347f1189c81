package bench

import (
	"context"
	"testing"

	"github.com/fnenv/fnenv/internal/moto"
)

// The Secrets Manager row measures what it says: every value checked, one
// round of 5 requests in parallel for fnenv (2 GetParameters chunks, a
// GetSecretValue per secret), the same 5 one after another otherwise.
func TestMixedResolution(t *testing.T) {
	if testing.Short() {
		t.Skip("starts moto")
	}
	m := moto.StartT(t)
	res, err := MixedResolution(context.Background(), m, ResolutionConfig{Iterations: 2, Warmup: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Fnenv.Requests != 5 || res.Sequential.Requests != 5 {
		t.Errorf("requests: fnenv %d, one after another %d; want 5 and 5", res.Fnenv.Requests, res.Sequential.Requests)
	}
	if res.Fnenv.Stats.N != 2 || res.Sequential.Stats.N != 2 {
		t.Errorf("samples: %d and %d, want 2 each", res.Fnenv.Stats.N, res.Sequential.Stats.N)
	}
}
