// Package nearname decides whether a secret's name that is not set looks
// like one that is: the "did you mean" of `fnenv secret check`, of synth's
// check (both through internal/secretcheck) and of a generated package's
// Load (through resolver). It is pure Go with no dependency, so that
// handlers may link it.
package nearname

import "strings"

// MaxDistance is the largest edit distance at which two names are close.
const MaxDistance = 2

// Close reports whether want (the name referenced, not set) looks like have
// (a name that is set): they differ only in case, or their edit distance
// (Levenshtein, case-insensitive) is at most MaxDistance and less than half
// the length of the shorter name — so that "DB" is not a typo of "ID", while
// "STRIPE_KYE" is one of "STRIPE_KEY". A name is not close to itself.
func Close(want, have string) bool {
	if want == have {
		return false
	}
	a, b := strings.ToUpper(want), strings.ToUpper(have)
	if a == b {
		return true
	}
	d := Distance(a, b)
	return d <= MaxDistance && 2*d < min(len(a), len(b))
}

// Distance is the Levenshtein distance between a and b, in bytes: the
// fewest insertions, deletions and substitutions that make b of a.
// Secret names are ASCII ([a-zA-Z0-9_.-]+).
func Distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			sub := prev[j-1]
			if a[i-1] != b[j-1] {
				sub++
			}
			cur[j] = min(sub, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
