package rtpio

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
)

func TestGenerateParseCryptoRoundTrip(t *testing.T) {
	for _, suite := range Suites() {
		attr, keys, err := GenerateCrypto(7, suite)
		if err != nil {
			t.Fatalf("%s: %v", suite, err)
		}
		if !strings.HasPrefix(attr, "7 "+suite+" inline:") {
			t.Errorf("attribute %q", attr)
		}
		tag, got, err := ParseCrypto(attr)
		if err != nil {
			t.Fatalf("ParseCrypto(%q): %v", attr, err)
		}
		if tag != 7 || got.Suite != suite || !bytes.Equal(got.Key, keys.Key) || len(got.MKI) != 0 {
			t.Errorf("%s: parsed %d %+v, want %+v", suite, tag, got, keys)
		}
	}
	_, a, _ := GenerateCrypto(1, SuiteAES128SHA1_80)
	_, b, _ := GenerateCrypto(1, SuiteAES128SHA1_80)
	if len(a.Key) != 30 || bytes.Equal(a.Key, b.Key) {
		t.Fatalf("keys not 30 random bytes: %x %x", a.Key, b.Key)
	}
	if _, _, err := GenerateCrypto(1, "F8_128_HMAC_SHA1_80"); err == nil {
		t.Error("GenerateCrypto accepted an unsupported suite")
	}
	if _, _, err := GenerateCrypto(-1, SuiteAES128SHA1_80); err == nil {
		t.Error("GenerateCrypto accepted a negative tag")
	}
}

func TestParseCrypto(t *testing.T) {
	// The key of RFC 4568's examples; 30 bytes.
	const key = "PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR"
	raw, _ := base64.StdEncoding.DecodeString(key)
	tests := []struct {
		name  string
		attr  string
		tag   int
		suite string
		mki   []byte
		ok    bool
	}{
		{"plain", "1 AES_CM_128_HMAC_SHA1_80 inline:" + key, 1, SuiteAES128SHA1_80, nil, true},
		{"with prefix", "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:" + key, 2, SuiteAES128SHA1_32, nil, true},
		{"rfc 4568 lifetime and mki", "1 AES_CM_128_HMAC_SHA1_80 inline:" + key + "|2^20|1:4", 1, SuiteAES128SHA1_80, []byte{0, 0, 0, 1}, true},
		{"decimal lifetime", "1 AES_CM_128_HMAC_SHA1_80 inline:" + key + "|1048576", 1, SuiteAES128SHA1_80, nil, true},
		{"mki only", "1 AES_CM_128_HMAC_SHA1_80 inline:" + key + "|258:2", 1, SuiteAES128SHA1_80, []byte{1, 2}, true},
		{"second key ignored", "1 AES_CM_128_HMAC_SHA1_80 inline:" + key + "|2^20|1:4;inline:" + key + "|2^20|2:4", 1, SuiteAES128SHA1_80, []byte{0, 0, 0, 1}, true},
		{"session params", "1 AES_CM_128_HMAC_SHA1_80 inline:" + key + " KDR=0 WSH=128 -X_VENDOR", 1, SuiteAES128SHA1_80, nil, true},
		{"lower case suite", "3 aes_cm_128_hmac_sha1_80 inline:" + key, 3, SuiteAES128SHA1_80, nil, true},
		{"unpadded base64", "1 AES_CM_128_HMAC_SHA1_80 inline:" + strings.TrimRight(base64.StdEncoding.EncodeToString(raw), "="), 1, SuiteAES128SHA1_80, nil, true},
		{"unsupported suite", "1 F8_128_HMAC_SHA1_80 inline:" + key, 0, "", nil, false},
		{"short key", "1 AES_CM_128_HMAC_SHA1_80 inline:" + key[:20], 0, "", nil, false},
		{"long key", "1 AES_CM_128_HMAC_SHA1_80 inline:" + key + key, 0, "", nil, false},
		{"not base64", "1 AES_CM_128_HMAC_SHA1_80 inline:!!!!", 0, "", nil, false},
		{"256 suite with 128 key", "1 AES_256_CM_HMAC_SHA1_80 inline:" + key, 0, "", nil, false},
		{"no inline", "1 AES_CM_128_HMAC_SHA1_80 uri:" + key, 0, "", nil, false},
		{"bad tag", "x AES_CM_128_HMAC_SHA1_80 inline:" + key, 0, "", nil, false},
		{"ten digit tag", "1234567890 AES_CM_128_HMAC_SHA1_80 inline:" + key, 0, "", nil, false},
		{"missing key", "1 AES_CM_128_HMAC_SHA1_80", 0, "", nil, false},
		{"bad lifetime", "1 AES_CM_128_HMAC_SHA1_80 inline:" + key + "|2^x", 0, "", nil, false},
		{"mki too big", "1 AES_CM_128_HMAC_SHA1_80 inline:" + key + "|256:1", 0, "", nil, false},
		{"mki length 0", "1 AES_CM_128_HMAC_SHA1_80 inline:" + key + "|1:0", 0, "", nil, false},
		{"too many parts", "1 AES_CM_128_HMAC_SHA1_80 inline:" + key + "|2^20|1:4|x", 0, "", nil, false},
		{"unencrypted", "1 AES_CM_128_HMAC_SHA1_80 inline:" + key + " UNENCRYPTED_SRTP", 0, "", nil, false},
		{"kdr", "1 AES_CM_128_HMAC_SHA1_80 inline:" + key + " KDR=24", 0, "", nil, false},
		{"unknown mandatory param", "1 AES_CM_128_HMAC_SHA1_80 inline:" + key + " FOO=1", 0, "", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tag, keys, err := ParseCrypto(tt.attr)
			if !tt.ok {
				if err == nil {
					t.Fatalf("ParseCrypto accepted %q", tt.attr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseCrypto(%q): %v", tt.attr, err)
			}
			if tag != tt.tag || keys.Suite != tt.suite || !bytes.Equal(keys.Key, raw) || !bytes.Equal(keys.MKI, tt.mki) {
				t.Fatalf("got tag %d %+v", tag, keys)
			}
		})
	}
}
