package bench

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"
)

// Bencoding (the BitTorrent encoding) is what rtpengine's ng control
// protocol speaks: byte strings "4:spam", integers "i42e", lists "l...e" and
// dictionaries "d...e" whose keys are byte strings in sorted order.
//
// Values map to Go as: byte string = string (or []byte when encoding),
// integer = int64 (any Go integer when encoding), list = []any ([]string
// accepted when encoding), dictionary = map[string]any.

// maxBencodeIntLen is the longest integer text ("-9223372036854775808").
const maxBencodeIntLen = 20

// maxBencodeDepth bounds the nesting of lists and dictionaries on decoding.
const maxBencodeDepth = 32

// Errors of DecodeBencode.
var (
	ErrBencodeSyntax = errors.New("bencode: syntax error")
	ErrBencodeDepth  = errors.New("bencode: nested too deeply")
	ErrBencodeTrail  = errors.New("bencode: trailing bytes after the value")
)

// AppendBencode appends the encoding of v to dst.
func AppendBencode(dst []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case string:
		dst = strconv.AppendInt(dst, int64(len(x)), 10)
		return append(append(dst, ':'), x...), nil
	case []byte:
		dst = strconv.AppendInt(dst, int64(len(x)), 10)
		return append(append(dst, ':'), x...), nil
	case int:
		return appendBencodeInt(dst, int64(x)), nil
	case int64:
		return appendBencodeInt(dst, x), nil
	case int32:
		return appendBencodeInt(dst, int64(x)), nil
	case uint16:
		return appendBencodeInt(dst, int64(x)), nil
	case uint32:
		return appendBencodeInt(dst, int64(x)), nil
	case bool: // rtpengine reads booleans as "yes"/"no" strings
		if x {
			return AppendBencode(dst, "yes")
		}
		return AppendBencode(dst, "no")
	case []string:
		dst = append(dst, 'l')
		for _, s := range x {
			dst, _ = AppendBencode(dst, s)
		}
		return append(dst, 'e'), nil
	case []any:
		dst = append(dst, 'l')
		for i, e := range x {
			var err error
			if dst, err = AppendBencode(dst, e); err != nil {
				return dst, fmt.Errorf("list item %d: %w", i, err)
			}
		}
		return append(dst, 'e'), nil
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		dst = append(dst, 'd')
		for _, k := range keys {
			dst, _ = AppendBencode(dst, k)
			var err error
			if dst, err = AppendBencode(dst, x[k]); err != nil {
				return dst, fmt.Errorf("key %q: %w", k, err)
			}
		}
		return append(dst, 'e'), nil
	}
	return dst, fmt.Errorf("bencode: cannot encode %T", v)
}

func appendBencodeInt(dst []byte, n int64) []byte {
	dst = append(dst, 'i')
	dst = strconv.AppendInt(dst, n, 10)
	return append(dst, 'e')
}

// DecodeBencode decodes exactly one value that fills b.
func DecodeBencode(b []byte) (any, error) {
	v, n, err := decodeBencode(b, 0)
	if err != nil {
		return nil, err
	}
	if n != len(b) {
		return nil, fmt.Errorf("%w: %d of %d bytes used", ErrBencodeTrail, n, len(b))
	}
	return v, nil
}

// decodeBencode decodes one value at the start of b and returns it with the
// number of bytes it took.
func decodeBencode(b []byte, depth int) (any, int, error) {
	if len(b) == 0 {
		return nil, 0, fmt.Errorf("%w: unexpected end", ErrBencodeSyntax)
	}
	switch c := b[0]; {
	case c == 'i':
		end := bytes.IndexByte(b[:min(len(b), maxBencodeIntLen+2)], 'e')
		if end < 0 {
			return nil, 0, fmt.Errorf("%w: unterminated integer", ErrBencodeSyntax)
		}
		n, err := parseBencodeInt(b[1:end])
		if err != nil {
			return nil, 0, err
		}
		return n, end + 1, nil
	case c >= '0' && c <= '9':
		colon := bytes.IndexByte(b[:min(len(b), maxBencodeIntLen+1)], ':')
		if colon < 0 {
			return nil, 0, fmt.Errorf("%w: string length without ':'", ErrBencodeSyntax)
		}
		n, err := parseBencodeInt(b[:colon])
		if err != nil {
			return nil, 0, err
		}
		// Check the claimed length against what is there before
		// allocating anything.
		if n < 0 || n > int64(len(b)-colon-1) {
			return nil, 0, fmt.Errorf("%w: string of %d bytes with %d left", ErrBencodeSyntax, n, len(b)-colon-1)
		}
		end := colon + 1 + int(n)
		return string(b[colon+1 : end]), end, nil
	case c == 'l':
		if depth >= maxBencodeDepth {
			return nil, 0, ErrBencodeDepth
		}
		list := []any{}
		pos := 1
		for {
			if pos >= len(b) {
				return nil, 0, fmt.Errorf("%w: unterminated list", ErrBencodeSyntax)
			}
			if b[pos] == 'e' {
				return list, pos + 1, nil
			}
			v, n, err := decodeBencode(b[pos:], depth+1)
			if err != nil {
				return nil, 0, err
			}
			list = append(list, v)
			pos += n
		}
	case c == 'd':
		if depth >= maxBencodeDepth {
			return nil, 0, ErrBencodeDepth
		}
		dict := map[string]any{}
		pos := 1
		for {
			if pos >= len(b) {
				return nil, 0, fmt.Errorf("%w: unterminated dictionary", ErrBencodeSyntax)
			}
			if b[pos] == 'e' {
				return dict, pos + 1, nil
			}
			k, n, err := decodeBencode(b[pos:], depth+1)
			if err != nil {
				return nil, 0, err
			}
			key, ok := k.(string)
			if !ok {
				return nil, 0, fmt.Errorf("%w: dictionary key is a %T", ErrBencodeSyntax, k)
			}
			pos += n
			v, n, err := decodeBencode(b[pos:], depth+1)
			if err != nil {
				return nil, 0, fmt.Errorf("key %q: %w", key, err)
			}
			dict[key] = v
			pos += n
		}
	}
	return nil, 0, fmt.Errorf("%w: unexpected byte %q", ErrBencodeSyntax, b[0])
}

// parseBencodeInt parses a decimal integer with no leading zeros, no "+"
// and no "-0".
func parseBencodeInt(s []byte) (int64, error) {
	if len(s) == 0 || len(s) > maxBencodeIntLen {
		return 0, fmt.Errorf("%w: bad integer length %d", ErrBencodeSyntax, len(s))
	}
	digits := s
	if s[0] == '-' {
		digits = s[1:]
	}
	if len(digits) == 0 || (digits[0] == '0' && (len(digits) > 1 || len(s) > 1)) {
		return 0, fmt.Errorf("%w: bad integer %q", ErrBencodeSyntax, s)
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%w: bad integer %q", ErrBencodeSyntax, s)
		}
	}
	n, err := strconv.ParseInt(string(s), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: %v", ErrBencodeSyntax, err)
	}
	return n, nil
}
