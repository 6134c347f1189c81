package resolver

import "testing"

// FastRetries divides the retry windows by 100 for tb, so that tests of
// throttling take milliseconds; the policy's shape stays. Not for parallel
// tests.
func FastRetries(tb testing.TB) {
	eb, ec, pb, pc := emptyBase, emptyCap, partialBase, partialCap
	emptyBase, emptyCap, partialBase, partialCap = eb/100, ec/100, pb/100, pc/100
	tb.Cleanup(func() { emptyBase, emptyCap, partialBase, partialCap = eb, ec, pb, pc })
}
