package envtype_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fnenv/fnenv/resolver/envtype"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		t    envtype.Type
		good []string
		bad  []string
	}{
		{envtype.String, []string{"", "anything, at all"}, nil},
		{"", []string{"", "the zero Type is String"}, nil},
		{envtype.Int, []string{"0", "8080", "-1", "+5"}, []string{"", "8080.0", " 1", "1_000", "0x10", "99999999999999999999"}},
		{envtype.Bool, []string{"true", "false", "1", "0", "T", "F", "TRUE", "False"}, []string{"", "yes", "on", "tru"}},
		{envtype.Float, []string{"0.25", "1e-3", "-2", "3"}, []string{"", "NaN", "Inf", "-inf", "1,5"}},
		{envtype.Duration, []string{"300ms", "1.5s", "2h45m", "0"}, []string{"", "5", "1 day", "1d"}},
		{envtype.URL, []string{"https://api.example.com/v1", "http://localhost:8080", "postgres://u@db:5432/x"}, []string{"", "api.example.com", "/v1", "https://", "mailto:a@example.com", "http://[::1"}},
		{envtype.StringList, []string{"", "a", "a, b,,c"}, nil},
		{envtype.JSON, []string{`{"a":1}`, "[1,2]", "1", `"s"`, "null"}, []string{"", "{", "{a:1}", "sk_test_fake"}},
		{"integer", nil, []string{"1"}},
	}
	for _, tt := range tests {
		for _, s := range tt.good {
			if err := tt.t.Check(s); err != nil {
				t.Errorf("%s.Check(%q) = %v, want nil", tt.t, s, err)
			}
		}
		for _, s := range tt.bad {
			err := tt.t.Check(s)
			if err == nil {
				t.Errorf("%s.Check(%q) = nil, want an error", tt.t, s)
				continue
			}
			// The error says what the type accepts and never quotes the
			// value (a secret's, at Load).
			if msg := err.Error(); tt.t.Valid() && msg != "want "+tt.t.Form() && !strings.HasPrefix(msg, "out of range") {
				t.Errorf("%s.Check(%q) = %q, want %q", tt.t, s, msg, "want "+tt.t.Form())
			}
		}
	}
}

func TestParseStringList(t *testing.T) {
	for in, want := range map[string][]string{"": nil, " , ,": nil, "a": {"a"}, " a , b,,c ": {"a", "b", "c"}} {
		if diff := cmp.Diff(envtype.ParseStringList(in), want); diff != "" {
			t.Errorf("ParseStringList(%q) (-got +want):\n%s", in, diff)
		}
	}
}

func TestEveryTypeHasAGoTypeAndForm(t *testing.T) {
	seen := map[string]bool{}
	for _, ty := range envtype.All {
		if !ty.Valid() || seen[ty.GoType()] || ty.Form() == "" {
			t.Errorf("%s: valid %v, Go type %q (seen %v), form %q", ty, ty.Valid(), ty.GoType(), seen[ty.GoType()], ty.Form())
		}
		seen[ty.GoType()] = true
	}
}

func ExampleType_Check() {
	fmt.Println(envtype.Duration.Check("1.5s"))
	fmt.Println(envtype.Int.Check("80a"))
	// Output:
	// <nil>
	// want a decimal integer, like 8080
}
