//go:build !linux || !(amd64 || arm64)

package rtpio

import "errors"

// haveEngine says that Forward works here.
const haveEngine = false

// engine stands in for the receive engine where there is none: Forward
// reports errors.ErrUnsupported and callers read with ReadRTP.
type engine struct{}

type engineSlot struct{}

func newEngine(int) *engine { return &engine{} }

func (*engine) add(*forwarding) error { return errors.ErrUnsupported }

func (*engine) remove(*forwarding) {}

func (*engine) wait() {}

func (*engine) running() int { return 0 }
