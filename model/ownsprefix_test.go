package model

import (
	"strings"
	"testing"
)

func TestOwnsAppPrefix(t *testing.T) {
	for _, tc := range []struct {
		b    Backend
		want bool
	}{
		{Backend{AppID: "my-app"}, true}, // fnenv's paths keep the app id
		{Backend{AppID: "d1a2b3c4", Paths: PathsAmplify}, true},
		{Backend{AppID: "my-app", Paths: PathsAmplify}, false}, // shares /amplify/myapp/
		{Backend{AppID: strings.Repeat("a", 50), Paths: PathsAmplify}, true},
		{Backend{AppID: strings.Repeat("a", 51), Paths: PathsAmplify}, false}, // cut for a long branch
	} {
		if got := tc.b.OwnsAppPrefix(); got != tc.want {
			t.Errorf("%+v.OwnsAppPrefix() = %v, want %v", tc.b, got, tc.want)
		}
	}
}
