package awsenv

import (
	"context"
	"net"
	"testing"
)

// SetTestDial makes the client HTTPClient returns in Lambda dial with dial
// until tb ends: a test sees where the client connects and answers as the
// host would.
func SetTestDial(tb testing.TB, dial func(ctx context.Context, network, addr string) (net.Conn, error)) {
	testDial = dial
	tb.Cleanup(func() { testDial = nil })
}
