package main

import (
	"strings"
	"unicode"
)

// initialism returns the Go spelling of a capitalized word that Go style
// writes in capitals ("Ip" -> "IP"), or the word itself.
func initialism(w string) string {
	switch w {
	case "Id", "Ip", "Url", "Uri", "Oid", "Rtp", "Rtcp", "Tcp", "Udp", "Http", "Uuid", "Guid",
		"Tls", "Dtls", "Dtmf", "Sip", "Sdp":
		return strings.ToUpper(w)
	}
	return w
}

// goName turns an ASN.1 reference or identifier into an exported Go
// identifier: hyphens are dropped, each hyphen-separated part starts with a
// capital, and a few initialisms are written in capitals
// ("H323-UserInformation" -> "H323UserInformation", "setup-UUIE" ->
// "SetupUUIE", "ipAddress" -> "IPAddress").
func goName(asn string) string {
	var b strings.Builder
	for _, part := range strings.Split(asn, "-") {
		if part == "" {
			continue
		}
		rs := []rune(part)
		rs[0] = unicode.ToUpper(rs[0])
		// Split into words: a capital followed by lower-case letters.
		for i := 0; i < len(rs); {
			j := i + 1
			if unicode.IsUpper(rs[i]) {
				for j < len(rs) && unicode.IsLower(rs[j]) {
					j++
				}
				b.WriteString(initialism(string(rs[i:j])))
			} else {
				b.WriteRune(rs[i])
			}
			i = j
		}
	}
	s := b.String()
	if s == "" || !unicode.IsLetter([]rune(s)[0]) {
		s = "X" + s
	}
	return s
}

// titleAllCaps rewrites an all-capital name such as "SIGNED" as "Signed";
// it is used for parameterized types, whose names are written in capitals.
func titleAllCaps(s string) string {
	if strings.ToUpper(s) != s || len(s) <= 4 {
		return s
	}
	return s[:1] + strings.ToLower(s[1:])
}

// goKeywordSafe makes a lower-case identifier safe to use as a Go local.
func goKeywordSafe(s string) string {
	switch s {
	case "break", "case", "chan", "const", "continue", "default", "defer",
		"else", "fallthrough", "for", "func", "go", "goto", "if", "import",
		"interface", "map", "package", "range", "return", "select", "struct",
		"switch", "type", "var":
		return s + "_"
	}
	return s
}
