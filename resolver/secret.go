package resolver

import (
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/fnenv/fnenv/resolver/internal/mask"
)

// Secret is a value read from a secret — an SSM SecureString or a Secrets
// Manager secret — as its type T. A generated Env's secret fields are
// Secret[string], Secret[int], Secret[*url.URL]… (T from the variable's
// As, string by default); its literal fields are plain Go types. Reveal
// returns the value; nothing else shows it:
//
//   - fmt prints its mask (String) in every verb (%v %+v %s %x %d…; quoted for %q
//     and %#v), for a Secret, a *Secret, and a Secret in a slice, a map, an
//     interface or an exported struct field. In an unexported field, where
//     fmt cannot call a method, fmt prints a pointer's address: the value
//     is kept two pointers away, because fmt follows one pointer to a
//     struct, slice, array or map in the %!verb(…) text it writes for a
//     verb a pointer does not take (%s, %q, %t…);
//   - log/slog logs the mask (LogValue), in the text and JSON handlers;
//   - encoding/json, and every encoder that uses encoding.TextMarshaler
//     (encoding/xml, YAML and TOML libraries), writes the mask, as a
//     string: a Secret is never encoded as its value, on purpose, as
//     pydantic's SecretStr and Rust's secrecy do. Encode Reveal() where a
//     value must be written;
//   - encoding/gob refuses it (no exported field).
//
// Equality is not offered, on purpose: == does not compile (a Secret holds
// a [0]func) and there is no Equal method, so that a handler compares
// Reveal() values where it means to, with crypto/subtle's
// ConstantTimeCompare when it checks input against a secret.
// reflect.DeepEqual compares the values; go-cmp needs a Transformer or
// Comparer (unexported fields).
//
// NewSecret makes one, for example for an env.Override in a unit test.
// The zero Secret reveals T's zero value. A Secret is immutable and safe
// for concurrent use; its copies share the value, so a handler must not
// modify a slice or URL it reveals.
type Secret[T any] struct {
	_ [0]func() // no ==: see above
	v **T       // two pointers away: see above
}

// NewSecret returns a Secret holding v.
func NewSecret[T any](v T) Secret[T] {
	c := &struct { // one allocation for both pointers
		p *T
		v T
	}{v: v}
	c.p = &c.v
	return Secret[T]{v: &c.p}
}

// Reveal returns the value; T's zero value for the zero Secret.
func (s Secret[T]) Reveal() T {
	if s.v == nil {
		var zero T
		return zero
	}
	return **s.v
}

// String returns the value's mask, which never shows more than a quarter
// of it:
//   - "" for an empty value, so that it shows;
//   - under 16 bytes, "****": nothing of the value;
//   - 16 to 23 bytes, its first 2 and last 2 bytes around "…"
//     ("sk_test_fake_main_0042" → "sk…42");
//   - 24 bytes or more, its first 4 and last 2 ("sk_test_fake_main_0042_x"
//     → "sk_t…_x"), never splitting a UTF-8 character,
//
// so that two values can be told apart without either being readable. A
// value's bytes are its text: a string as it is, a list joined with ',',
// JSON's bytes, a URL's String, a number's or a duration's fmt form.
func (s Secret[T]) String() string { return mask.Any(s.Reveal()) }

// GoString is String quoted, as %#v prints it.
func (s Secret[T]) GoString() string { return strconv.Quote(s.String()) }

// Format writes String in every verb and width (%8v, %-8s), quoted for %q
// and %#v: never the value.
func (s Secret[T]) Format(f fmt.State, verb rune) {
	m := s.String()
	if verb == 'q' || verb == 'v' && f.Flag('#') {
		m = strconv.Quote(m)
	}
	if w, ok := f.Width(); ok && w > utf8.RuneCountInString(m) {
		pad := strings.Repeat(" ", w-utf8.RuneCountInString(m))
		if f.Flag('-') {
			m += pad
		} else {
			m = pad + m
		}
	}
	io.WriteString(f, m)
}

// LogValue is String, for log/slog.
func (s Secret[T]) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalText returns String: encoding/json writes it as a JSON string.
func (s Secret[T]) MarshalText() ([]byte, error) { return []byte(s.String()), nil }
