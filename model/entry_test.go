package model

import (
	"strings"
	"testing"
)

func TestCleanEntry(t *testing.T) {
	tests := []struct {
		entry, want, wantErr string
	}{
		{"lambda/orders", "lambda/orders", ""},
		{"./lambda/orders", "lambda/orders", ""},
		{"lambda/orders/", "lambda/orders", ""},
		{"lambda/orders/main.go", "lambda/orders", ""},
		{"./lambda//orders/./main.go", "lambda/orders", ""},
		{"lambda/x/../orders", "lambda/orders", ""},
		{"", "", "must not be empty"},
		{"/tmp/fn", "", `"/tmp/fn" must be a path relative to the module root, inside it`},
		{"../fn", "", `"../fn" must be a path relative to the module root, inside it`},
		{"a/../../fn", "", "inside it"},
		{".", "", "is the module root"},
		{"./main.go", "", "is the module root"},
		{`lambda\orders`, "", "slash-separated"},
	}
	for _, tt := range tests {
		got, err := CleanEntry(tt.entry)
		if got != tt.want || (err == nil) != (tt.wantErr == "") || err != nil && !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("CleanEntry(%q) = %q, %v; want %q, error containing %q", tt.entry, got, err, tt.want, tt.wantErr)
		}
	}
}
