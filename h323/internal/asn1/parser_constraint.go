package asn1

import "fmt"

// parseConstraint parses "( ConstraintSpec [ExceptionSpec] )".
func (p *parser) parseConstraint() (*Constraint, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	open, err := p.expect("(")
	if err != nil {
		return nil, err
	}
	c, err := p.parseConstraintSpec()
	if err != nil {
		return nil, err
	}
	c.Pos = open.pos
	if _, err := p.expect(")"); err != nil {
		return nil, err
	}
	return c, nil
}

// parseConstraintSpec parses "Root [, ... [, Additional]]" with optional
// exception specifications, up to (not including) the closing bracket.
func (p *parser) parseConstraintSpec() (*Constraint, error) {
	c := &Constraint{Pos: p.peek().pos}
	if !p.is("...") {
		root, err := p.parseElementSetSpec()
		if err != nil {
			return nil, err
		}
		c.Root = root
		if err := p.skipExceptionSpec(); err != nil {
			return nil, err
		}
		if !p.is(",") {
			return c, nil
		}
		p.next()
	}
	if _, err := p.expect("..."); err != nil {
		return nil, err
	}
	c.Extensible = true
	if err := p.skipExceptionSpec(); err != nil {
		return nil, err
	}
	if p.accept(",") {
		ext, err := p.parseElementSetSpec()
		if err != nil {
			return nil, err
		}
		c.Ext = ext
	}
	return c, nil
}

func (p *parser) parseElementSetSpec() (*ElementSet, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	pos := p.peek().pos
	if p.is("ALL") && p.isAt(1, "EXCEPT") {
		p.next()
		p.next()
		e, err := p.parseElements()
		if err != nil {
			return nil, err
		}
		return &ElementSet{Kind: CAllExcept, Sets: []*ElementSet{e}, Pos: pos}, nil
	}
	first, err := p.parseIntersections()
	if err != nil {
		return nil, err
	}
	sets := []*ElementSet{first}
	for p.is("|") || p.is("UNION") {
		p.next()
		e, err := p.parseIntersections()
		if err != nil {
			return nil, err
		}
		sets = append(sets, e)
	}
	if len(sets) == 1 {
		return first, nil
	}
	return &ElementSet{Kind: CUnion, Sets: sets, Pos: pos}, nil
}

func (p *parser) parseIntersections() (*ElementSet, error) {
	pos := p.peek().pos
	first, err := p.parseIntersectionElements()
	if err != nil {
		return nil, err
	}
	sets := []*ElementSet{first}
	for p.is("^") || p.is("INTERSECTION") {
		p.next()
		e, err := p.parseIntersectionElements()
		if err != nil {
			return nil, err
		}
		sets = append(sets, e)
	}
	if len(sets) == 1 {
		return first, nil
	}
	return &ElementSet{Kind: CIntersection, Sets: sets, Pos: pos}, nil
}

func (p *parser) parseIntersectionElements() (*ElementSet, error) {
	pos := p.peek().pos
	e, err := p.parseElements()
	if err != nil {
		return nil, err
	}
	if !p.accept("EXCEPT") {
		return e, nil
	}
	x, err := p.parseElements()
	if err != nil {
		return nil, err
	}
	return &ElementSet{Kind: CExcept, Sets: []*ElementSet{e, x}, Pos: pos}, nil
}

// startsType reports whether the next tokens begin a type (for contained
// subtype and type constraints) rather than a value.
func (p *parser) startsType() bool {
	t := p.peek()
	switch t.kind {
	case tokTypeRef:
		// Module.value is a value; Module.Type and Class.&field are types.
		return !(p.isAt(1, ".") && p.peekN(2).kind == tokIdent)
	case tokKeyword:
		switch t.text {
		case "BOOLEAN", "INTEGER", "ENUMERATED", "BIT", "OCTET", "OBJECT",
			"SEQUENCE", "SET", "CHOICE", "REAL", "RELATIVE-OID",
			"TYPE-IDENTIFIER", "ABSTRACT-SYNTAX", "EXTERNAL", "EMBEDDED",
			"GeneralizedTime", "UTCTime":
			return true
		case "NULL":
			return false // the NULL value
		}
		return isCharStringType(t.text)
	case tokPunct:
		return t.text == "["
	}
	return false
}

func (p *parser) parseElements() (*ElementSet, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	t := p.peek()
	pos := t.pos
	switch {
	case p.is("("):
		p.next()
		e, err := p.parseElementSetSpec()
		if err != nil {
			return nil, err
		}
		if _, err := p.expect(")"); err != nil {
			return nil, err
		}
		return e, nil
	case p.is("SIZE"):
		p.next()
		sub, err := p.parseConstraint()
		if err != nil {
			return nil, err
		}
		return &ElementSet{Kind: CSize, Sub: sub, Pos: pos}, nil
	case p.is("FROM"):
		p.next()
		sub, err := p.parseConstraint()
		if err != nil {
			return nil, err
		}
		return &ElementSet{Kind: CFrom, Sub: sub, Pos: pos}, nil
	case p.is("WITH") && p.isAt(1, "COMPONENT"):
		p.next()
		p.next()
		sub, err := p.parseConstraint()
		if err != nil {
			return nil, err
		}
		return &ElementSet{Kind: CInner, Sub: sub, Pos: pos}, nil
	case p.is("WITH") && p.isAt(1, "COMPONENTS"):
		p.next()
		p.next()
		if _, err := p.skipBraces(); err != nil {
			return nil, err
		}
		return &ElementSet{Kind: CInner, Pos: pos}, nil
	case p.is("PATTERN"):
		p.next()
		v, err := p.parseValue()
		if err != nil {
			return nil, err
		}
		return &ElementSet{Kind: CPattern, Value: v, Pos: pos}, nil
	case p.is("CONSTRAINED") && p.isAt(1, "BY"):
		p.next()
		p.next()
		if _, err := p.skipBraces(); err != nil {
			return nil, err
		}
		return &ElementSet{Kind: CUser, Pos: pos}, nil
	case p.is("CONTAINING"):
		p.next()
		ty, err := p.parseType()
		if err != nil {
			return nil, err
		}
		if p.is("ENCODED") && p.isAt(1, "BY") {
			p.next()
			p.next()
			if _, err := p.parseValue(); err != nil {
				return nil, err
			}
		}
		return &ElementSet{Kind: CContents, Type: ty, Pos: pos}, nil
	case p.is("ENCODED") && p.isAt(1, "BY"):
		p.next()
		p.next()
		if _, err := p.parseValue(); err != nil {
			return nil, err
		}
		return &ElementSet{Kind: CContents, Pos: pos}, nil
	case p.is("INCLUDES"):
		p.next()
		ty, err := p.parseType()
		if err != nil {
			return nil, err
		}
		return &ElementSet{Kind: CType, Type: ty, Pos: pos}, nil
	case p.is("{"):
		// A table constraint or an object set: not PER-visible.
		if _, err := p.skipBraces(); err != nil {
			return nil, err
		}
		for p.is("{") {
			if _, err := p.skipBraces(); err != nil {
				return nil, err
			}
		}
		return &ElementSet{Kind: CTable, Pos: pos}, nil
	case p.startsType():
		ty, err := p.parseType()
		if err != nil {
			return nil, err
		}
		return &ElementSet{Kind: CType, Type: ty, Pos: pos}, nil
	}
	// A single value or a value range.
	var lower *Value
	if p.is("MIN") {
		p.next()
		lower = &Value{Kind: ValMin, Pos: pos}
	} else {
		v, err := p.parseValue()
		if err != nil {
			return nil, err
		}
		lower = v
	}
	lowerOpen := false
	if p.is("<") && p.peekN(1).kind == tokRange {
		p.next()
		lowerOpen = true
	}
	if p.peek().kind != tokRange {
		if lower.Kind == ValMin || lowerOpen {
			return nil, p.errorf(p.peek(), "expected .. after lower bound")
		}
		return &ElementSet{Kind: CSingleValue, Value: lower, Pos: pos}, nil
	}
	p.next()
	upperOpen := p.accept("<")
	var upper *Value
	if p.is("MAX") {
		upper = &Value{Kind: ValMax, Pos: p.next().pos}
	} else {
		v, err := p.parseValue()
		if err != nil {
			return nil, err
		}
		upper = v
	}
	return &ElementSet{Kind: CRange, Lower: lower, Upper: upper, LowerOpen: lowerOpen, UpperOpen: upperOpen, Pos: pos}, nil
}

// parseValue parses a value notation.
func (p *parser) parseValue() (*Value, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	t := p.next()
	v := &Value{Pos: t.pos}
	switch t.kind {
	case tokNumber:
		n, err := parseInt(t)
		if err != nil {
			return nil, err
		}
		v.Kind, v.Int = ValNumber, n
	case tokCString:
		v.Kind, v.Str = ValCString, t.text
	case tokBString:
		v.Kind, v.Str = ValBString, t.text
	case tokHString:
		v.Kind, v.Str = ValHString, t.text
	case tokIdent:
		v.Kind, v.Str = ValRef, t.text
	case tokTypeRef:
		// Module.value
		if !p.is(".") || p.peekN(1).kind != tokIdent {
			return nil, p.errorf(t, "expected a value, found %s", t)
		}
		p.next()
		v.Kind, v.RefModule, v.Str = ValRef, t.text, p.next().text
	case tokKeyword:
		switch t.text {
		case "TRUE":
			v.Kind = ValTrue
		case "FALSE":
			v.Kind = ValFalse
		case "NULL":
			v.Kind = ValNull
		case "MIN":
			v.Kind = ValMin
		case "MAX":
			v.Kind = ValMax
		default:
			return nil, p.errorf(t, "expected a value, found %s", t)
		}
	case tokPunct:
		switch t.text {
		case "-":
			nt := p.next()
			if nt.kind != tokNumber {
				return nil, p.errorf(nt, "expected a number after -, found %s", nt)
			}
			n, err := parseInt(nt)
			if err != nil {
				return nil, err
			}
			v.Kind, v.Int = ValNumber, -n
		case "{":
			p.i-- // hand the brace back
			return p.parseBracedValue()
		default:
			return nil, p.errorf(t, "expected a value, found %s", t)
		}
	default:
		return nil, p.errorf(t, "expected a value, found %s", t)
	}
	return v, nil
}

// parseBracedValue reads "{ ... }". When the contents read as object
// identifier components they are kept in OID; the raw token texts are kept
// in Raw in every case.
func (p *parser) parseBracedValue() (*Value, error) {
	start := p.i
	pos := p.peek().pos
	raw, err := p.skipBraces()
	if err != nil {
		return nil, err
	}
	v := &Value{Kind: ValBraces, Raw: raw, Pos: pos}
	end := p.i
	p.i = start
	if oid, err := p.parseOIDComponents(); err == nil && p.i == end {
		v.OID = oid
	}
	p.i = end
	return v, nil
}

// String renders a value in ASN.1 notation (for messages).
func (v *Value) String() string {
	if v == nil {
		return "<nil>"
	}
	switch v.Kind {
	case ValNumber:
		return fmt.Sprint(v.Int)
	case ValRef:
		if v.RefModule != "" {
			return v.RefModule + "." + v.Str
		}
		return v.Str
	case ValCString:
		return fmt.Sprintf("%q", v.Str)
	case ValBString:
		return "'" + v.Str + "'B"
	case ValHString:
		return "'" + v.Str + "'H"
	case ValTrue:
		return "TRUE"
	case ValFalse:
		return "FALSE"
	case ValNull:
		return "NULL"
	case ValMin:
		return "MIN"
	case ValMax:
		return "MAX"
	case ValBraces:
		return fmt.Sprint(v.Raw)
	}
	return "?"
}
