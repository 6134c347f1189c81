// Package lambdaapi is a small Lambda Runtime API server for `fnenv
// invoke` (which `make demo` runs), tests and benchmarks: it runs a function's built bootstrap as the Lambda service would
// (the documented protocol: GET /2018-06-01/runtime/invocation/next,
// POST …/invocation/{id}/response, …/invocation/{id}/error and
// …/init/error) so a Go handler runs without Docker. It listens on
// localhost only.
package lambdaapi

import (
	"bytes"
	"context"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

const prefix = "/2018-06-01/runtime"

// FunctionError is what a handler reported through …/error or …/init/error.
type FunctionError struct {
	Init bool   // reported before the first invocation
	Type string // Lambda-Runtime-Function-Error-Type header
	Body string // the error document the runtime client posted
}

func (e *FunctionError) Error() string {
	phase := "invocation"
	if e.Init {
		phase = "init"
	}
	return fmt.Sprintf("%s error %s: %s", phase, e.Type, e.Body)
}

type result struct {
	body []byte
	err  error
}

type invocation struct {
	id      string
	payload []byte
	done    chan result
}

// Server is a Runtime API endpoint for one execution environment.
type Server struct {
	// Addr is host:port, the value of AWS_LAMBDA_RUNTIME_API.
	Addr string
	// FunctionARN is sent as Lambda-Runtime-Invoked-Function-Arn.
	FunctionARN string
	// Timeout is the invocation deadline sent as Lambda-Runtime-Deadline-Ms.
	Timeout time.Duration

	srv     *http.Server
	queue   chan *invocation
	mu      sync.Mutex
	pending map[string]*invocation
	nextID  int
	initErr chan *FunctionError
	// ready is closed at the first GET …/invocation/next, at readyAt.
	ready     chan struct{}
	readyOnce sync.Once
	readyAt   time.Time
}

// New starts a server on a free localhost port. Close stops it.
func New() (*Server, error) {
	l, err := net.Listen("tcp", "localhost:0")
	if err != nil {
		return nil, err
	}
	s := &Server{
		Addr:        l.Addr().String(),
		FunctionARN: "arn:aws:lambda:us-east-1:123456789012:function:local",
		Timeout:     30 * time.Second,
		queue:       make(chan *invocation),
		pending:     map[string]*invocation{},
		initErr:     make(chan *FunctionError, 1),
		ready:       make(chan struct{}),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+prefix+"/invocation/next", s.next)
	mux.HandleFunc("POST "+prefix+"/invocation/{id}/response", s.respond)
	mux.HandleFunc("POST "+prefix+"/invocation/{id}/error", s.fail)
	mux.HandleFunc("POST "+prefix+"/init/error", s.failInit)
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = s.srv.Serve(l) }()
	return s, nil
}

// Close stops the server.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return s.srv.Shutdown(ctx)
}

func (s *Server) next(w http.ResponseWriter, r *http.Request) {
	s.readyOnce.Do(func() {
		s.readyAt = time.Now()
		close(s.ready)
	})
	select {
	case inv := <-s.queue:
		h := w.Header()
		h.Set("Lambda-Runtime-Aws-Request-Id", inv.id)
		h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(time.Now().Add(s.Timeout).UnixMilli(), 10))
		h.Set("Lambda-Runtime-Invoked-Function-Arn", s.FunctionARN)
		h.Set("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000;Sampled=0")
		h.Set("Content-Type", "application/json")
		_, _ = w.Write(inv.payload)
	case <-r.Context().Done():
	}
}

func (s *Server) take(id string) *invocation {
	s.mu.Lock()
	defer s.mu.Unlock()
	inv := s.pending[id]
	delete(s.pending, id)
	return inv
}

func (s *Server) respond(w http.ResponseWriter, r *http.Request) {
	inv := s.take(r.PathValue("id"))
	if inv == nil {
		http.Error(w, `{"errorType":"InvalidRequestID"}`, http.StatusBadRequest)
		return
	}
	body, err := io.ReadAll(r.Body)
	inv.done <- result{body: body, err: err}
	w.WriteHeader(http.StatusAccepted)
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request) {
	inv := s.take(r.PathValue("id"))
	if inv == nil {
		http.Error(w, `{"errorType":"InvalidRequestID"}`, http.StatusBadRequest)
		return
	}
	body, _ := io.ReadAll(r.Body)
	inv.done <- result{err: &FunctionError{Type: r.Header.Get("Lambda-Runtime-Function-Error-Type"), Body: string(body)}}
	w.WriteHeader(http.StatusAccepted)
}

func (s *Server) failInit(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	select {
	case s.initErr <- &FunctionError{Init: true, Type: r.Header.Get("Lambda-Runtime-Function-Error-Type"), Body: string(body)}:
	default:
	}
	w.WriteHeader(http.StatusAccepted)
}

// Invoke hands payload to the runtime's next GET and waits for its response
// or error. exited, when not nil, ends the wait if the process dies.
func (s *Server) invoke(ctx context.Context, payload []byte, exited <-chan struct{}) ([]byte, error) {
	s.mu.Lock()
	s.nextID++
	inv := &invocation{id: fmt.Sprintf("req-%06d", s.nextID), payload: payload, done: make(chan result, 1)}
	s.pending[inv.id] = inv
	s.mu.Unlock()
	select {
	case s.queue <- inv:
	case e := <-s.initErr:
		return nil, e
	case <-exited:
		return nil, errors.New("the function's process exited before taking the invocation")
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select {
	case r := <-inv.done:
		return r.body, r.err
	case <-exited:
		return nil, errors.New("the function's process exited during the invocation")
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Function is a bootstrap running against a Server.
type Function struct {
	srv     *Server
	cmd     *exec.Cmd
	started time.Time
	exited  chan struct{}
	waitErr error // the process's end, set before exited is closed
	out     *syncBuffer
}

// Options configure StartWith. The zero value of each field has a
// documented default.
type Options struct {
	// Output receives everything the process writes to stdout and stderr,
	// as it is written (its logs), besides Output. Default: kept only.
	Output io.Writer
	// Timeout is the invocation deadline the runtime is told
	// (Lambda-Runtime-Deadline-Ms). Default: 30 s.
	Timeout time.Duration
	// FunctionARN is sent as Lambda-Runtime-Invoked-Function-Arn.
	// Default: a placeholder ARN of a function named "local".
	FunctionARN string
	// Dir is the process's working directory. Default: the caller's.
	Dir string
}

// Start runs the bootstrap binary with env (KEY=VALUE entries: the
// deployed function's environment plus credentials) and
// AWS_LAMBDA_RUNTIME_API pointing at a new Server. Stop ends both.
func Start(bootstrap string, env []string) (*Function, error) {
	return StartWith(bootstrap, env, Options{})
}

// StartWith is Start with options.
func StartWith(bootstrap string, env []string, o Options) (*Function, error) {
	srv, err := New()
	if err != nil {
		return nil, err
	}
	if o.Timeout > 0 {
		srv.Timeout = o.Timeout
	}
	if o.FunctionARN != "" {
		srv.FunctionARN = o.FunctionARN
	}
	argv, err := command(bootstrap)
	if err != nil {
		srv.Close()
		return nil, err
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = o.Dir
	cmd.Env = append(append([]string{}, env...), "AWS_LAMBDA_RUNTIME_API="+srv.Addr)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	out := &syncBuffer{tee: o.Output}
	cmd.Stdout, cmd.Stderr = out, out
	started := time.Now()
	if err := cmd.Start(); err != nil {
		srv.Close()
		return nil, fmt.Errorf("starting %s: %w", bootstrap, err)
	}
	f := &Function{srv: srv, cmd: cmd, started: started, exited: make(chan struct{}), out: out}
	go func() { f.waitErr = cmd.Wait(); close(f.exited) }()
	return f, nil
}

// Environment is what Lambda sets in a provided.al2023 execution
// environment besides the function's own variables, the region and the
// role's credentials: the function's name, version, memory, log group and
// stream, initialization type and runtime. It leaves out LAMBDA_TASK_ROOT:
// fnenv's resolver takes its presence for Lambda's and then ignores
// AWS_ENDPOINT_URL, which a local run needs honoured.
func Environment(functionName string, memoryMiB int) []string {
	return []string{
		"AWS_LAMBDA_FUNCTION_NAME=" + functionName,
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=" + strconv.Itoa(memoryMiB),
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/" + functionName,
		"AWS_LAMBDA_LOG_STREAM_NAME=local",
		"AWS_LAMBDA_INITIALIZATION_TYPE=on-demand",
		"AWS_EXECUTION_ENV=AWS_Lambda_provided.al2023",
		"_HANDLER=bootstrap",
		"PATH=/usr/local/bin:/usr/bin:/bin",
		"TZ=:UTC",
	}
}

// Exited returns a channel closed when the process has ended, and then
// how it ended (*exec.ExitError, or nil for exit status 0).
func (f *Function) Exited() (<-chan struct{}, func() error) {
	return f.exited, func() error { <-f.exited; return f.waitErr }
}

// Invoke sends one event and returns the handler's response; a handler
// error or init error comes back as *FunctionError.
func (f *Function) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return f.srv.invoke(ctx, payload, f.exited)
}

// InitDuration waits until the runtime asks for its first invocation and
// returns the time from just before the process started until then: the
// function's init (Lambda's Init Duration, without the sandbox's own
// start). It fails when the function reports an init error or exits first.
func (f *Function) InitDuration(ctx context.Context) (time.Duration, error) {
	select {
	case <-f.srv.ready:
		return f.srv.readyAt.Sub(f.started), nil
	case e := <-f.srv.initErr:
		return 0, e
	case <-f.exited:
		return 0, errors.New("the function's process exited during init")
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// Output is everything the process wrote to stdout and stderr so far.
func (f *Function) Output() string { return f.out.String() }

// Stop kills the process and closes the server.
func (f *Function) Stop() {
	_ = f.cmd.Process.Kill()
	<-f.exited
	_ = f.srv.Close()
}

// command returns how to run bootstrap here: as it is when it was built for
// this machine's architecture, else under qemu user-mode emulation (as SAM
// local runs arm64 images on amd64), so the bytes that run are the bytes
// deployed.
func command(bootstrap string) ([]string, error) {
	f, err := elf.Open(bootstrap)
	if err != nil {
		return nil, fmt.Errorf("%s is not an executable for Linux: %w", bootstrap, err)
	}
	machine := f.Machine
	f.Close()
	native := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}[runtime.GOARCH]
	if machine == native {
		return []string{bootstrap}, nil
	}
	emulator := map[elf.Machine]string{elf.EM_AARCH64: "aarch64", elf.EM_X86_64: "x86_64"}[machine]
	if emulator == "" {
		return nil, fmt.Errorf("%s is built for %v, which this runner does not emulate", bootstrap, machine)
	}
	for _, name := range []string{"qemu-" + emulator + "-static", "qemu-" + emulator} {
		if p, err := exec.LookPath(name); err == nil {
			return []string{p, bootstrap}, nil
		}
	}
	return nil, fmt.Errorf("%s is built for %v and this machine is %s: install qemu user-mode emulation (Debian: apt-get install qemu-user-static)", bootstrap, machine, runtime.GOARCH)
}

type syncBuffer struct {
	mu  sync.Mutex
	b   bytes.Buffer
	tee io.Writer // also receives every write, when set
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.tee != nil {
		_, _ = b.tee.Write(p) // the logs' reader going away must not stop the function
	}
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Clone(b.b.String())
}
