package caps

import (
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"

	"github.com/switchyard/switchyard/h323/h225"
)

// GUID is a 16-octet H.225.0 globally unique identifier (conferenceID,
// callIdentifier).
type GUID [16]byte

// String returns the GUID as hexadecimal groups.
func (g GUID) String() string {
	h := hex.EncodeToString(g[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// NewGUID draws a GUID from r (crypto/rand.Reader in production, a fixed
// source in tests), marked as an RFC 4122 version 4 identifier.
func NewGUID(r io.Reader) (GUID, error) {
	var g GUID
	if _, err := io.ReadFull(r, g[:]); err != nil {
		return GUID{}, fmt.Errorf("draw GUID: %w", err)
	}
	g[6] = g[6]&0x0f | 0x40
	g[8] = g[8]&0x3f | 0x80
	return g, nil
}

func guidOf(b []byte) (GUID, error) {
	var g GUID
	if len(b) != len(g) {
		return GUID{}, fmt.Errorf("%w: GUID of %d octets", ErrInvalid, len(b))
	}
	copy(g[:], b)
	return g, nil
}

func callIdentifier(g GUID) *h225.CallIdentifier {
	return &h225.CallIdentifier{GUID: h225.GloballyUniqueID(g[:])}
}

func parseCallIdentifier(c *h225.CallIdentifier) (GUID, error) {
	if c == nil {
		return GUID{}, nil
	}
	return guidOf(c.GUID)
}

// AliasKind says which form an alias takes.
type AliasKind uint8

// Alias forms: E.164 digits (dialedDigits), H.323-ID (a name), URL and
// e-mail address.
const (
	AliasE164 AliasKind = iota + 1
	AliasH323ID
	AliasURL
	AliasEmail
)

// Alias is an H.225.0 alias address.
type Alias struct {
	Kind  AliasKind
	Value string
}

// E164 returns a dialedDigits alias.
func E164(digits string) Alias { return Alias{Kind: AliasE164, Value: digits} }

// H323ID returns an H.323-ID alias.
func H323ID(name string) Alias { return Alias{Kind: AliasH323ID, Value: name} }

// String renders the alias as H.323 call strings do.
func (a Alias) String() string {
	switch a.Kind {
	case AliasE164:
		return "e164:" + a.Value
	case AliasH323ID:
		return "h323-id:" + a.Value
	case AliasURL:
		return "url:" + a.Value
	case AliasEmail:
		return "email:" + a.Value
	}
	return a.Value
}

// e164Digits are the characters of dialedDigits.
const e164Digits = "0123456789#*,"

// AliasAddress returns the H.225.0 AliasAddress of a.
func (a Alias) AliasAddress() (h225.AliasAddress, error) {
	switch a.Kind {
	case AliasE164:
		if len(a.Value) < 1 || len(a.Value) > 128 || strings.Trim(a.Value, e164Digits) != "" {
			return h225.AliasAddress{}, fmt.Errorf("%w: E.164 alias %q", ErrInvalid, a.Value)
		}
		return h225.AliasAddress{Choice: h225.AliasAddressChoiceDialedDigits, DialedDigits: a.Value}, nil
	case AliasH323ID:
		if n := len(utf16.Encode([]rune(a.Value))); n < 1 || n > 256 {
			return h225.AliasAddress{}, fmt.Errorf("%w: H.323-ID of %d characters (1..256)", ErrInvalid, n)
		}
		return h225.AliasAddress{Choice: h225.AliasAddressChoiceH323ID, H323ID: a.Value}, nil
	case AliasURL:
		if len(a.Value) < 1 || len(a.Value) > 512 {
			return h225.AliasAddress{}, fmt.Errorf("%w: URL alias of %d characters (1..512)", ErrInvalid, len(a.Value))
		}
		return h225.AliasAddress{Choice: h225.AliasAddressChoiceURLID, URLID: a.Value}, nil
	case AliasEmail:
		if len(a.Value) < 1 || len(a.Value) > 512 {
			return h225.AliasAddress{}, fmt.Errorf("%w: e-mail alias of %d characters (1..512)", ErrInvalid, len(a.Value))
		}
		return h225.AliasAddress{Choice: h225.AliasAddressChoiceEmailID, EmailID: a.Value}, nil
	}
	return h225.AliasAddress{}, fmt.Errorf("%w: alias kind %d", ErrInvalid, a.Kind)
}

// ParseAlias returns the alias of an AliasAddress; forms other than those
// of AliasKind are ErrUnsupported.
func ParseAlias(a *h225.AliasAddress) (Alias, error) {
	switch a.Choice {
	case h225.AliasAddressChoiceDialedDigits:
		return E164(a.DialedDigits), nil
	case h225.AliasAddressChoiceH323ID:
		return H323ID(a.H323ID), nil
	case h225.AliasAddressChoiceURLID:
		return Alias{Kind: AliasURL, Value: a.URLID}, nil
	case h225.AliasAddressChoiceEmailID:
		return Alias{Kind: AliasEmail, Value: a.EmailID}, nil
	}
	return Alias{}, fmt.Errorf("%w: alias kind %v", ErrUnsupported, a.Choice)
}

// aliasList returns the AliasAddress list of aliases, nil when empty.
func aliasList(aliases []Alias) (*[]h225.AliasAddress, error) {
	if len(aliases) == 0 {
		return nil, nil
	}
	l, err := aliasSlice(aliases)
	if err != nil {
		return nil, err
	}
	return &l, nil
}

func aliasSlice(aliases []Alias) ([]h225.AliasAddress, error) {
	out := make([]h225.AliasAddress, 0, len(aliases))
	for _, a := range aliases {
		aa, err := a.AliasAddress()
		if err != nil {
			return nil, err
		}
		out = append(out, aa)
	}
	return out, nil
}

// parseAliases returns the aliases of a list, leaving out forms this
// package does not describe.
func parseAliases(l *[]h225.AliasAddress) []Alias {
	if l == nil {
		return nil
	}
	return parseAliasSlice(*l)
}

func parseAliasSlice(l []h225.AliasAddress) []Alias {
	var out []Alias
	for i := range l {
		if a, err := ParseAlias(&l[i]); err == nil {
			out = append(out, a)
		}
	}
	return out
}

// Vendor identifies the product in RAS and call signalling (T.35 country
// code and manufacturer, product and version strings).
type Vendor struct {
	CountryCode  uint8
	Extension    uint8
	Manufacturer uint16
	Product      string
	Version      string
}

func (v Vendor) identifier() (h225.VendorIdentifier, error) {
	vi := h225.VendorIdentifier{Vendor: h225.H221NonStandard{
		T35CountryCode: v.CountryCode, T35Extension: v.Extension, ManufacturerCode: v.Manufacturer,
	}}
	for _, f := range [...]struct {
		s   string
		dst **[]byte
	}{{v.Product, &vi.ProductID}, {v.Version, &vi.VersionID}} {
		if f.s == "" {
			continue
		}
		if len(f.s) > 256 {
			return h225.VendorIdentifier{}, fmt.Errorf("%w: vendor string of %d octets (1..256)", ErrInvalid, len(f.s))
		}
		*f.dst = new([]byte(f.s))
	}
	return vi, nil
}

func parseVendor(vi *h225.VendorIdentifier) Vendor {
	v := Vendor{
		CountryCode: vi.Vendor.T35CountryCode, Extension: vi.Vendor.T35Extension, Manufacturer: vi.Vendor.ManufacturerCode,
	}
	// Many stacks send C strings: the terminating NUL is not part of the
	// name.
	if vi.ProductID != nil {
		v.Product = strings.TrimRight(string(*vi.ProductID), "\x00")
	}
	if vi.VersionID != nil {
		v.Version = strings.TrimRight(string(*vi.VersionID), "\x00")
	}
	return v
}

// EndpointKind is the kind of H.323 entity an EndpointType announces.
type EndpointKind uint8

// Entity kinds.
const (
	KindTerminal EndpointKind = iota + 1
	KindGateway
	KindMCU
	KindGatekeeper
)

// Endpoint is an H.225.0 EndpointType: what kind of entity, and by whom.
type Endpoint struct {
	Kind   EndpointKind
	Vendor Vendor
}

// EndpointType returns the H.225.0 EndpointType.
func (e Endpoint) EndpointType() (h225.EndpointType, error) {
	vi, err := e.Vendor.identifier()
	if err != nil {
		return h225.EndpointType{}, err
	}
	t := h225.EndpointType{Vendor: &vi}
	switch e.Kind {
	case KindTerminal:
		t.Terminal = &h225.TerminalInfo{}
	case KindGateway:
		t.Gateway = &h225.GatewayInfo{}
	case KindMCU:
		t.Mcu, t.Mc = &h225.McuInfo{}, true
	case KindGatekeeper:
		t.Gatekeeper = &h225.GatekeeperInfo{}
	default:
		return h225.EndpointType{}, fmt.Errorf("%w: endpoint kind %d", ErrInvalid, e.Kind)
	}
	return t, nil
}

// ParseEndpoint returns the kind and vendor of an EndpointType (the first
// kind present; an endpoint that names none is a terminal).
func ParseEndpoint(t *h225.EndpointType) Endpoint {
	e := Endpoint{Kind: KindTerminal}
	switch {
	case t.Gateway != nil:
		e.Kind = KindGateway
	case t.Mcu != nil:
		e.Kind = KindMCU
	case t.Gatekeeper != nil:
		e.Kind = KindGatekeeper
	}
	if t.Vendor != nil {
		e.Vendor = parseVendor(t.Vendor)
	}
	return e
}

// optIdentifier returns a pointer to a non-empty BMPString identifier
// (gatekeeperIdentifier, endpointIdentifier: 1..128 characters), or nil.
func optIdentifier[T ~string](s string) (*T, error) {
	if s == "" {
		return nil, nil
	}
	if n := len(utf16.Encode([]rune(s))); n > 128 {
		return nil, fmt.Errorf("%w: identifier of %d characters (1..128)", ErrInvalid, n)
	}
	v := T(s)
	return &v, nil
}

func identifierOf[T ~string](p *T) string {
	if p == nil {
		return ""
	}
	return string(*p)
}
