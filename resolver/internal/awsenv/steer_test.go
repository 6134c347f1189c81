package awsenv_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fnenv/fnenv/model"
	"github.com/fnenv/fnenv/resolver"
	"github.com/fnenv/fnenv/resolver/gensupport"
	"github.com/fnenv/fnenv/resolver/internal/awsenv"
	"github.com/fnenv/fnenv/resolver/smfetch"
)

// The answers of the fake AWS behind the intercepting proxy: what the
// proxy reads when a client trusts it.
const (
	fakeSSMValue = "fake-intercepted-ssm-value-0042"
	fakeSMValue  = "fake-intercepted-sm-value-0042"
)

// lab is a certificate authority, a TLS-intercepting proxy trusting
// clients would trust through SSL_CERT_FILE, and a TLS "real endpoint"
// with a certificate of that CA, all on localhost. It is built once per
// test binary: net/http reads the proxy variables, and crypto/x509 the
// system roots, once per process, so a second -count must find the same
// proxy and CA.
type lab struct {
	caFile, caDir string
	proxy         *httptest.Server
	endpoint      *httptest.Server
	issue         func(*tls.ClientHelloInfo) (*tls.Certificate, error)

	mu        sync.Mutex
	connects  []string // CONNECT targets the proxy received
	seen      []string // what the proxy decrypted: requests and answers
	dialed    []string // addresses the Lambda client dialed
	served    int      // requests the endpoint answered
	handshake bytes.Buffer
}

var (
	theLab  *lab
	labOnce sync.Once
)

func TestMain(m *testing.M) {
	code := m.Run()
	if theLab != nil {
		theLab.proxy.Close()
		theLab.endpoint.Close()
		os.RemoveAll(filepath.Dir(theLab.caFile))
	}
	os.Exit(code)
}

func getLab(t *testing.T) *lab {
	labOnce.Do(func() { theLab = newLab(t) })
	if theLab == nil {
		t.Fatal("the lab could not be built")
	}
	theLab.reset()
	return theLab
}

// reset forgets what the lab saw.
func (l *lab) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.connects, l.seen, l.dialed, l.served = nil, nil, nil, 0
	l.handshake.Reset()
}

func newLab(t *testing.T) *lab {
	l := &lab{}
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "fnenv test intercepting CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	dir, err := os.MkdirTemp("", "fnenv-steer-")
	if err != nil {
		t.Fatal(err)
	}
	l.caFile, l.caDir = filepath.Join(dir, "ca.pem"), filepath.Join(dir, "certs")
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	if err := os.Mkdir(l.caDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{l.caFile, filepath.Join(l.caDir, "ca.pem")} {
		if err := os.WriteFile(f, caPEM, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Certificates for any host asked, signed by the CA.
	var certs sync.Map
	l.issue = func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
		if c, ok := certs.Load(hello.ServerName); ok {
			return c.(*tls.Certificate), nil
		}
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, err
		}
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: hello.ServerName},
			DNSNames: []string{hello.ServerName}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			return nil, err
		}
		c := &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
		certs.Store(hello.ServerName, c)
		return c, nil
	}

	// The endpoint the Lambda client dials (SetTestDial), as the real one
	// would be reached, but with a certificate of the test CA.
	l.endpoint = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		l.served++
		l.mu.Unlock()
		fakeAWS(w, r)
	}))
	l.endpoint.TLS = &tls.Config{GetCertificate: l.issue}
	l.endpoint.Config.ErrorLog = log.New(lockedWriter{l}, "", 0)
	l.endpoint.StartTLS()

	// The proxy: CONNECT, then TLS with a certificate of the CA for the
	// host asked, then every request decrypted, logged and answered.
	inner := newConnListener()
	mitm := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rec := httptest.NewRecorder()
		r.Body = io.NopCloser(bytes.NewReader(body))
		fakeAWS(rec, r)
		l.mu.Lock()
		l.seen = append(l.seen, r.Host+" "+r.Header.Get("X-Amz-Target")+" "+string(body)+" → "+rec.Body.String())
		l.mu.Unlock()
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
	}), ErrorLog: log.New(io.Discard, "", 0)}
	go mitm.Serve(inner)
	l.proxy = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		l.connects = append(l.connects, r.Method+" "+r.Host)
		l.mu.Unlock()
		if r.Method != http.MethodConnect {
			http.Error(w, "CONNECT only", http.StatusMethodNotAllowed)
			return
		}
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		io.WriteString(conn, "HTTP/1.1 200 Connection established\r\n\r\n")
		inner.conns <- tls.Server(conn, &tls.Config{GetCertificate: l.issue})
	}))
	return l
}

// lockedWriter collects the endpoint's log: its refused TLS handshakes.
type lockedWriter struct{ l *lab }

func (w lockedWriter) Write(p []byte) (int, error) {
	w.l.mu.Lock()
	defer w.l.mu.Unlock()
	return w.l.handshake.Write(p)
}

// connListener hands the proxy's decrypted connections to an http.Server.
type connListener struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func newConnListener() *connListener {
	return &connListener{conns: make(chan net.Conn), done: make(chan struct{})}
}

func (c *connListener) Accept() (net.Conn, error) {
	select {
	case conn := <-c.conns:
		return conn, nil
	case <-c.done:
		return nil, net.ErrClosed
	}
}
func (c *connListener) Close() error   { c.once.Do(func() { close(c.done) }); return nil }
func (c *connListener) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)} }

// fakeAWS answers SSM's GetParameters and Secrets Manager's GetSecretValue
// with fake values, as AWS would.
func fakeAWS(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Names    []string
		SecretId string
	}
	json.NewDecoder(r.Body).Decode(&in)
	arn := func(id string) string {
		return "arn:aws:secretsmanager:eu-west-1:123456789012:secret:" + id + "-AbCdEf"
	}
	var out any
	switch target := r.Header.Get("X-Amz-Target"); target {
	case "AmazonSSM.GetParameters":
		var ps []map[string]string
		for _, n := range in.Names {
			ps = append(ps, map[string]string{"Name": n, "Value": fakeSSMValue, "Type": "SecureString"})
		}
		out = map[string]any{"Parameters": ps, "InvalidParameters": []string{}}
	case "secretsmanager.GetSecretValue":
		out = map[string]string{"ARN": arn(in.SecretId), "Name": in.SecretId, "SecretString": fakeSMValue}
	default:
		http.Error(w, "unknown target "+target, http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	json.NewEncoder(w).Encode(out)
}

// A function's configuration sets a proxy (HTTPS_PROXY, HTTP_PROXY…) and
// a CA (SSL_CERT_FILE, SSL_CERT_DIR) of a TLS-intercepting proxy, and an
// endpoint (AWS_ENDPOINT_URL) at it. In Lambda the resolver's clients
// ignore all of them: they dial the real endpoints directly (the proxy
// gets no CONNECT) and refuse a certificate of that CA, so no secret read
// reaches the proxy. Outside Lambda the same settings are honoured (a
// developer behind a proxy), and the proxy reads every value: the test
// can see an interception when there is one.
func TestNoConfigurationSteersSecretReads(t *testing.T) {
	l := getLab(t)
	decl := gensupport.Declaration{Function: "charge", SecretsManager: smfetch.New, Vars: []gensupport.Var{
		{Name: "DB_PASSWORD", SecretsManager: "DbCredential"},
		{Name: "STRIPE_KEY", Secret: "STRIPE_KEY"},
	}}
	type env struct{ StripeKey, DBPassword string }
	build := func(v *gensupport.Values, _ resolver.Lambda) *env {
		return &env{v.Get("STRIPE_KEY"), v.Get("DB_PASSWORD")}
	}
	steer := map[string]string{
		"HTTPS_PROXY": l.proxy.URL, "https_proxy": l.proxy.URL, "HTTP_PROXY": l.proxy.URL, "http_proxy": l.proxy.URL,
		"ALL_PROXY": l.proxy.URL, "NO_PROXY": "", "no_proxy": "",
		"SSL_CERT_FILE": l.caFile, "SSL_CERT_DIR": l.caDir,
	}
	for k, v := range steer {
		t.Setenv(k, v)
	}
	for k, v := range map[string]string{
		"AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_SESSION_TOKEN": "",
		"AWS_LAMBDA_FUNCTION_NAME": "Payments-main-Charge", "FNENV_MAX_AGE": "",
		model.EnvSecrets: "STRIPE_KEY=STRIPE_KEY", model.EnvBranchPrefix: "/amplify/payments/main/", model.EnvSharedPrefix: "/amplify/shared/payments/",
		model.EnvSecretsManager: model.EncodeSecretsManager(map[string]string{"DB_PASSWORD": "payments/db"}),
	} {
		t.Setenv(k, v)
	}
	load := func(t *testing.T) (*env, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		return resolver.NewLoader(decl, build).Load(ctx)
	}

	t.Run("outside Lambda the proxy reads every value", func(t *testing.T) {
		t.Setenv("LAMBDA_TASK_ROOT", "")
		os.Unsetenv("LAMBDA_TASK_ROOT")
		e, err := load(t)
		if err != nil {
			t.Fatalf("Load through the proxy: %v", err)
		}
		l.mu.Lock()
		defer l.mu.Unlock()
		if e.StripeKey != fakeSSMValue || e.DBPassword != fakeSMValue {
			t.Error("Load did not return the proxy's answers")
		}
		want := []string{"CONNECT secretsmanager.eu-west-1.amazonaws.com:443", "CONNECT ssm.eu-west-1.amazonaws.com:443"}
		if slices.Sort(l.connects); !slices.Equal(slices.Compact(l.connects), want) {
			t.Errorf("the proxy got %q, want %q", l.connects, want)
		}
		if seen := strings.Join(l.seen, "\n"); !strings.Contains(seen, "STRIPE_KEY") || !strings.Contains(seen, fakeSSMValue) || !strings.Contains(seen, fakeSMValue) {
			t.Errorf("the proxy did not decrypt the reads; it saw:\n%s", seen)
		}
	})

	t.Run("in Lambda no read reaches the proxy", func(t *testing.T) {
		l.reset()
		t.Setenv("LAMBDA_TASK_ROOT", "/var/task")
		t.Setenv("AWS_ENDPOINT_URL", l.proxy.URL)
		t.Setenv("AWS_ENDPOINT_URL_SSM", l.proxy.URL)
		t.Setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", l.proxy.URL)
		endpoint := l.endpoint.Listener.Addr().String()
		awsenv.SetTestDial(t, func(ctx context.Context, network, addr string) (net.Conn, error) {
			l.mu.Lock()
			l.dialed = append(l.dialed, addr)
			l.mu.Unlock()
			return (&net.Dialer{}).DialContext(ctx, network, endpoint)
		})
		_, err := load(t)
		l.mu.Lock()
		defer l.mu.Unlock()
		if err == nil {
			t.Fatal("Load succeeded; want an error: the endpoint's certificate is of the configured CA, which Lambda's client must not trust")
		}
		var unknown x509.UnknownAuthorityError
		if !errors.As(err, &unknown) {
			t.Errorf("Load failed with %v; want x509.UnknownAuthorityError", err)
		}
		if len(l.connects) > 0 || len(l.seen) > 0 {
			t.Errorf("the proxy got %q and read:\n%s", l.connects, strings.Join(l.seen, "\n"))
		}
		if slices.Sort(l.dialed); !slices.Equal(slices.Compact(l.dialed), []string{"secretsmanager.eu-west-1.amazonaws.com:443", "ssm.eu-west-1.amazonaws.com:443"}) {
			t.Errorf("the client dialed %q; want the real endpoints, directly", l.dialed)
		}
		if l.served > 0 || !strings.Contains(l.handshake.String(), "bad certificate") {
			t.Errorf("the endpoint answered %d requests; its log: %s", l.served, l.handshake.String())
		}
		if msg := fmt.Sprint(err); strings.Contains(msg, "fake-intercepted") {
			t.Errorf("the error shows a value: %s", msg)
		}
	})
}
