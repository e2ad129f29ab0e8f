package rtpio

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/pion/srtp/v3"
)

// SDES crypto suite names (RFC 4568, RFC 6188, RFC 7714).
const (
	SuiteAES128SHA1_80 = "AES_CM_128_HMAC_SHA1_80"
	SuiteAES128SHA1_32 = "AES_CM_128_HMAC_SHA1_32"
	SuiteAES256SHA1_80 = "AES_256_CM_HMAC_SHA1_80"
	SuiteAES256SHA1_32 = "AES_256_CM_HMAC_SHA1_32"
	SuiteAEADAES128GCM = "AEAD_AES_128_GCM"
	SuiteAEADAES256GCM = "AEAD_AES_256_GCM"
)

// Keys is one side's SRTP master key material as an SDES a=crypto line
// carries it.
type Keys struct {
	// Suite is the crypto suite name, for example AES_CM_128_HMAC_SHA1_80.
	Suite string
	// Key is the master key followed by the master salt (30 bytes for the
	// AES_CM_128 suites).
	Key []byte
	// MKI is the master key identifier each packet carries, in network byte
	// order; empty when the line declared none.
	MKI []byte
}

type suiteInfo struct {
	name    string
	profile srtp.ProtectionProfile
	keyLen  int
	saltLen int
}

var suites = [...]suiteInfo{
	{SuiteAES128SHA1_80, srtp.ProtectionProfileAes128CmHmacSha1_80, 16, 14},
	{SuiteAES128SHA1_32, srtp.ProtectionProfileAes128CmHmacSha1_32, 16, 14},
	{SuiteAES256SHA1_80, srtp.ProtectionProfileAes256CmHmacSha1_80, 32, 14},
	{SuiteAES256SHA1_32, srtp.ProtectionProfileAes256CmHmacSha1_32, 32, 14},
	{SuiteAEADAES128GCM, srtp.ProtectionProfileAeadAes128Gcm, 16, 12},
	{SuiteAEADAES256GCM, srtp.ProtectionProfileAeadAes256Gcm, 32, 12},
}

// Suites lists the supported SDES suites, most preferred first.
func Suites() []string {
	out := make([]string, len(suites))
	for i, s := range suites {
		out[i] = s.name
	}
	return out
}

func lookupSuite(name string) (suiteInfo, bool) {
	for _, s := range suites {
		if strings.EqualFold(s.name, name) {
			return s, true
		}
	}
	return suiteInfo{}, false
}

// maxCryptoTag is the largest tag RFC 4568 allows (nine digits).
const maxCryptoTag = 999999999

// GenerateCrypto makes fresh random keys for suite and returns the a=crypto
// attribute value that offers them ("1 AES_CM_128_HMAC_SHA1_80 inline:...").
func GenerateCrypto(tag int, suite string) (attr string, keys *Keys, err error) {
	info, ok := lookupSuite(suite)
	if !ok {
		return "", nil, fmt.Errorf("rtpio: crypto suite %q is not supported", suite)
	}
	if tag < 0 || tag > maxCryptoTag {
		return "", nil, fmt.Errorf("rtpio: crypto tag %d out of range", tag)
	}
	key := make([]byte, info.keyLen+info.saltLen)
	if _, err := rand.Read(key); err != nil {
		return "", nil, fmt.Errorf("rtpio: generate SRTP key: %w", err)
	}
	attr = strconv.Itoa(tag) + " " + info.name + " inline:" + base64.StdEncoding.EncodeToString(key)
	return attr, &Keys{Suite: info.name, Key: key}, nil
}

// ParseCrypto parses an a=crypto attribute value (RFC 4568 section 9.1),
// with or without the "a=crypto:" prefix. Of several key parameters the first
// is used. A key lifetime is parsed and ignored; an MKI is returned in Keys.
// Session parameters that change the transform (UNENCRYPTED_SRTP and
// friends, KDR other than 0, FEC_KEY) are rejected; WSH, FEC_ORDER and
// parameters marked optional with "-" are ignored.
func ParseCrypto(attr string) (tag int, keys *Keys, err error) {
	s := strings.TrimSpace(attr)
	s = strings.TrimPrefix(s, "a=")
	if len(s) >= 7 && strings.EqualFold(s[:7], "crypto:") {
		s = s[7:]
	}
	fields := strings.Fields(s)
	if len(fields) < 3 {
		return 0, nil, fmt.Errorf("rtpio: crypto attribute %q: want tag, suite and key parameters", clip(attr))
	}
	tag, err = strconv.Atoi(fields[0])
	if err != nil || tag < 0 || tag > maxCryptoTag || len(fields[0]) > 9 {
		return 0, nil, fmt.Errorf("rtpio: crypto attribute: bad tag %q", clip(fields[0]))
	}
	info, ok := lookupSuite(fields[1])
	if !ok {
		return 0, nil, fmt.Errorf("rtpio: crypto suite %q is not supported", clip(fields[1]))
	}
	keyParam, _, _ := strings.Cut(fields[2], ";")
	method, keyInfo, ok := strings.Cut(keyParam, ":")
	if !ok || !strings.EqualFold(method, "inline") {
		return 0, nil, fmt.Errorf("rtpio: crypto attribute: key method must be inline")
	}
	k := &Keys{Suite: info.name}
	if err := parseKeyInfo(keyInfo, info, k); err != nil {
		return 0, nil, fmt.Errorf("rtpio: crypto attribute: %w", err)
	}
	for _, p := range fields[3:] {
		if err := checkSessionParam(p); err != nil {
			return 0, nil, fmt.Errorf("rtpio: crypto attribute: %w", err)
		}
	}
	return tag, k, nil
}

// parseKeyInfo reads key||salt ["|" lifetime] ["|" MKI ":" length].
func parseKeyInfo(keyInfo string, info suiteInfo, k *Keys) error {
	parts := strings.Split(keyInfo, "|")
	if len(parts) > 3 {
		return errors.New("too many key-info parts")
	}
	want := info.keyLen + info.saltLen
	b64 := parts[0]
	if base64.StdEncoding.DecodedLen(len(b64)) > want+3 {
		return fmt.Errorf("key is longer than the %d bytes %s uses", want, info.name)
	}
	key, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		key, err = base64.RawStdEncoding.DecodeString(b64)
	}
	if err != nil {
		return errors.New("key is not base64")
	}
	if len(key) != want {
		return fmt.Errorf("key is %d bytes, %s needs %d", len(key), info.name, want)
	}
	k.Key = key
	for _, p := range parts[1:] {
		if v, l, isMKI := strings.Cut(p, ":"); isMKI {
			mki, err := parseMKI(v, l)
			if err != nil {
				return err
			}
			k.MKI = mki
			continue
		}
		if err := checkLifetime(p); err != nil {
			return err
		}
	}
	return nil
}

// parseMKI turns "value:length" into length bytes holding value.
func parseMKI(value, length string) ([]byte, error) {
	n, err := strconv.Atoi(length)
	if err != nil || n < 1 || n > 128 {
		return nil, fmt.Errorf("MKI length %q must be 1 to 128", clip(length))
	}
	if len(value) == 0 || len(value) > 3*n+1 {
		return nil, fmt.Errorf("MKI value %q does not fit %d bytes", clip(value), n)
	}
	v, ok := new(big.Int).SetString(value, 10)
	if !ok || v.Sign() < 0 || v.BitLen() > 8*n {
		return nil, fmt.Errorf("MKI value %q does not fit %d bytes", clip(value), n)
	}
	return v.FillBytes(make([]byte, n)), nil
}

// checkLifetime accepts "2^n" or a decimal number of packets.
func checkLifetime(s string) error {
	if exp, ok := strings.CutPrefix(s, "2^"); ok {
		if n, err := strconv.Atoi(exp); err == nil && n >= 0 && n <= 64 {
			return nil
		}
	} else if _, err := strconv.ParseUint(s, 10, 64); err == nil {
		return nil
	}
	return fmt.Errorf("bad key lifetime %q", clip(s))
}

func checkSessionParam(p string) error {
	name, value, _ := strings.Cut(p, "=")
	switch strings.ToUpper(name) {
	case "WSH", "FEC_ORDER":
		return nil
	case "KDR":
		if value == "0" {
			return nil
		}
		return fmt.Errorf("key derivation rate %q is not supported", clip(value))
	case "UNENCRYPTED_SRTP", "UNENCRYPTED_SRTCP", "UNAUTHENTICATED_SRTP", "FEC_KEY":
		return fmt.Errorf("session parameter %s is not supported", strings.ToUpper(name))
	}
	if strings.HasPrefix(p, "-") {
		return nil
	}
	return fmt.Errorf("unknown session parameter %q", clip(p))
}

// clip shortens untrusted text quoted in an error.
func clip(s string) string {
	if len(s) > 48 {
		return s[:48] + "..."
	}
	return s
}
