package q931

import "errors"

// Errors. Every error returned by this package wraps one of them.
var (
	// ErrTruncated: the message or an element ends before its length says.
	ErrTruncated = errors.New("q931: truncated")
	// ErrProtocol: the protocol discriminator is not Q.931 (0x08).
	ErrProtocol = errors.New("q931: not a Q.931 message")
	// ErrCallReference: the call reference is not the two-octet form
	// H.225.0 uses, or its value does not fit 15 bits.
	ErrCallReference = errors.New("q931: unsupported call reference")
	// ErrNotPresent: the message has no such information element.
	ErrNotPresent = errors.New("q931: information element not present")
	// ErrInvalidIE: an element's contents do not follow its format.
	ErrInvalidIE = errors.New("q931: invalid information element")
	// ErrTooLong: an element's contents exceed what its length field can
	// express.
	ErrTooLong = errors.New("q931: information element too long")
)
