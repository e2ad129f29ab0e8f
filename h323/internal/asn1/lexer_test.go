package asn1

import (
	"strings"
	"testing"
)

func TestLexer(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string // token texts joined by spaces; kinds checked separately
	}{
		{"assignment", "Foo ::= INTEGER", "Foo ::= INTEGER"},
		{"hyphenated names", "H323-UU-PDU setup-UUIE", "H323-UU-PDU setup-UUIE"},
		{"line comment", "a -- comment\nb", "a b"},
		{"comment closed by --", "a -- inline -- b", "a b"},
		{"comment right after name", "a--c\nb", "a b"},
		{"block comment nests", "a /* x /* y */ z */ b", "a b"},
		{"range and ellipsis", "(1..10, ...)", "( 1 .. 10 , ... )"},
		{"version brackets", "[[ a ]] [0]", "[[ a ]] [ 0 ]"},
		{"cstring with quote", `"ab""c"`, `ab"c`},
		{"bstring and hstring", "'0101'B 'A F'H", "0101 AF"},
		{"field reference", "TYPE-IDENTIFIER.&Type", "TYPE-IDENTIFIER . &Type"},
		{"less-than range", "0<..<5", "0 < .. < 5"},
		{"name ending before hyphen comment", "foo-- c\n", "foo"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			toks, err := tokenize("t.asn", []byte(tc.src))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, tk := range toks[:len(toks)-1] {
				got = append(got, tk.text)
			}
			if g := strings.Join(got, " "); g != tc.want {
				t.Errorf("tokens %q, want %q", g, tc.want)
			}
		})
	}
}

func TestLexerKinds(t *testing.T) {
	toks, err := tokenize("t.asn", []byte("SEQUENCE Foo bar 42 \"s\" ::="))
	if err != nil {
		t.Fatal(err)
	}
	want := []tokKind{tokKeyword, tokTypeRef, tokIdent, tokNumber, tokCString, tokAssign, tokEOF}
	for i, k := range want {
		if toks[i].kind != k {
			t.Errorf("token %d (%s): kind %d, want %d", i, toks[i], toks[i].kind, k)
		}
	}
}

func TestLexerErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"unterminated block comment", "a /* b", "unterminated /* comment"},
		{"unterminated string", `"abc`, "unterminated string"},
		{"bad bstring", "'012'B", "bad bstring"},
		{"quote without suffix", "'01'", "without B or H"},
		{"stray character", "a $ b", "unexpected character"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tokenize("t.asn", []byte(tc.src))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), "t.asn:1:") {
				t.Errorf("error %q has no position", err)
			}
		})
	}
}

func TestLexerPositions(t *testing.T) {
	toks, err := tokenize("m.asn", []byte("A ::=\n  B"))
	if err != nil {
		t.Fatal(err)
	}
	if p := toks[2].pos; p.Line != 2 || p.Col != 3 {
		t.Errorf("B at %s, want 2:3", p)
	}
}
