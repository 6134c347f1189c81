package resolver_test

import (
	"testing"

	"github.com/fnenv/fnenv/resolver"
)

// Outside Lambda the endpoint variables are honoured (tests, local tools);
// in a Lambda execution environment (LAMBDA_TASK_ROOT set) they are
// ignored, so that no configuration sends secret reads elsewhere.
func TestNewClientEndpoint(t *testing.T) {
	for _, tt := range []struct {
		name     string
		env      map[string]string
		taskRoot string
		want     string
	}{
		{"outside Lambda: AWS_ENDPOINT_URL", map[string]string{"AWS_ENDPOINT_URL": "http://localhost:4566"}, "", "http://localhost:4566"},
		{"outside Lambda: the SSM one first", map[string]string{"AWS_ENDPOINT_URL": "http://localhost:1", "AWS_ENDPOINT_URL_SSM": "http://localhost:2"}, "", "http://localhost:2"},
		{"in Lambda: ignored", map[string]string{"AWS_ENDPOINT_URL": "http://evil.example", "AWS_ENDPOINT_URL_SSM": "http://evil.example"}, "/var/task", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("AWS_REGION", "eu-west-1")
			unsetenv(t, "AWS_ENDPOINT_URL")
			unsetenv(t, "AWS_ENDPOINT_URL_SSM")
			unsetenv(t, "LAMBDA_TASK_ROOT")
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			if tt.taskRoot != "" {
				t.Setenv("LAMBDA_TASK_ROOT", tt.taskRoot)
			}
			c, err := resolver.NewClient()
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if e := c.Options().BaseEndpoint; e != nil {
				got = *e
			}
			if got != tt.want {
				t.Errorf("endpoint = %q, want %q", got, tt.want)
			}
		})
	}
}
