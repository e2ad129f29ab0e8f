package q931

import "fmt"

// User-user protocol discriminators.
const (
	// UserUserX208 is the protocol discriminator of X.208/X.209 coded user
	// information: the H.323-UserInformation PDU of H.225.0.
	UserUserX208 = 0x05
	// UserUserIA5 is IA5 text.
	UserUserIA5 = 0x04
)

// UserUser is the User-user element (0x7e). H.225.0 gives it a two-octet
// length, so it may carry up to 65534 octets of user information.
type UserUser struct {
	// Protocol is the protocol discriminator (UserUserX208 for H.225.0).
	Protocol uint8
	// Info is the user information.
	Info []byte
}

// MaxUserInfo is the most user information one User-user element carries.
const MaxUserInfo = 0xffff - 1

// ParseUserUser decodes the contents of a User-user element.
func ParseUserUser(data []byte) (UserUser, error) {
	if len(data) < 1 {
		return UserUser{}, fmt.Errorf("%w: empty user-user", ErrInvalidIE)
	}
	return UserUser{Protocol: data[0], Info: data[1:]}, nil
}

// IE encodes the User-user element.
func (u UserUser) IE() (IE, error) {
	if len(u.Info) > MaxUserInfo {
		return IE{}, fmt.Errorf("%w: user information of %d bytes", ErrTooLong, len(u.Info))
	}
	d := make([]byte, 1+len(u.Info))
	d[0] = u.Protocol
	copy(d[1:], u.Info)
	return IE{ID: IEUserUser, Data: d}, nil
}

// UserUser returns the message's User-user element.
func (m *Message) UserUser() (UserUser, error) {
	d, err := m.data(IEUserUser)
	if err != nil {
		return UserUser{}, err
	}
	return ParseUserUser(d)
}

// SetUserUser sets the message's User-user element.
func (m *Message) SetUserUser(u UserUser) error {
	ie, err := u.IE()
	if err != nil {
		return err
	}
	m.Set(ie)
	return nil
}

// H225 returns the H.323-UserInformation PDU (still encoded) that the
// User-user element carries. It does not copy: the result aliases the
// message.
func (m *Message) H225() ([]byte, error) {
	u, err := m.UserUser()
	if err != nil {
		return nil, err
	}
	if u.Protocol != UserUserX208 {
		return nil, fmt.Errorf("%w: user-user protocol discriminator %#02x, not X.208/X.209", ErrInvalidIE, u.Protocol)
	}
	return u.Info, nil
}

// SetH225 sets the User-user element to carry an encoded
// H.323-UserInformation PDU.
func (m *Message) SetH225(pdu []byte) error {
	return m.SetUserUser(UserUser{Protocol: UserUserX208, Info: pdu})
}
