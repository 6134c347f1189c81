package awsenv

import (
	"context"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
)

// HTTPClient returns the HTTP client of the resolver's SSM and Secrets
// Manager clients. In a Lambda execution environment (LAMBDA_TASK_ROOT
// set) no configuration steers it, so that no function configuration can
// send secret reads through a host that decrypts them:
//   - it connects directly: it ignores HTTPS_PROXY, HTTP_PROXY, NO_PROXY
//     and their lowercase forms (Go reads no ALL_PROXY), which the
//     handler's own clients still honour;
//   - it trusts only the root certificates the runtime image installs,
//     read from the image's fixed paths: it ignores SSL_CERT_FILE and
//     SSL_CERT_DIR, which crypto/x509 would read, so that a CA a
//     configuration names is not trusted for these reads (for the
//     handler's own TLS it still is).
//
// GODEBUG can neither add a root nor a proxy, and the SDK's TLS 1.2
// minimum is set in the client itself. Outside Lambda it returns nil, the
// SDK's default client, which honours them all (a developer's machine
// behind a proxy). The client is the SDK's BuildableClient (its timeouts
// and pools) with Proxy nil and, when either SSL_CERT_ variable is set,
// its own RootCAs; when neither is, Go's system pool is already that one
// and is shared, loaded once. It fails when a variable is set and the
// image has no root certificate at any fixed path.
func HTTPClient() (aws.HTTPClient, error) {
	if !inLambda() {
		return nil, nil
	}
	var roots *x509.CertPool
	if os.Getenv("SSL_CERT_FILE") != "" || os.Getenv("SSL_CERT_DIR") != "" {
		var err error
		if roots, err = imageRoots(); err != nil {
			return nil, err
		}
	}
	return awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
		tr.Proxy = nil
		tr.TLSClientConfig.RootCAs = roots
		if testDial != nil {
			tr.DialContext = testDial
		}
	}), nil
}

// testDial, when set by a test, replaces the dialer of the client
// HTTPClient returns in Lambda: it sees the address dialed.
var testDial func(ctx context.Context, network, addr string) (net.Conn, error)

// inLambda reports whether the process runs in a Lambda execution
// environment: LAMBDA_TASK_ROOT is set, which Lambda does and a function's
// configuration cannot (it is a reserved variable).
func inLambda() bool { return os.Getenv("LAMBDA_TASK_ROOT") != "" }

// The fixed paths of crypto/x509's Linux system roots (root_linux.go, Go
// 1.26): the first file that exists, then every file in the directories.
// Amazon Linux (Lambda's provided.al2023) has /etc/pki/tls/certs/ca-bundle.crt.
var (
	rootFiles = []string{
		"/etc/ssl/certs/ca-certificates.crt",
		"/etc/pki/tls/certs/ca-bundle.crt",
		"/etc/ssl/ca-bundle.pem",
		"/etc/pki/tls/cacert.pem",
		"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
		"/etc/ssl/cert.pem",
	}
	rootDirs = []string{"/etc/ssl/certs", "/etc/pki/tls/certs"}
)

// imageRoots is the pool crypto/x509 loads on Linux when neither
// SSL_CERT_FILE nor SSL_CERT_DIR is set, loaded once.
var imageRoots = sync.OnceValues(func() (*x509.CertPool, error) {
	pool, found := x509.NewCertPool(), false
	for _, f := range rootFiles {
		if data, err := os.ReadFile(f); err == nil {
			found = pool.AppendCertsFromPEM(data)
			break
		}
	}
	for _, d := range rootDirs {
		entries, _ := os.ReadDir(d)
		for _, e := range entries {
			if data, err := os.ReadFile(d + "/" + e.Name()); err == nil {
				found = pool.AppendCertsFromPEM(data) || found
			}
		}
	}
	if !found {
		return nil, errors.New("no root certificate in " + strings.Join(append(rootFiles, rootDirs...), ", ") + ": the resolver trusts only the runtime image's roots in Lambda, whatever SSL_CERT_FILE or SSL_CERT_DIR say")
	}
	return pool, nil
})
