package mask_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/fnenv/fnenv/resolver/internal/mask"
)

func TestMask(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", ""},
		{"short", "****"},
		{"twelve_chars", "****"},
		{"fifteen_bytes_x", "****"},
		{"sixteen_bytes_xy", "si…xy"},
		{"sk_test_fake_main_0042", "sk…42"},
		{"twenty_three_bytes_long", "tw…ng"},
		{"twenty_four_bytes_long_x", "twen…_x"},
		{"caf\u00e9_caf\u00e9_caf\u00e9_x", "ca…_x"},
		{"\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9", "\u00e9\u00e9…\u00e9"}, // 24 bytes: 4 then 2
		{"\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac", "\u20ac…"},                                     // 24 bytes of 3-byte characters: 3 then none
	} {
		if got := mask.String(tt.in); got != tt.want {
			t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// String never shows more than a quarter of a value, and nothing of one
// under 16 bytes; it is valid UTF-8 when the value is.
func TestMaskShowsAQuarterAtMost(t *testing.T) {
	for _, unit := range []string{"x", "\u00e9", "\u20ac", "\U0001F511"} {
		for n := 1; n <= 80; n++ {
			v := strings.Repeat(unit, n)
			got := mask.String(v)
			shown := len(strings.ReplaceAll(strings.ReplaceAll(got, "…", ""), "****", ""))
			if shown*4 > len(v) || len(v) < 16 && shown > 0 {
				t.Errorf("String of %d bytes shows %d bytes (%q)", len(v), shown, got)
			}
			if !utf8.ValidString(got) {
				t.Errorf("String of %d bytes of %q is not valid UTF-8: %q", len(v), unit, got)
			}
		}
	}
}
