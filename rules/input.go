package rules

import (
	"unicode/utf8"

	"github.com/switchyard/switchyard/call"
)

// MaxDialedLen is the longest dialed string, in bytes, that the dial plan
// accepts. Longer input is a bad request.
const MaxDialedLen = 1024

// cleanInput checks a dialed string as it arrived from the network and
// returns it trimmed: leading and trailing spaces and trailing '/' removed
// (clients sometimes append a '/' to an address taken from a link). It does
// not allocate unless it fails.
func cleanInput(s string) (string, error) {
	if len(s) > MaxDialedLen {
		return "", call.Errorf(call.BadRequest, "dialed string is %d bytes long, the limit is %d", len(s), MaxDialedLen)
	}
	if !utf8.ValidString(s) {
		return "", call.Errorf(call.BadRequest, "dialed string is not valid UTF-8")
	}
	if i, r := controlChar(s); i >= 0 {
		return "", call.Errorf(call.BadRequest, "dialed string contains control character %U at byte %d", r, i)
	}
	t := trimAddress(s)
	if t == "" {
		return "", call.Errorf(call.BadRequest, "dialed string is empty")
	}
	return t, nil
}

// controlChar returns the byte offset and value of the first C0 or C1
// control character (or DEL) in s, or -1. s must be valid UTF-8.
func controlChar(s string) (int, rune) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c < 0x20 || c == 0x7f:
			return i, rune(c)
		case c == 0xc2 && i+1 < len(s) && s[i+1] >= 0x80 && s[i+1] <= 0x9f:
			// U+0080..U+009F encode as C2 80..C2 9F.
			return i, rune(s[i+1])
		}
	}
	return -1, 0
}

// trimAddress removes leading spaces and trailing spaces and slashes.
// Every trailing '/' goes, not only the last, so that trimming is
// idempotent and a parsed address always prints back to the same form.
func trimAddress(s string) string {
	i := 0
	for i < len(s) && s[i] == ' ' {
		i++
	}
	j := len(s)
	for j > i && (s[j-1] == ' ' || s[j-1] == '/') {
		j--
	}
	return s[i:j]
}
