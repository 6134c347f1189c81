package model

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestResolveBackend(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	tests := []struct {
		name    string
		src     Sources
		want    Backend
		wantErr []error
	}{
		{name: "explicit wins", src: Sources{AppID: "ctx-app", Branch: "ctx-branch", Getenv: env(map[string]string{"AWS_APP_ID": "env-app", "AWS_BRANCH": "env-branch"})},
			want: Backend{Prefix: DefaultPrefix, AppID: "ctx-app", Branch: "ctx-branch", Paths: PathsFnenv}},
		{name: "Amplify Hosting's variables", src: Sources{Getenv: env(map[string]string{"AWS_APP_ID": "env-app", "AWS_BRANCH": "env-branch"})},
			want: Backend{Prefix: DefaultPrefix, AppID: "env-app", Branch: "env-branch", Paths: PathsFnenv}},
		{name: "both missing, reported together", src: Sources{}, wantErr: []error{ErrNoAppID, ErrNoBranch}},
		{name: "amplify paths", src: Sources{AppID: "d1", Branch: "main", Paths: PathsAmplify},
			want: Backend{Prefix: DefaultPrefix, AppID: "d1", Branch: "main", Paths: PathsAmplify}},
		{name: "bad app id", src: Sources{AppID: "a/b", Branch: "main"}, wantErr: []error{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ResolveBackend(tt.src)
			if tt.wantErr != nil {
				if err == nil {
					t.Fatalf("ResolveBackend = %+v, want an error", got)
				}
				for _, w := range tt.wantErr {
					if !errors.Is(err, w) {
						t.Errorf("error %v does not wrap %v", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("(-got +want):\n%s", diff)
			}
		})
	}
}
