// Package mask is how fnenv shows a secret's value: resolver.Mask for
// handlers, and the printing of generated Env types (package gensupport).
package mask

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// String is resolver.Mask: the first 4 and last 2 bytes of value around
// "…", "****" under 12 bytes, "" for "".
func String(value string) string {
	switch {
	case value == "":
		return ""
	case len(value) < 12:
		return "****"
	}
	return value[:4] + "…" + value[len(value)-2:]
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
