package asn1

import (
	"fmt"
	"strings"
)

// Pos is a position in a module file.
type Pos struct {
	File string
	Line int
	Col  int
}

func (p Pos) String() string {
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

type tokKind int

const (
	tokEOF      tokKind = iota
	tokTypeRef          // identifier starting with an upper-case letter
	tokIdent            // identifier starting with a lower-case letter
	tokKeyword          // reserved word
	tokNumber           // non-negative decimal number
	tokCString          // "..."
	tokBString          // '0101'B
	tokHString          // 'AF'H
	tokAssign           // ::=
	tokEllipsis         // ...
	tokRange            // ..
	tokLVersion         // [[
	tokRVersion         // ]]
	tokPunct            // single character: { } ( ) [ ] , ; | ^ < @ ! . & : -
	tokFieldRef         // &Name or &name
)

type token struct {
	kind tokKind
	text string
	pos  Pos
}

func (t token) String() string {
	switch t.kind {
	case tokEOF:
		return "end of file"
	case tokCString:
		return fmt.Sprintf("string %q", t.text)
	}
	return fmt.Sprintf("%q", t.text)
}

// isReserved reports whether s is an X.680 reserved word the lexer knows.
func isReserved(s string) bool {
	switch s {
	case "ABSENT", "ABSTRACT-SYNTAX", "ALL", "APPLICATION", "AUTOMATIC",
		"BEGIN", "BIT", "BMPString", "BOOLEAN", "BY", "CHARACTER", "CHOICE",
		"CLASS", "COMPONENT", "COMPONENTS", "CONSTRAINED", "CONTAINING",
		"DEFAULT", "DEFINITIONS", "EMBEDDED", "ENCODED", "END", "ENUMERATED",
		"EXCEPT", "EXPLICIT", "EXPORTS", "EXTENSIBILITY", "EXTERNAL",
		"FALSE", "FROM", "GeneralizedTime", "GeneralString", "GraphicString",
		"IA5String", "IDENTIFIER", "IMPLICIT", "IMPLIED", "IMPORTS",
		"INCLUDES", "INSTANCE", "INTEGER", "INTERSECTION", "ISO646String",
		"MAX", "MIN", "MINUS-INFINITY", "NULL", "NumericString", "OBJECT",
		"ObjectDescriptor", "OCTET", "OF", "OPTIONAL", "PATTERN", "PDV",
		"PLUS-INFINITY", "PRESENT", "PrintableString", "PRIVATE", "REAL",
		"RELATIVE-OID", "SEQUENCE", "SET", "SIZE", "STRING", "SYNTAX",
		"T61String", "TAGS", "TeletexString", "TRUE", "TYPE-IDENTIFIER",
		"UNION", "UNIQUE", "UNIVERSAL", "UniversalString", "UTCTime",
		"UTF8String", "VideotexString", "VisibleString", "WITH":
		return true
	}
	return false
}

// lexer splits module text into tokens. It never panics: malformed input
// yields an error with a position.
type lexer struct {
	file string
	src  []byte
	off  int
	line int
	col  int
}

func newLexer(file string, src []byte) *lexer {
	return &lexer{file: file, src: src, line: 1, col: 1}
}

func (l *lexer) pos() Pos { return Pos{File: l.file, Line: l.line, Col: l.col} }

func (l *lexer) peekByte(n int) byte {
	if l.off+n < len(l.src) {
		return l.src[l.off+n]
	}
	return 0
}

func (l *lexer) advance(n int) {
	for i := 0; i < n && l.off < len(l.src); i++ {
		if l.src[l.off] == '\n' {
			l.line++
			l.col = 1
		} else {
			l.col++
		}
		l.off++
	}
}

func (l *lexer) errorf(p Pos, format string, args ...any) error {
	return fmt.Errorf("%s: %s", p, fmt.Sprintf(format, args...))
}

// skipSpace skips white space and comments. "--" comments end at the end of
// the line or at the next "--"; "/* */" comments nest.
func (l *lexer) skipSpace() error {
	for l.off < len(l.src) {
		c := l.src[l.off]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			l.advance(1)
		case c == '-' && l.peekByte(1) == '-':
			l.advance(2)
			for l.off < len(l.src) {
				if l.src[l.off] == '\n' || l.src[l.off] == '\r' {
					break
				}
				if l.src[l.off] == '-' && l.peekByte(1) == '-' {
					l.advance(2)
					break
				}
				l.advance(1)
			}
		case c == '/' && l.peekByte(1) == '*':
			start := l.pos()
			l.advance(2)
			depth := 1
			for depth > 0 {
				if l.off >= len(l.src) {
					return l.errorf(start, "unterminated /* comment")
				}
				switch {
				case l.src[l.off] == '/' && l.peekByte(1) == '*':
					depth++
					l.advance(2)
				case l.src[l.off] == '*' && l.peekByte(1) == '/':
					depth--
					l.advance(2)
				default:
					l.advance(1)
				}
			}
		default:
			return nil
		}
	}
	return nil
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }

// next returns the next token.
func (l *lexer) next() (token, error) {
	if err := l.skipSpace(); err != nil {
		return token{}, err
	}
	p := l.pos()
	if l.off >= len(l.src) {
		return token{kind: tokEOF, pos: p}, nil
	}
	c := l.src[l.off]
	switch {
	case isLetter(c):
		start := l.off
		l.scanIdentTail()
		text := string(l.src[start:l.off])
		kind := tokIdent
		switch {
		case isReserved(text):
			kind = tokKeyword
		case c >= 'A' && c <= 'Z':
			kind = tokTypeRef
		}
		return token{kind: kind, text: text, pos: p}, nil
	case isDigit(c):
		start := l.off
		for l.off < len(l.src) && isDigit(l.src[l.off]) {
			l.advance(1)
		}
		return token{kind: tokNumber, text: string(l.src[start:l.off]), pos: p}, nil
	case c == '"':
		return l.scanCString(p)
	case c == '\'':
		return l.scanBHString(p)
	case c == ':' && l.peekByte(1) == ':' && l.peekByte(2) == '=':
		l.advance(3)
		return token{kind: tokAssign, text: "::=", pos: p}, nil
	case c == '.' && l.peekByte(1) == '.' && l.peekByte(2) == '.':
		l.advance(3)
		return token{kind: tokEllipsis, text: "...", pos: p}, nil
	case c == '.' && l.peekByte(1) == '.':
		l.advance(2)
		return token{kind: tokRange, text: "..", pos: p}, nil
	case c == '[' && l.peekByte(1) == '[':
		l.advance(2)
		return token{kind: tokLVersion, text: "[[", pos: p}, nil
	case c == ']' && l.peekByte(1) == ']':
		l.advance(2)
		return token{kind: tokRVersion, text: "]]", pos: p}, nil
	case c == '&' && isLetter(l.peekByte(1)):
		l.advance(1)
		start := l.off
		l.scanIdentTail()
		return token{kind: tokFieldRef, text: "&" + string(l.src[start:l.off]), pos: p}, nil
	case strings.IndexByte("{}()[],;|^<@!.:-&", c) >= 0:
		l.advance(1)
		return token{kind: tokPunct, text: string(c), pos: p}, nil
	}
	return token{}, l.errorf(p, "unexpected character %q", c)
}

// scanIdentTail consumes letters, digits and single hyphens; an identifier
// never ends with a hyphen and never holds "--" (which starts a comment).
func (l *lexer) scanIdentTail() {
	l.advance(1)
	for l.off < len(l.src) {
		c := l.src[l.off]
		if isLetter(c) || isDigit(c) {
			l.advance(1)
			continue
		}
		if c == '-' {
			n := l.peekByte(1)
			if isLetter(n) || isDigit(n) {
				l.advance(1)
				continue
			}
		}
		return
	}
}

func (l *lexer) scanCString(p Pos) (token, error) {
	l.advance(1)
	var b strings.Builder
	for {
		if l.off >= len(l.src) {
			return token{}, l.errorf(p, "unterminated string")
		}
		c := l.src[l.off]
		if c == '"' {
			if l.peekByte(1) == '"' {
				b.WriteByte('"')
				l.advance(2)
				continue
			}
			l.advance(1)
			return token{kind: tokCString, text: b.String(), pos: p}, nil
		}
		b.WriteByte(c)
		l.advance(1)
	}
}

func (l *lexer) scanBHString(p Pos) (token, error) {
	l.advance(1)
	var b strings.Builder
	for {
		if l.off >= len(l.src) {
			return token{}, l.errorf(p, "unterminated bstring/hstring")
		}
		c := l.src[l.off]
		if c == '\'' {
			break
		}
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			b.WriteByte(c)
		}
		l.advance(1)
	}
	l.advance(1)
	switch l.peekByte(0) {
	case 'B':
		l.advance(1)
		s := b.String()
		if strings.Trim(s, "01") != "" {
			return token{}, l.errorf(p, "bad bstring '%s'B", s)
		}
		return token{kind: tokBString, text: s, pos: p}, nil
	case 'H':
		l.advance(1)
		s := b.String()
		if strings.Trim(s, "0123456789ABCDEF") != "" {
			return token{}, l.errorf(p, "bad hstring '%s'H", s)
		}
		return token{kind: tokHString, text: s, pos: p}, nil
	}
	return token{}, l.errorf(p, "quoted string without B or H suffix")
}

// tokenize lexes the whole input.
func tokenize(file string, src []byte) ([]token, error) {
	l := newLexer(file, src)
	var toks []token
	for {
		t, err := l.next()
		if err != nil {
			return nil, err
		}
		toks = append(toks, t)
		if t.kind == tokEOF {
			return toks, nil
		}
	}
}
