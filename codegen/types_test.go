package codegen

import (
	"testing"

	"github.com/fnenv/fnenv/resolver/envtype"
)

// Every type the spec may record has a getter and a constant name.
func TestTypesCoverEveryType(t *testing.T) {
	for _, ty := range envtype.All {
		if m, ok := types[ty]; !ok || m.getter == "" || m.constant == "" {
			t.Errorf("type %q has no getter or constant in codegen's types", ty)
		}
	}
	if len(types) != len(envtype.All) {
		t.Errorf("codegen knows %d types, envtype %d", len(types), len(envtype.All))
	}
}
