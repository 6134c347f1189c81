package leaktest_test

import (
	"fmt"
	"testing"

	"github.com/fnenv/fnenv/internal/leaktest"
)

func TestFind(t *testing.T) {
	v := "fake-key-0042"
	out := map[string]string{
		"text": "x " + v, "hex": fmt.Sprintf("%x", v), "HEX": fmt.Sprintf("%X", v),
		"bytes": fmt.Sprint([]byte(v)), "mask": "fake…42", "other": "0xc000123456",
	}
	got := leaktest.Find(out, v)
	if len(got) != 4 {
		t.Errorf("Find = %q; want text, hex, HEX and bytes", got)
	}
}
