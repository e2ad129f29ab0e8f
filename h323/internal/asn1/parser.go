package asn1

import (
	"fmt"
	"strconv"
)

// maxDepth bounds the nesting of types, constraints and values, so that
// hostile input cannot exhaust the stack.
const maxDepth = 200

// parser is a recursive-descent parser over the token slice of one file.
type parser struct {
	toks  []token
	i     int
	file  string
	depth int
}

// ParseFile parses every module definition in src. name is used in
// positions and error messages.
func ParseFile(name string, src []byte) ([]*Module, error) {
	toks, err := tokenize(name, src)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks, file: name}
	var mods []*Module
	for p.peek().kind != tokEOF {
		m, err := p.parseModule()
		if err != nil {
			return nil, err
		}
		mods = append(mods, m)
	}
	if len(mods) == 0 {
		return nil, fmt.Errorf("%s: no module definition", name)
	}
	return mods, nil
}

func (p *parser) peek() token { return p.peekN(0) }

func (p *parser) peekN(n int) token {
	if p.i+n < len(p.toks) {
		return p.toks[p.i+n]
	}
	return p.toks[len(p.toks)-1] // tokEOF
}

func (p *parser) next() token {
	t := p.peek()
	if p.i < len(p.toks)-1 {
		p.i++
	}
	return t
}

// is reports whether the next token is the keyword or punctuation text.
func (p *parser) is(text string) bool { return p.isAt(0, text) }

func (p *parser) isAt(n int, text string) bool {
	t := p.peekN(n)
	return t.text == text && t.kind != tokCString && t.kind != tokBString && t.kind != tokHString
}

func (p *parser) accept(text string) bool {
	if p.is(text) {
		p.next()
		return true
	}
	return false
}

func (p *parser) errorf(t token, format string, args ...any) error {
	return fmt.Errorf("%s: %s", t.pos, fmt.Sprintf(format, args...))
}

func (p *parser) expect(text string) (token, error) {
	t := p.peek()
	if !p.is(text) {
		return t, p.errorf(t, "expected %q, found %s", text, t)
	}
	return p.next(), nil
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > maxDepth {
		return p.errorf(p.peek(), "nesting deeper than %d", maxDepth)
	}
	return nil
}

func (p *parser) leave() { p.depth-- }

// skipBraces skips a balanced "{ ... }" group and returns the texts of the
// tokens inside it.
func (p *parser) skipBraces() ([]string, error) {
	open, err := p.expect("{")
	if err != nil {
		return nil, err
	}
	var raw []string
	depth := 1
	for {
		t := p.next()
		switch {
		case t.kind == tokEOF:
			return nil, p.errorf(open, "unbalanced {")
		case t.kind == tokPunct && t.text == "{":
			depth++
		case t.kind == tokPunct && t.text == "}":
			depth--
			if depth == 0 {
				return raw, nil
			}
		}
		raw = append(raw, t.text)
	}
}

func (p *parser) parseModule() (*Module, error) {
	nameTok := p.next()
	if nameTok.kind != tokTypeRef {
		return nil, p.errorf(nameTok, "expected module name, found %s", nameTok)
	}
	m := &Module{Name: nameTok.text, File: p.file, Pos: nameTok.pos, ExportsAll: true}
	if p.is("{") {
		oid, err := p.parseOIDComponents()
		if err != nil {
			return nil, fmt.Errorf("module %s identifier: %w", m.Name, err)
		}
		m.OID = oid
	}
	if _, err := p.expect("DEFINITIONS"); err != nil {
		return nil, err
	}
	// Encoding reference default ("XER INSTRUCTIONS") is not used here.
	for _, d := range []string{"AUTOMATIC", "EXPLICIT", "IMPLICIT"} {
		if p.is(d) {
			p.next()
			if _, err := p.expect("TAGS"); err != nil {
				return nil, err
			}
			m.TagDefault = d
			break
		}
	}
	if p.accept("EXTENSIBILITY") {
		if _, err := p.expect("IMPLIED"); err != nil {
			return nil, err
		}
		m.ExtensibilityImplied = true
	}
	if _, err := p.expect("::="); err != nil {
		return nil, err
	}
	if _, err := p.expect("BEGIN"); err != nil {
		return nil, err
	}
	if p.accept("EXPORTS") {
		if err := p.parseExports(m); err != nil {
			return nil, err
		}
	}
	if p.accept("IMPORTS") {
		if err := p.parseImports(m); err != nil {
			return nil, err
		}
	}
	for !p.is("END") {
		if p.peek().kind == tokEOF {
			return nil, p.errorf(p.peek(), "module %s: missing END", m.Name)
		}
		if err := p.parseAssignment(m); err != nil {
			return nil, fmt.Errorf("module %s: %w", m.Name, err)
		}
	}
	p.next()
	return m, nil
}

func (p *parser) parseExports(m *Module) error {
	if p.accept("ALL") {
		_, err := p.expect(";")
		return err
	}
	m.ExportsAll = false
	for !p.accept(";") {
		t := p.next()
		switch t.kind {
		case tokTypeRef, tokIdent:
			m.Exports = append(m.Exports, t.text)
			if p.is("{") {
				if _, err := p.skipBraces(); err != nil {
					return err
				}
			}
		case tokPunct:
			if t.text != "," {
				return p.errorf(t, "unexpected %s in EXPORTS", t)
			}
		default:
			return p.errorf(t, "unexpected %s in EXPORTS", t)
		}
	}
	return nil
}

func (p *parser) parseImports(m *Module) error {
	for !p.accept(";") {
		imp := &Import{Pos: p.peek().pos}
		for {
			t := p.next()
			if t.kind != tokTypeRef && t.kind != tokIdent {
				return p.errorf(t, "expected imported symbol, found %s", t)
			}
			imp.Symbols = append(imp.Symbols, t.text)
			if p.is("{") {
				if _, err := p.skipBraces(); err != nil {
					return err
				}
			}
			if p.accept(",") {
				continue
			}
			if _, err := p.expect("FROM"); err != nil {
				return err
			}
			break
		}
		mt := p.next()
		if mt.kind != tokTypeRef {
			return p.errorf(mt, "expected module name after FROM, found %s", mt)
		}
		imp.Module = mt.text
		switch {
		case p.is("{"):
			oid, err := p.parseOIDComponents()
			if err != nil {
				return err
			}
			imp.OID = oid
		case p.peek().kind == tokIdent && !p.isAt(1, ",") && !p.isAt(1, "FROM"):
			// An assigned identifier given as a value reference.
			p.next()
		}
		m.Imports = append(m.Imports, imp)
	}
	return nil
}

// isClassName reports whether a reference is spelled like an information
// object class reference (upper-case letters, digits and hyphens only).
func isClassName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func (p *parser) parseAssignment(m *Module) error {
	nameTok := p.next()
	if nameTok.kind != tokTypeRef && nameTok.kind != tokIdent {
		return p.errorf(nameTok, "expected an assignment, found %s", nameTok)
	}
	name := nameTok.text
	var params []string
	if p.is("{") {
		var err error
		params, err = p.parseParams()
		if err != nil {
			return err
		}
	}
	if nameTok.kind == tokTypeRef && p.is("::=") {
		p.next()
		// Information object class definitions are skipped.
		if p.is("CLASS") || (isClassName(name) && p.is("TYPE-IDENTIFIER") && !p.isAt(1, ".")) {
			if err := p.skipClass(); err != nil {
				return err
			}
			m.Skipped = append(m.Skipped, name)
			return nil
		}
		t, err := p.parseType()
		if err != nil {
			return fmt.Errorf("type %s: %w", name, err)
		}
		m.Types = append(m.Types, &TypeAssignment{Name: name, Params: params, Type: t, Module: m, Pos: nameTok.pos})
		return nil
	}
	// "name Type ::= value" or "Name Type ::= { set }" (or objects and
	// object sets of a class, which are skipped).
	t, err := p.parseType()
	if err != nil {
		return fmt.Errorf("assignment %s: %w", name, err)
	}
	if _, err := p.expect("::="); err != nil {
		return err
	}
	if t.Kind == KindReference && isClassName(t.Ref) && p.is("{") {
		if _, err := p.skipBraces(); err != nil {
			return err
		}
		m.Skipped = append(m.Skipped, name)
		return nil
	}
	if nameTok.kind == tokTypeRef {
		open, err := p.expect("{")
		if err != nil {
			return err
		}
		c, err := p.parseConstraintSpec()
		if err != nil {
			return fmt.Errorf("value set %s: %w", name, err)
		}
		if _, err := p.expect("}"); err != nil {
			return err
		}
		c.Pos = open.pos
		m.ValueSets = append(m.ValueSets, &ValueSetAssignment{Name: name, Type: t, Set: c, Module: m, Pos: nameTok.pos, Parameters: params})
		return nil
	}
	v, err := p.parseValue()
	if err != nil {
		return fmt.Errorf("value %s: %w", name, err)
	}
	m.Values = append(m.Values, &ValueAssignment{Name: name, Type: t, Value: v, Module: m, Pos: nameTok.pos})
	return nil
}

func (p *parser) skipClass() error {
	if p.accept("TYPE-IDENTIFIER") {
		return nil
	}
	if _, err := p.expect("CLASS"); err != nil {
		return err
	}
	if _, err := p.skipBraces(); err != nil {
		return err
	}
	if p.is("WITH") && p.isAt(1, "SYNTAX") {
		p.next()
		p.next()
		if _, err := p.skipBraces(); err != nil {
			return err
		}
	}
	return nil
}

// parseParams parses a formal parameter list "{ [Governor :] Ref, ... }".
func (p *parser) parseParams() ([]string, error) {
	if _, err := p.expect("{"); err != nil {
		return nil, err
	}
	var params []string
	for {
		t := p.next()
		if t.kind != tokTypeRef && t.kind != tokIdent && t.kind != tokKeyword {
			return nil, p.errorf(t, "expected parameter, found %s", t)
		}
		name := t.text
		if p.accept(":") {
			r := p.next()
			if r.kind != tokTypeRef && r.kind != tokIdent {
				return nil, p.errorf(r, "expected parameter name, found %s", r)
			}
			name = r.text
		}
		params = append(params, name)
		if p.accept("}") {
			return params, nil
		}
		if _, err := p.expect(","); err != nil {
			return nil, err
		}
	}
}

// parseOIDComponents parses "{ arc arc ... }" of an object identifier.
func (p *parser) parseOIDComponents() ([]OIDComponent, error) {
	open, err := p.expect("{")
	if err != nil {
		return nil, err
	}
	var comps []OIDComponent
	for !p.accept("}") {
		t := p.next()
		switch t.kind {
		case tokNumber:
			n, err := parseInt(t)
			if err != nil {
				return nil, err
			}
			comps = append(comps, OIDComponent{Number: n, HasNumber: true})
		case tokIdent, tokTypeRef:
			c := OIDComponent{Name: t.text}
			if p.is("(") {
				p.next()
				nt := p.next()
				if nt.kind != tokNumber {
					return nil, p.errorf(nt, "expected number in object identifier arc, found %s", nt)
				}
				n, err := parseInt(nt)
				if err != nil {
					return nil, err
				}
				c.Number, c.HasNumber = n, true
				if _, err := p.expect(")"); err != nil {
					return nil, err
				}
			}
			comps = append(comps, c)
		case tokEOF:
			return nil, p.errorf(open, "unterminated object identifier")
		default:
			return nil, p.errorf(t, "unexpected %s in object identifier", t)
		}
	}
	return comps, nil
}

func parseInt(t token) (int64, error) {
	n, err := strconv.ParseInt(t.text, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s: number %s out of range", t.pos, t.text)
	}
	return n, nil
}
