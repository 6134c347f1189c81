package resolver

import "github.com/fnenv/fnenv/resolver/internal/mask"

// Mask returns a form of a secret's value safe to show in a log line or a
// demo: its first 4 and last 2 bytes around "…" ("sk_test_fake_main_0042"
// → "sk_t…42"), so that two values can be told apart without either being
// readable. Values under 12 bytes, where 6 bytes would be half or more of
// the value, become "****"; "" stays "" so that an empty value shows.
// Generated Env types print every secret so.
func Mask(value string) string { return mask.String(value) }
