package resolver

import (
	"context"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"

	"github.com/fnenv/fnenv/resolver/internal/awsenv"
)

// Retry policy of a round: the requests one Load sends in parallel (SSM
// GetParameters chunks; any other call that resolves secrets should use it
// too). It was tuned with the burst benchmark (docs/benchmarks.md): 300
// cold starts at SSM's default 40 requests/s, where a throttle means the
// shared throughput is spent and every early retry only spends requests.
//
//   - A round that holds no answer yet retries one request at a time, its
//     first, in a full-jitter window of emptyBase per request of the round,
//     doubling per throttle up to emptyCap; the others wait for it.
//   - Once a request of the round is answered, the others are sent at once
//     and retried sooner, in a window of partialBase doubling up to
//     partialCap: the admitted requests go to cold starts that are nearly
//     done, so more of them finish within Lambda's 10 s init.
//   - No wait passes the context's deadline: the last attempt is sent
//     lastTry before it.
var (
	emptyBase   = 2500 * time.Millisecond
	emptyCap    = 16 * time.Second
	partialBase = 250 * time.Millisecond
	partialCap  = 2 * time.Second
	lastTry     = 100 * time.Millisecond
)

// noRetries is passed to every SDK call: the round retries.
var noRetries = awsenv.NoRetries

var (
	retryables = retry.IsErrorRetryables(retry.DefaultRetryables)
	throttles  = retry.IsErrorThrottles(retry.DefaultThrottles)
)

// round coordinates the retries of one Load's parallel requests.
type round struct {
	n        int
	answered atomic.Int32
	once     sync.Once
	first    chan struct{} // closed when request 0 ends, answered or not
}

func newRound(n int) *round { return &round{n: n, first: make(chan struct{})} }

// throttledError is the last throttling error of a request that SSM kept
// throttling until the context's deadline.
type throttledError struct {
	err      error
	attempts int
}

func (e *throttledError) Error() string { return e.err.Error() }
func (e *throttledError) Unwrap() error { return e.err }

// do sends request i of the round with call until it is answered, fails
// with an error that is not retryable, or the context's deadline comes. It
// returns call's last error; a *throttledError when it was throttled until
// the deadline.
func (r *round) do(ctx context.Context, i int, call func(context.Context) error) error {
	var emptyTries, partialTries, attempts int
	defer r.ended(i)
	for {
		err := call(ctx)
		attempts++
		if err == nil {
			r.answered.Add(1)
			return nil
		}
		if ctx.Err() != nil || retryables.IsErrorRetryable(err) != aws.TrueTernary {
			return err
		}
		var window time.Duration
		switch {
		case r.answered.Load() > 0:
			window = backoff(partialBase, partialCap, partialTries)
			partialTries++
		case i > 0 && !r.firstEnded():
			// Nothing answered yet: only request 0 retries.
			select {
			case <-r.first:
				continue
			case <-ctx.Done():
				return r.gaveUp(err, attempts)
			}
		default:
			window = backoff(time.Duration(r.n)*emptyBase, emptyCap, emptyTries)
			emptyTries++
		}
		wait := rand.N(window)
		if dl, ok := ctx.Deadline(); ok {
			left := time.Until(dl) - lastTry
			if left <= 0 {
				return r.gaveUp(err, attempts)
			}
			wait = min(wait, left)
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return r.gaveUp(err, attempts)
		}
	}
}

func (r *round) ended(i int) {
	if i == 0 {
		r.once.Do(func() { close(r.first) })
	}
}

func (r *round) firstEnded() bool {
	select {
	case <-r.first:
		return true
	default:
		return false
	}
}

func (r *round) gaveUp(err error, attempts int) error {
	if throttles.IsErrorThrottle(err) == aws.TrueTernary {
		return &throttledError{err: err, attempts: attempts}
	}
	return err
}

// backoff is base·2^tries, at most ceiling.
func backoff(base, ceiling time.Duration, tries int) time.Duration {
	if tries >= 16 || base<<tries > ceiling {
		return ceiling
	}
	return base << tries
}
