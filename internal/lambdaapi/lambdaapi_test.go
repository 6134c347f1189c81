package lambdaapi

import (
	"context"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func buildEcho(t *testing.T) string {
	return buildEchoFor(t, runtime.GOARCH)
}

func buildEchoFor(t *testing.T, goarch string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "bootstrap")
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", bin, "./testdata/echo")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+goarch)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the echo handler: %v\n%s", err, out)
	}
	return bin
}

func TestInvoke(t *testing.T) {
	bin := buildEcho(t)
	fn, err := Start(bin, []string{"AWS_LAMBDA_FUNCTION_NAME=echo-fn"})
	if err != nil {
		t.Fatal(err)
	}
	defer fn.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	tests := []struct {
		name    string
		payload string
		want    string
		wantErr string
	}{
		{"response", `{"say":"hello"}`, `{"said":"hello","function":"echo-fn"}`, ""},
		{"second invocation in the same process", `{"say":"again"}`, `{"said":"again","function":"echo-fn"}`, ""},
		{"handler error", `{"fail":true}`, "", "asked to fail"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := fn.Invoke(ctx, []byte(tt.payload))
			if tt.wantErr != "" {
				var fe *FunctionError
				if !errors.As(err, &fe) || !strings.Contains(fe.Body, tt.wantErr) || fe.Init {
					t.Fatalf("Invoke error = %v, want an invocation error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(got), tt.want); diff != "" {
				t.Errorf("response (-got +want):\n%s", diff)
			}
		})
	}
}

// The other Lambda architecture runs under qemu user-mode emulation.
func TestInvokeOtherArchitecture(t *testing.T) {
	other := map[string]string{"amd64": "arm64", "arm64": "amd64"}[runtime.GOARCH]
	if other == "" {
		t.Skipf("no other Lambda architecture than %s", runtime.GOARCH)
	}
	fn, err := Start(buildEchoFor(t, other), []string{"AWS_LAMBDA_FUNCTION_NAME=echo-" + other})
	if err != nil {
		t.Fatal(err) // names the missing emulator
	}
	defer fn.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	got, err := fn.Invoke(ctx, []byte(`{"say":"hi"}`))
	if err != nil {
		t.Fatalf("%v\n%s", err, fn.Output())
	}
	if diff := cmp.Diff(string(got), `{"said":"hi","function":"echo-`+other+`"}`); diff != "" {
		t.Errorf("response (-got +want):\n%s", diff)
	}
}

func TestProcessExitBeforeNext(t *testing.T) {
	bin := buildEcho(t)
	fn, err := Start(bin, []string{"ECHO_INIT_FAIL=1"})
	if err != nil {
		t.Fatal(err)
	}
	defer fn.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := fn.Invoke(ctx, []byte(`{}`)); err == nil || !strings.Contains(err.Error(), "exited") {
		t.Fatalf("Invoke error = %v, want the process exit reported", err)
	}
}

func TestInitError(t *testing.T) {
	s, err := New()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	req, _ := http.NewRequest(http.MethodPost, "http://"+s.Addr+prefix+"/init/error", strings.NewReader(`{"errorMessage":"no config"}`))
	req.Header.Set("Lambda-Runtime-Function-Error-Type", "Runtime.ExitError")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("init/error status = %d, want 202", resp.StatusCode)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = s.invoke(ctx, []byte(`{}`), nil)
	var fe *FunctionError
	if !errors.As(err, &fe) || !fe.Init || fe.Type != "Runtime.ExitError" || !strings.Contains(fe.Body, "no config") {
		t.Fatalf("invoke error = %#v, want the init error", err)
	}
}

func TestInitDuration(t *testing.T) {
	bin := buildEcho(t)
	tests := []struct {
		name    string
		env     []string
		wantErr string
	}{
		{"ready for the first invocation", nil, ""},
		{"exits during init", []string{"ECHO_INIT_FAIL=1"}, "exited during init"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fn, err := Start(bin, tt.env)
			if err != nil {
				t.Fatal(err)
			}
			defer fn.Stop()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			d, err := fn.InitDuration(ctx)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("InitDuration = %v, %v; want an error containing %q", d, err, tt.wantErr)
				}
				return
			}
			if err != nil || d <= 0 {
				t.Fatalf("InitDuration = %v, %v; want a positive duration", d, err)
			}
			// Ready means the runtime is waiting: an invocation is served.
			if _, err := fn.Invoke(ctx, []byte(`{"say":"x"}`)); err != nil {
				t.Fatal(err)
			}
		})
	}
}
