package resolver_test

import (
	"fmt"
	"testing"

	"github.com/fnenv/fnenv/resolver"
)

func TestMask(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", ""},
		{"short", "****"},
		{"eleven_char", "****"},
		{"twelve_chars", "twel…rs"},
		{"sk_test_fake_main_0042", "sk_t…42"},
	} {
		if got := resolver.Mask(tt.in); got != tt.want {
			t.Errorf("Mask(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func ExampleMask() {
	fmt.Println(resolver.Mask("sk_test_fake_main_0042"))
	// Output: sk_t…42
}
