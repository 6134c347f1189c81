// Package plural makes the counts in fnenv's messages agree with their
// numbers: "1 secret is", "2 secrets are".
package plural

import "fmt"

// Count is n with noun, in the plural unless n is 1: "1 secret",
// "2 secrets", "0 secrets". Every noun fnenv counts takes a plain s.
func Count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// Of is one when n is 1, else many: the verb that agrees with n things,
// Of(n, "is", "are").
func Of(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
