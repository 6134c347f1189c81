// Package mask is how fnenv shows a secret's value: resolver.Secret's
// String and Format, and the printing of gensupport.Values.
package mask

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"
)

// String returns a form of a secret's value safe to show in a log line or
// a demo, which never shows more than a quarter of the value:
//   - "" stays "", so that an empty value shows;
//   - under 16 bytes, "****": nothing of the value;
//   - 16 to 23 bytes, its first 2 and last 2 bytes around "…"
//     ("sk_test_fake_main_0042" → "sk…42");
//   - 24 bytes or more, its first 4 and last 2 ("sk_test_fake_main_0042_x"
//     → "sk_t…_x"),
//
// so that two values can be told apart without either being readable. A
// cut never splits a UTF-8 character: it shows fewer bytes instead.
func String(value string) string {
	var head int
	switch n := len(value); {
	case n == 0:
		return ""
	case n < 16:
		return "****"
	case n < 24:
		head = 2
	default:
		head = 4
	}
	tail := len(value) - 2
	for head > 0 && !utf8.RuneStart(value[head]) {
		head--
	}
	for tail < len(value) && !utf8.RuneStart(value[tail]) {
		tail++
	}
	return value[:head] + "…" + value[tail:]
}

// Any is the masked text of a secret's value of any field type: a URL's
// String, a list joined with ',', JSON's bytes, a number's decimal form.
func Any(v any) string {
	switch x := v.(type) {
	case string:
		return String(x)
	case []string:
		return String(strings.Join(x, ","))
	case json.RawMessage:
		return String(string(x))
	case *url.URL:
		if x == nil {
			return ""
		}
		return String(x.String())
	}
	return String(fmt.Sprint(v))
}
