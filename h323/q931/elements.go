package q931

import "fmt"

// Get returns the first codeset-0 element with the identifier id. For a
// shift, congestion level or repeat indicator element, id is compared
// without its low nibble.
func (m *Message) Get(id IEID) (IE, bool) {
	if i := m.index(id); i >= 0 {
		return m.IEs[i], true
	}
	return IE{}, false
}

// GetAll returns every codeset-0 element with the identifier id, in order
// (a message may carry, for example, two progress indicators).
func (m *Message) GetAll(id IEID) []IE {
	var out []IE
	for _, ie := range m.IEs {
		if ie.Codeset == 0 && sameID(ie.ID, id) {
			out = append(out, ie)
		}
	}
	return out
}

// Has reports whether the message carries a codeset-0 element id.
func (m *Message) Has(id IEID) bool { return m.index(id) >= 0 }

// Set replaces the first codeset-0 element with ie's identifier, or, when
// there is none, inserts ie where Q.931 orders it: single-octet elements
// before variable-length ones, variable-length ones in ascending
// identifier order, all before any shift to another codeset.
func (m *Message) Set(ie IE) {
	ie.Codeset = 0
	if i := m.index(ie.ID); i >= 0 {
		m.IEs[i] = ie
		return
	}
	at := len(m.IEs)
	for i, e := range m.IEs {
		if e.Codeset != 0 || e.ID&0xf0 == IEShift {
			at = i
			break
		}
		if ie.ID.SingleOctet() {
			if !e.ID.SingleOctet() {
				at = i
				break
			}
			continue
		}
		if !e.ID.SingleOctet() && e.ID > ie.ID {
			at = i
			break
		}
	}
	m.IEs = append(m.IEs, IE{})
	copy(m.IEs[at+1:], m.IEs[at:])
	m.IEs[at] = ie
}

// Add appends ie after every element the message already has.
func (m *Message) Add(ie IE) { m.IEs = append(m.IEs, ie) }

// Remove deletes every codeset-0 element with the identifier id.
func (m *Message) Remove(id IEID) {
	out := m.IEs[:0]
	for _, ie := range m.IEs {
		if ie.Codeset == 0 && sameID(ie.ID, id) {
			continue
		}
		out = append(out, ie)
	}
	clear(m.IEs[len(out):])
	m.IEs = out
}

func (m *Message) index(id IEID) int {
	for i, ie := range m.IEs {
		if ie.Codeset == 0 && sameID(ie.ID, id) {
			return i
		}
	}
	return -1
}

// sameID compares identifiers; type-1 single-octet elements (shift,
// congestion level, repeat indicator) carry contents in their low nibble.
func sameID(a, b IEID) bool {
	if a.SingleOctet() && b.SingleOctet() && a&0xf0 != 0xa0 && b&0xf0 != 0xa0 {
		return a&0xf0 == b&0xf0
	}
	return a == b
}

// data returns the contents of the element id, or ErrNotPresent.
func (m *Message) data(id IEID) ([]byte, error) {
	ie, ok := m.Get(id)
	if !ok {
		return nil, fmt.Errorf("%w: %s in %s", ErrNotPresent, id, m.Type)
	}
	return ie.Data, nil
}

// setData sets a variable-length element, checking its length.
func (m *Message) setData(id IEID, data []byte) error {
	if len(data) > maxLen(id, 0) {
		return fmt.Errorf("%w: %s of %d bytes", ErrTooLong, id, len(data))
	}
	m.Set(IE{ID: id, Data: data})
	return nil
}

// SendingComplete reports whether the message carries Sending complete.
func (m *Message) SendingComplete() bool { return m.Has(IESendingComplete) }

// SetSendingComplete adds or removes the Sending complete element.
func (m *Message) SetSendingComplete(on bool) {
	if on {
		m.Set(IE{ID: IESendingComplete})
		return
	}
	m.Remove(IESendingComplete)
}

// MoreData reports whether the message carries More data.
func (m *Message) MoreData() bool { return m.Has(IEMoreData) }

// SetMoreData adds or removes the More data element.
func (m *Message) SetMoreData(on bool) {
	if on {
		m.Set(IE{ID: IEMoreData})
		return
	}
	m.Remove(IEMoreData)
}
