package asn1

import "fmt"

// isCharStringType reports whether a reserved word names a restricted
// character string type.
func isCharStringType(s string) bool {
	switch s {
	case "BMPString", "GeneralString", "GraphicString", "IA5String",
		"ISO646String", "NumericString", "PrintableString", "T61String",
		"TeletexString", "UniversalString", "UTF8String", "VideotexString",
		"VisibleString", "ObjectDescriptor":
		return true
	}
	return false
}

// parseType parses [Tag] Type Constraint*.
func (p *parser) parseType() (*Type, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	start := p.peek()
	t := &Type{Pos: start.pos}
	if p.is("[") {
		tag, err := p.parseTag()
		if err != nil {
			return nil, err
		}
		t.Tag = tag
	}
	if err := p.parseTypeBody(t); err != nil {
		return nil, err
	}
	for p.is("(") {
		c, err := p.parseConstraint()
		if err != nil {
			return nil, err
		}
		t.Constraints = append(t.Constraints, c)
	}
	return t, nil
}

func (p *parser) parseTag() (*Tag, error) {
	if _, err := p.expect("["); err != nil {
		return nil, err
	}
	tag := &Tag{}
	for _, c := range []string{"UNIVERSAL", "APPLICATION", "PRIVATE"} {
		if p.accept(c) {
			tag.Class = c
			break
		}
	}
	t := p.next()
	switch t.kind {
	case tokNumber:
		n, err := parseInt(t)
		if err != nil {
			return nil, err
		}
		tag.Number = n
	case tokIdent:
		tag.Number = -1 // a value reference; PER does not need tag numbers
	default:
		return nil, p.errorf(t, "expected tag number, found %s", t)
	}
	if _, err := p.expect("]"); err != nil {
		return nil, err
	}
	switch {
	case p.accept("IMPLICIT"):
		tag.Mode = "IMPLICIT"
	case p.accept("EXPLICIT"):
		tag.Mode = "EXPLICIT"
	}
	return tag, nil
}

func (p *parser) parseTypeBody(t *Type) error {
	tok := p.next()
	switch {
	case tok.kind == tokKeyword:
		return p.parseBuiltin(t, tok)
	case tok.kind == tokTypeRef:
		return p.parseReference(t, tok)
	}
	return p.errorf(tok, "expected a type, found %s", tok)
}

func (p *parser) parseReference(t *Type, tok token) error {
	t.Kind = KindReference
	t.Ref = tok.text
	// Module.Type
	if p.is(".") && p.peekN(1).kind == tokTypeRef {
		p.next()
		t.RefModule = t.Ref
		t.Ref = p.next().text
	}
	// Class.&Field: an open type (or a fixed-type value field).
	if p.is(".") && p.peekN(1).kind == tokFieldRef {
		p.next()
		t.Kind = KindOpenType
		t.Class = t.Ref
		t.Field = p.next().text
		t.Ref, t.RefModule = "", ""
		for p.is(".") && p.peekN(1).kind == tokFieldRef {
			p.next()
			t.Field += "." + p.next().text
		}
		return nil
	}
	if p.is("{") {
		p.next()
		for {
			arg, err := p.parseType()
			if err != nil {
				return fmt.Errorf("actual parameter of %s: %w", t.Ref, err)
			}
			t.Args = append(t.Args, arg)
			if p.accept("}") {
				return nil
			}
			if _, err := p.expect(","); err != nil {
				return err
			}
		}
	}
	return nil
}

func (p *parser) parseBuiltin(t *Type, tok token) error {
	switch tok.text {
	case "BOOLEAN":
		t.Kind = KindBoolean
	case "NULL":
		t.Kind = KindNull
	case "REAL":
		t.Kind = KindReal
	case "INTEGER":
		t.Kind = KindInteger
		if p.is("{") {
			nn, err := p.parseNamedNumbers(true)
			if err != nil {
				return err
			}
			t.NamedNumbers = nn
		}
	case "ENUMERATED":
		t.Kind = KindEnumerated
		return p.parseEnumerations(t)
	case "BIT":
		if _, err := p.expect("STRING"); err != nil {
			return err
		}
		t.Kind = KindBitString
		if p.is("{") {
			nn, err := p.parseNamedNumbers(true)
			if err != nil {
				return err
			}
			t.NamedNumbers = nn
		}
	case "OCTET":
		if _, err := p.expect("STRING"); err != nil {
			return err
		}
		t.Kind = KindOctetString
	case "OBJECT":
		if _, err := p.expect("IDENTIFIER"); err != nil {
			return err
		}
		t.Kind = KindObjectIdentifier
	case "RELATIVE-OID":
		t.Kind = KindRelativeOID
	case "GeneralizedTime", "UTCTime":
		t.Kind = KindTime
		t.StringType = tok.text
	case "EXTERNAL":
		t.Kind = KindExternal
	case "EMBEDDED":
		if _, err := p.expect("PDV"); err != nil {
			return err
		}
		t.Kind = KindExternal
	case "CHARACTER":
		if _, err := p.expect("STRING"); err != nil {
			return err
		}
		t.Kind = KindExternal
	case "INSTANCE":
		if _, err := p.expect("OF"); err != nil {
			return err
		}
		t.Kind = KindExternal
		ref := p.next()
		if ref.kind != tokTypeRef && ref.kind != tokKeyword {
			return p.errorf(ref, "expected class after INSTANCE OF, found %s", ref)
		}
	case "TYPE-IDENTIFIER", "ABSTRACT-SYNTAX":
		if _, err := p.expect("."); err != nil {
			return err
		}
		f := p.next()
		if f.kind != tokFieldRef {
			return p.errorf(f, "expected a field reference after %s., found %s", tok.text, f)
		}
		t.Kind = KindOpenType
		t.Class = tok.text
		t.Field = f.text
	case "SEQUENCE", "SET":
		return p.parseSequenceOrSet(t, tok)
	case "CHOICE":
		t.Kind = KindChoice
		return p.parseChoice(t)
	default:
		if isCharStringType(tok.text) {
			t.Kind = KindCharString
			t.StringType = tok.text
			if tok.text == "ISO646String" {
				t.StringType = "VisibleString"
			}
			return nil
		}
		return p.errorf(tok, "expected a type, found %s", tok)
	}
	return nil
}

func (p *parser) parseSequenceOrSet(t *Type, tok token) error {
	isSet := tok.text == "SET"
	// SEQUENCE OF, SEQUENCE SIZE (...) OF, SEQUENCE (constraint) OF
	if p.is("OF") || p.is("SIZE") || p.is("(") {
		t.Kind = KindSequenceOf
		if isSet {
			t.Kind = KindSetOf
		}
		switch {
		case p.is("SIZE"):
			st := p.next()
			sub, err := p.parseConstraint()
			if err != nil {
				return err
			}
			t.Constraints = append(t.Constraints, &Constraint{
				Root: &ElementSet{Kind: CSize, Sub: sub, Pos: st.pos}, Pos: st.pos,
			})
			t.sizeInHeader = true
		case p.is("("):
			c, err := p.parseConstraint()
			if err != nil {
				return err
			}
			t.Constraints = append(t.Constraints, c)
			t.sizeInHeader = true
		}
		if _, err := p.expect("OF"); err != nil {
			return err
		}
		// "SEQUENCE OF name Type"
		if p.peek().kind == tokIdent && p.peekN(1).kind != tokPunct {
			t.ElemName = p.next().text
		} else if p.peek().kind == tokIdent && p.isAt(1, "[") {
			t.ElemName = p.next().text
		}
		elem, err := p.parseType()
		if err != nil {
			return err
		}
		t.Elem = elem
		return nil
	}
	t.Kind = KindSequence
	if isSet {
		t.Kind = KindSet
	}
	return p.parseComponents(t, false)
}

func (p *parser) parseChoice(t *Type) error {
	return p.parseComponents(t, true)
}

// parseComponents parses "{ ComponentTypeLists }" of SEQUENCE and SET, or
// "{ AlternativeTypeLists }" of CHOICE.
func (p *parser) parseComponents(t *Type, choice bool) error {
	if _, err := p.expect("{"); err != nil {
		return err
	}
	part := 0 // 0: root, 1: extension additions, 2: second root part
	if p.accept("}") {
		return nil
	}
	for {
		switch {
		case p.is("..."):
			et := p.next()
			if err := p.skipExceptionSpec(); err != nil {
				return err
			}
			switch part {
			case 0:
				part = 1
				t.Extensible = true
			case 1:
				if choice {
					return p.errorf(et, "second extension marker in CHOICE")
				}
				part = 2
			default:
				return p.errorf(et, "third extension marker")
			}
		case p.is("[["):
			gt := p.next()
			if part != 1 {
				return p.errorf(gt, "extension addition group outside the extension part")
			}
			add := &Addition{Group: true, Pos: gt.pos}
			if p.peek().kind == tokNumber && p.isAt(1, ":") {
				n, err := parseInt(p.next())
				if err != nil {
					return err
				}
				p.next()
				add.Version = n
			}
			for {
				c, err := p.parseComponent(choice)
				if err != nil {
					return err
				}
				add.Components = append(add.Components, c)
				if p.accept("]]") {
					break
				}
				if _, err := p.expect(","); err != nil {
					return err
				}
			}
			if choice {
				// In a CHOICE each alternative of a group is an
				// extension addition of its own.
				for _, c := range add.Components {
					t.Ext = append(t.Ext, &Addition{Components: []*Component{c}, Pos: c.Pos})
				}
			} else {
				t.Ext = append(t.Ext, add)
			}
		default:
			c, err := p.parseComponent(choice)
			if err != nil {
				return err
			}
			if part == 1 {
				t.Ext = append(t.Ext, &Addition{Components: []*Component{c}, Pos: c.Pos})
			} else {
				t.Root = append(t.Root, c)
			}
		}
		if p.accept("}") {
			return nil
		}
		if _, err := p.expect(","); err != nil {
			return err
		}
	}
}

func (p *parser) skipExceptionSpec() error {
	if !p.accept("!") {
		return nil
	}
	switch {
	case p.peek().kind == tokNumber || p.peek().kind == tokIdent || p.is("-"):
		_, err := p.parseValue()
		return err
	default:
		if _, err := p.parseType(); err != nil {
			return err
		}
		if _, err := p.expect(":"); err != nil {
			return err
		}
		_, err := p.parseValue()
		return err
	}
}

func (p *parser) parseComponent(choice bool) (*Component, error) {
	t := p.peek()
	if !choice && p.is("COMPONENTS") && p.isAt(1, "OF") {
		p.next()
		p.next()
		ty, err := p.parseType()
		if err != nil {
			return nil, err
		}
		return &Component{Type: ty, ComponentsOf: true, Pos: t.pos}, nil
	}
	if t.kind != tokIdent {
		return nil, p.errorf(t, "expected a component name, found %s", t)
	}
	p.next()
	ty, err := p.parseType()
	if err != nil {
		return nil, fmt.Errorf("component %s: %w", t.text, err)
	}
	c := &Component{Name: t.text, Type: ty, Pos: t.pos}
	if choice {
		return c, nil
	}
	switch {
	case p.accept("OPTIONAL"):
		c.Optional = true
	case p.accept("DEFAULT"):
		v, err := p.parseValue()
		if err != nil {
			return nil, fmt.Errorf("component %s DEFAULT: %w", t.text, err)
		}
		c.Default = v
	}
	return c, nil
}

// parseNamedNumbers parses "{ name(n), ... }" of INTEGER and BIT STRING.
func (p *parser) parseNamedNumbers(needNumber bool) ([]NamedNumber, error) {
	if _, err := p.expect("{"); err != nil {
		return nil, err
	}
	var list []NamedNumber
	for {
		nn, err := p.parseNamedNumber(needNumber)
		if err != nil {
			return nil, err
		}
		list = append(list, nn)
		if p.accept("}") {
			return list, nil
		}
		if _, err := p.expect(","); err != nil {
			return nil, err
		}
	}
}

func (p *parser) parseNamedNumber(needNumber bool) (NamedNumber, error) {
	t := p.next()
	if t.kind != tokIdent {
		return NamedNumber{}, p.errorf(t, "expected an identifier, found %s", t)
	}
	nn := NamedNumber{Name: t.text}
	if !p.is("(") {
		if needNumber {
			return nn, p.errorf(p.peek(), "expected ( after %s", t.text)
		}
		return nn, nil
	}
	p.next()
	v, err := p.parseValue()
	if err != nil {
		return nn, err
	}
	switch v.Kind {
	case ValNumber:
		nn.Value, nn.HasNum = v.Int, true
	case ValRef:
		nn.Ref, nn.HasNum = v, true
	default:
		return nn, p.errorf(t, "named number %s: expected a number", t.text)
	}
	if _, err := p.expect(")"); err != nil {
		return nn, err
	}
	return nn, nil
}

func (p *parser) parseEnumerations(t *Type) error {
	if _, err := p.expect("{"); err != nil {
		return err
	}
	part := 0
	for {
		if p.is("...") {
			et := p.next()
			if part != 0 {
				return p.errorf(et, "second extension marker in ENUMERATED")
			}
			if err := p.skipExceptionSpec(); err != nil {
				return err
			}
			part = 1
			t.Extensible = true
		} else {
			nn, err := p.parseNamedNumber(false)
			if err != nil {
				return err
			}
			if part == 0 {
				t.EnumRoot = append(t.EnumRoot, nn)
			} else {
				t.EnumExt = append(t.EnumExt, nn)
			}
		}
		if p.accept("}") {
			return nil
		}
		if _, err := p.expect(","); err != nil {
			return err
		}
	}
}
