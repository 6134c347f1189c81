package model

import (
	"strings"
	"testing"

	"github.com/fnenv/fnenv/resolver/envtype"
)

func TestValidateParameterName(t *testing.T) {
	tests := []struct {
		name, want string // want: a part of the error, "" for none
	}{
		{"/amplify/app/main/API_KEY", ""},
		{"/amplify/shared/app/API_KEY", ""},
		{"/awsome/app/main/K1", "reserves"},
		{"/aws/app/main/K1", `starts with "aws"`},
		{"/SSM/app/main/K1", `starts with "SSM"`},
		{"/team/aws/main/K1", ""},
		{"/" + strings.Repeat("a", 1011), "1012 characters; SSM allows 1011"},
		{strings.Repeat("/a", 16), "16 levels; SSM allows 15"},
	}
	for _, tt := range tests {
		err := ValidateParameterName(tt.name)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("ValidateParameterName(%q) = %v, want nil", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("ValidateParameterName(%q) = %v, want an error containing %q", tt.name, err, tt.want)
		}
	}
}

func TestSamePackage(t *testing.T) {
	base := func() Function {
		return NewFunction("charge", "app/functions/charge", map[string]Variable{
			"API_KEY": {Kind: Secret, Secret: "STRIPE_KEY"}, "CURRENCY": {Kind: Literal},
		})
	}
	tests := []struct {
		name   string
		change func(*Function)
		same   bool
	}{
		{"identical", func(*Function) {}, true},
		{"another name", func(f *Function) { f.Name = "refund" }, false},
		{"another secret", func(f *Function) { f.Variables[0].Secret = "OTHER" }, false},
		{"a literal made a secret", func(f *Function) {
			f.Variables[1] = Variable{Name: "CURRENCY", Field: "Currency", Kind: Secret, Secret: "C1"}
		}, false},
		{"one variable fewer", func(f *Function) { f.Variables = f.Variables[:1] }, false},
		{"a Secrets Manager field", func(f *Function) { f.Variables[1] = smVar("Db", "db", "password") }, false},
		{"another type", func(f *Function) { f.Variables[1].Type = envtype.StringList }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := base(), base()
			tt.change(&b)
			if got := a.SamePackage(b); got != tt.same {
				t.Errorf("SamePackage = %v, want %v", got, tt.same)
			}
			if got := b.SamePackage(a); got != tt.same {
				t.Errorf("SamePackage reversed = %v, want %v", got, tt.same)
			}
		})
	}
}
