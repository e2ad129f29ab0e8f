package gateway

import (
	"sync"

	"github.com/switchyard/switchyard/call"
)

// admission counts calls and refuses new ones in maintenance, at the call
// limit, or while the node stops.
type admission struct {
	mu          sync.Mutex
	calls       int
	max         int
	maintenance bool
	closed      bool
}

func (a *admission) configure(max int, maintenance bool) {
	a.mu.Lock()
	a.max, a.maintenance = max, maintenance
	a.mu.Unlock()
}

// check refuses when no new call may start, without reserving a slot.
func (a *admission) check() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.refusal()
}

func (a *admission) refusal() error {
	switch {
	case a.closed:
		return call.Errorf(call.Maintenance, "%w", errClosed)
	case a.maintenance:
		return call.Errorf(call.Maintenance, "node is in maintenance mode")
	case a.max > 0 && a.calls >= a.max:
		return call.Errorf(call.Capacity, "%d of %d calls in use (gateway.max_calls)", a.calls, a.max)
	}
	return nil
}

func (a *admission) acquire() (func(), error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.refusal(); err != nil {
		return nil, err
	}
	a.calls++
	var once sync.Once
	return func() {
		once.Do(func() {
			a.mu.Lock()
			a.calls--
			a.mu.Unlock()
		})
	}, nil
}

func (a *admission) active() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.calls
}

func (a *admission) close() {
	a.mu.Lock()
	a.closed = true
	a.mu.Unlock()
}
