// Package leaktest finds a secret's value in what a test printed, in the
// forms fmt's verbs give a string or a []byte: as it is, in hex of either
// case (%x, %X) and as decimal bytes (%v of a []byte: "102 97 107").
package leaktest

import (
	"fmt"
	"sort"
	"strings"
)

// Find returns one line per output (label → text) that shows one of
// values in any of these forms, naming the label, the value and the text;
// none when nothing shows. Give values that are long enough not to occur
// by chance (a pointer address may hold any 5 digits).
func Find(outputs map[string]string, values ...string) []string {
	var found []string
	for label, text := range outputs {
		for _, v := range values {
			for _, form := range []string{v, fmt.Sprintf("%x", v), fmt.Sprintf("%X", v), strings.Trim(fmt.Sprint([]byte(v)), "[]")} {
				if strings.Contains(text, form) {
					found = append(found, fmt.Sprintf("%s shows %q (as %q): %s", label, v, form, text))
					break
				}
			}
		}
	}
	sort.Strings(found)
	return found
}
