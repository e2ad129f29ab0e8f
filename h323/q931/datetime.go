package q931

import (
	"fmt"
	"time"
)

// DateTime is the Date/time element (0x29): year, month and day, and
// optionally hour, minute and second.
type DateTime struct {
	Year   uint8 // two digits: 0-99
	Month  uint8
	Day    uint8
	Hour   uint8
	Minute uint8
	Second uint8
	// Octets is how many of the six fields are present (3 to 6).
	Octets int
}

// ParseDateTime decodes the contents of a Date/time element.
func ParseDateTime(data []byte) (DateTime, error) {
	if len(data) < 3 || len(data) > 6 {
		return DateTime{}, fmt.Errorf("%w: date/time of %d bytes", ErrInvalidIE, len(data))
	}
	var f [6]uint8
	copy(f[:], data)
	return DateTime{Year: f[0], Month: f[1], Day: f[2], Hour: f[3], Minute: f[4], Second: f[5], Octets: len(data)}, nil
}

// DateTimeOf returns the Date/time of t to the second.
func DateTimeOf(t time.Time) DateTime {
	return DateTime{
		Year:   uint8(t.Year() % 100),
		Month:  uint8(t.Month()),
		Day:    uint8(t.Day()),
		Hour:   uint8(t.Hour()),
		Minute: uint8(t.Minute()),
		Second: uint8(t.Second()),
		Octets: 6,
	}
}

// IE encodes the Date/time element.
func (d DateTime) IE() (IE, error) {
	if d.Octets < 3 || d.Octets > 6 {
		return IE{}, fmt.Errorf("%w: date/time with %d octets", ErrInvalidIE, d.Octets)
	}
	f := []byte{d.Year, d.Month, d.Day, d.Hour, d.Minute, d.Second}
	return IE{ID: IEDateTime, Data: f[:d.Octets]}, nil
}

// Time returns the date and time in loc, taking years 00-99 as 2000-2099.
func (d DateTime) Time(loc *time.Location) time.Time {
	return time.Date(2000+int(d.Year), time.Month(d.Month), int(d.Day), int(d.Hour), int(d.Minute), int(d.Second), 0, loc)
}

// DateTime returns the message's Date/time element.
func (m *Message) DateTime() (DateTime, error) {
	d, err := m.data(IEDateTime)
	if err != nil {
		return DateTime{}, err
	}
	return ParseDateTime(d)
}

// SetDateTime sets the message's Date/time element.
func (m *Message) SetDateTime(d DateTime) error {
	ie, err := d.IE()
	if err != nil {
		return err
	}
	m.Set(ie)
	return nil
}
