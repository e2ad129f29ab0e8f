package caps

import "errors"

// Errors reported by the parsers and builders. They are wrapped with the
// context of the failure; test them with errors.Is.
var (
	// ErrUnsupported reports a capability, data type or message that this
	// package does not describe (a non-standard codec, an unknown generic
	// capability). Callers usually skip such entries.
	ErrUnsupported = errors.New("caps: unsupported")
	// ErrInvalid reports a value that the builders cannot express or a
	// received value that breaks the recommendation it claims to follow.
	ErrInvalid = errors.New("caps: invalid")
)
