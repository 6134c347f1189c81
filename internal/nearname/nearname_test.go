package nearname

import "testing"

func TestDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"", "ABC", 3}, {"ABC", "", 3}, {"ABC", "ABC", 0},
		{"STRIPE_KYE", "STRIPE_KEY", 2}, // a transposition is two edits
		{"API_KEY", "APP_KEY", 1}, {"KITTEN", "SITTING", 3}, {"STRIPE_KEY", "STRIPE_KEYS", 1},
	} {
		if got := Distance(c.a, c.b); got != c.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
		if got := Distance(c.b, c.a); got != c.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", c.b, c.a, got, c.want)
		}
	}
}

func TestClose(t *testing.T) {
	for _, c := range []struct {
		want, have string
		close      bool
	}{
		{"STRIPE_KYE", "STRIPE_KEY", true},
		{"stripe_key", "STRIPE_KEY", true},  // case only
		{"Stripe_Kye", "STRIPE_KEY", true},  // case, then two edits
		{"STRIPE_KEY", "STRIPE_KEY", false}, // itself
		{"STRIPE_KEY", "STRIPE_SECRET", false},
		{"DB", "ID", false},  // 2 edits of 2 characters: any two short names
		{"DB", "db", true},   // case only, however short
		{"URL", "URI", true}, // 1 edit of 3
		{"DB_URL", "DB_URI", true},
		{"SENTRY_DSN", "SENTRY_DNS_X", false}, // 3 edits
	} {
		if got := Close(c.want, c.have); got != c.close {
			t.Errorf("Close(%q, %q) = %v, want %v", c.want, c.have, got, c.close)
		}
	}
}
