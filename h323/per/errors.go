package per

import (
	"errors"
	"fmt"
)

// Causes wrapped by the errors this package returns; test with errors.Is.
var (
	// ErrTruncated: the input ended before the encoding did, or a length
	// claims more items than the remaining bits can hold.
	ErrTruncated = errors.New("truncated input")
	// ErrConstraint: a value is outside its PER-visible constraint (on
	// encode), or a decoded value is (on decode).
	ErrConstraint = errors.New("value outside constraint")
	// ErrMalformed: the bits cannot be the encoding of any value of the type.
	ErrMalformed = errors.New("malformed encoding")
	// ErrTooDeep: nesting exceeded the Decoder's depth limit.
	ErrTooDeep = errors.New("nesting too deep")
	// ErrUnsupported: a value this runtime cannot represent (for example an
	// INTEGER that does not fit in 64 bits).
	ErrUnsupported = errors.New("unsupported value")
)

// DecodeError reports where and why decoding failed.
type DecodeError struct {
	// Op names the X.691 item being decoded ("constrained whole number",
	// "length", "open type", ...).
	Op string
	// Bit is the offset, in bits from the start of the outermost input,
	// at which the failing item started.
	Bit int64
	// Err is the cause: ErrTruncated, ErrConstraint, ErrMalformed,
	// ErrTooDeep or ErrUnsupported.
	Err error
}

// Error implements error.
func (e *DecodeError) Error() string {
	return fmt.Sprintf("per: decode %s at bit %d: %v", e.Op, e.Bit, e.Err)
}

// Unwrap returns the cause.
func (e *DecodeError) Unwrap() error { return e.Err }

// EncodeError reports why a value could not be encoded.
type EncodeError struct {
	// Op names the X.691 item being encoded.
	Op string
	// Detail describes the offending value and constraint.
	Detail string
	// Err is the cause: ErrConstraint or ErrUnsupported.
	Err error
}

// Error implements error.
func (e *EncodeError) Error() string {
	if e.Detail == "" {
		return fmt.Sprintf("per: encode %s: %v", e.Op, e.Err)
	}
	return fmt.Sprintf("per: encode %s: %v: %s", e.Op, e.Err, e.Detail)
}

// Unwrap returns the cause.
func (e *EncodeError) Unwrap() error { return e.Err }

// encodeErr builds an *EncodeError; the detail is formatted only on the
// error path.
func encodeErr(op string, cause error, format string, args ...any) error {
	return &EncodeError{Op: op, Detail: fmt.Sprintf(format, args...), Err: cause}
}
