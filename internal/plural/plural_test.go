package plural

import (
	"fmt"
	"testing"
)

func TestCount(t *testing.T) {
	for _, tt := range []struct {
		n    int
		want string
	}{{0, "0 secrets are"}, {1, "1 secret is"}, {2, "2 secrets are"}, {14, "14 secrets are"}} {
		if got := Count(tt.n, "secret") + " " + Of(tt.n, "is", "are"); got != tt.want {
			t.Errorf("n=%d: %q, want %q", tt.n, got, tt.want)
		}
	}
}

func ExampleCount() {
	fmt.Println(Count(1, "shared secret"), "and", Count(3, "stack"))
	// Output: 1 shared secret and 3 stacks
}
