package q931

import (
	"bytes"
	"fmt"
)

// Display returns the text of the Display element (0x28). Trailing NUL
// octets, which some H.323 stacks append, are dropped.
func (m *Message) Display() (string, error) {
	d, err := m.data(IEDisplay)
	if err != nil {
		return "", err
	}
	return string(bytes.TrimRight(d, "\x00")), nil
}

// SetDisplay sets the Display element to text as given (no NUL added).
// Q.931 allows up to 82 characters; longer text is refused.
func (m *Message) SetDisplay(text string) error {
	if len(text) > MaxDisplay {
		return fmt.Errorf("%w: display of %d characters, at most %d", ErrTooLong, len(text), MaxDisplay)
	}
	return m.setData(IEDisplay, []byte(text))
}

// MaxDisplay is the longest display text Q.931 allows.
const MaxDisplay = 82

// Keypad returns the digits of the Keypad facility element (0x2c). Trailing
// NUL octets are dropped.
func (m *Message) Keypad() (string, error) {
	d, err := m.data(IEKeypadFacility)
	if err != nil {
		return "", err
	}
	return string(bytes.TrimRight(d, "\x00")), nil
}

// SetKeypad sets the Keypad facility element (IA5 characters, typically
// one DTMF digit: 0-9 * # A-D).
func (m *Message) SetKeypad(digits string) error {
	if len(digits) == 0 {
		return fmt.Errorf("%w: empty keypad facility", ErrInvalidIE)
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] >= 0x80 {
			return fmt.Errorf("%w: keypad character %#02x is not IA5", ErrInvalidIE, digits[i])
		}
	}
	return m.setData(IEKeypadFacility, []byte(digits))
}
