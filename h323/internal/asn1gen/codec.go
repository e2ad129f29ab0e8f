package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/switchyard/switchyard/h323/internal/asn1"
)

// coder names the encoder or decoder a statement uses: recv is the
// expression to call methods on, ptr the *per.Encoder / *per.Decoder value.
type coder struct {
	recv, ptr string
}

func direct(name string) coder { return coder{recv: name, ptr: name} }

// intConstraint renders a per.IntConstraint for a range.
func intConstraint(r asn1.Range) string {
	var s string
	switch {
	case r.HasLower && r.HasUpper:
		s = fmt.Sprintf("per.IntRange(%d, %d)", r.Lower, r.Upper)
	case r.HasLower:
		s = fmt.Sprintf("per.IntMin(%d)", r.Lower)
	default:
		s = "per.IntConstraint{}"
	}
	if r.Extensible {
		s += ".Ext()"
	}
	return s
}

// sizeConstraint renders a per.SizeConstraint for a range.
func sizeConstraint(r asn1.Range) string {
	var s string
	lb := int64(0)
	if r.HasLower {
		lb = r.Lower
	}
	switch {
	case r.HasUpper && lb == r.Upper:
		s = fmt.Sprintf("per.FixedSize(%d)", lb)
	case r.HasUpper:
		s = fmt.Sprintf("per.Size(%d, %d)", lb, r.Upper)
	case lb > 0:
		s = fmt.Sprintf("per.SizeMin(%d)", lb)
	default:
		s = "per.SizeConstraint{}"
	}
	if r.Extensible {
		s += ".Ext()"
	}
	return s
}

// stringKind maps a known-multiplier string type to the runtime's kind.
func stringKind(st string) (string, bool) {
	switch st {
	case "IA5String", "NumericString", "PrintableString", "VisibleString", "BMPString", "UniversalString":
		return "per." + st, true
	case "ISO646String":
		return "per.VisibleString", true
	}
	return "", false
}

// alphabetVar returns the package variable holding the effective alphabet
// of a known-multiplier string type node.
func (g *gen) alphabetVar(t *asn1.Type) string {
	kind, _ := stringKind(t.Builtin.StringType)
	chars := string(t.PER.Alphabet)
	key := kind + "|" + chars
	if v, ok := g.alphabets[key]; ok {
		return v
	}
	v := "alphabet" + strconv.Itoa(len(g.alphabetOrder)+1)
	g.alphabets[key] = v
	g.alphabetOrder = append(g.alphabetOrder, key)
	return v
}

// usesBMPHelper reports whether a string node is a BMPString without a
// permitted alphabet, which the generated code encodes itself so that any
// sequence of 16-bit code units round-trips exactly.
func usesBMPHelper(t *asn1.Type) bool {
	return t.Builtin.StringType == "BMPString" && t.PER.Alphabet == nil
}

// hasMethods reports whether the values of a use-site node are encoded by
// calling Encode/Decode methods rather than inline.
func (g *gen) hasMethods(t *asn1.Type) bool {
	if isStructured(t) {
		return true
	}
	if isSeqOf(t) && t.Kind == asn1.KindReference && samePER(t, refBody(t)) {
		return true
	}
	return false
}

// errRet is the statement returning err wrapped with a component label.
func errRet(label string) string {
	if label == "" {
		return "return err"
	}
	return fmt.Sprintf("return wrapErr(%q, err)", label)
}

// encodeStmt emits statements that encode expr, a value of the Go type of
// node t, with encoder enc.
func (g *gen) encodeStmt(w *writer, t *asn1.Type, expr string, enc coder, label string, depth int) error {
	b := t.Builtin
	pc := t.PER
	if g.hasMethods(t) {
		w.p("if err := %s.Encode(%s); err != nil {", strings.TrimSuffix(strings.TrimPrefix(expr, "(*"), ")"), enc.ptr)
		w.p("%s", errRet(label))
		w.p("}")
		return nil
	}
	call := func(format string, args ...any) {
		w.p("if err := "+format+"; err != nil {", args...)
		w.p("%s", errRet(label))
		w.p("}")
	}
	switch b.Kind {
	case asn1.KindBoolean:
		w.p("%s.WriteBool(bool(%s))", enc.recv, expr)
	case asn1.KindNull:
	case asn1.KindInteger:
		r := pc.Value
		switch {
		case r.Extensible || (r.HasUpper && !r.HasLower):
			// WriteInteger checks the upper bound of MIN..ub.
			call("%s.WriteInteger(int64(%s), %s)", enc.recv, expr, intConstraint(r))
		case r.HasLower && r.HasUpper:
			call("%s.WriteConstrainedWholeNumber(int64(%s), %d, %d)", enc.recv, expr, r.Lower, r.Upper)
		case r.HasLower:
			call("%s.WriteSemiConstrainedWholeNumber(int64(%s), %d)", enc.recv, expr, r.Lower)
		default:
			w.p("%s.WriteUnconstrainedWholeNumber(int64(%s))", enc.recv, expr)
		}
	case asn1.KindEnumerated:
		call("%s.WriteEnumerated(int(%s), %d, %t)", enc.recv, expr, len(b.EnumRoot), b.Extensible)
	case asn1.KindBitString:
		call("%s.WriteBitString(per.BitString(%s), %s)", enc.recv, expr, sizeConstraint(pc.Size))
	case asn1.KindOctetString:
		call("%s.WriteOctetString([]byte(%s), %s)", enc.recv, expr, sizeConstraint(pc.Size))
	case asn1.KindOpenType:
		call("%s.WriteOpenType([]byte(%s))", enc.recv, expr)
	case asn1.KindObjectIdentifier:
		call("%s.WriteOID(per.OID(%s))", enc.recv, expr)
	case asn1.KindCharString:
		switch {
		case usesBMPHelper(t):
			call("writeBMPString(%s, string(%s), %s)", enc.ptr, expr, sizeConstraint(pc.Size))
		default:
			if _, ok := stringKind(b.StringType); ok {
				call("%s.WriteString(string(%s), %s, %s)", enc.recv, expr, g.alphabetVar(t), sizeConstraint(pc.Size))
			} else {
				w.p("%s.WriteUTF8String(string(%s))", enc.recv, expr)
			}
		}
	case asn1.KindSequenceOf, asn1.KindSetOf:
		return g.encodeSeqOf(w, t, expr, enc, label, depth)
	default:
		return fmt.Errorf("%s: cannot encode %s", t.Pos, b.Kind)
	}
	return nil
}

func (g *gen) encodeSeqOf(w *writer, t *asn1.Type, expr string, enc coder, label string, depth int) error {
	items := fmt.Sprintf("items%d", depth)
	i := fmt.Sprintf("i%d", depth)
	k := fmt.Sprintf("k%d", depth)
	more := fmt.Sprintf("more%d", depth)
	elem := t.Builtin.Elem
	w.p("{")
	w.p("%s := %s", items, expr)
	w.p("%s, %s, err := %s.WriteLength(len(%s), %s)", k, more, enc.recv, items, sizeConstraint(t.PER.Size))
	w.p("if err != nil {")
	w.p("%s", errRet(label))
	w.p("}")
	w.p("for %s := 0; ; {", i)
	w.p("for end := %s + %s; %s < end; %s++ {", i, k, i, i)
	if err := g.encodeStmt(w, elem, fmt.Sprintf("%s[%s]", items, i), enc, label, depth+1); err != nil {
		return err
	}
	w.p("}")
	w.p("if !%s {", more)
	w.p("break")
	w.p("}")
	w.p("%s, %s = %s.WriteLengthNext(len(%s) - %s)", k, more, enc.recv, items, i)
	w.p("}")
	w.p("}")
	return nil
}

// lhs returns a decode target as the left side of an assignment:
// "(*v.F)" becomes "*v.F".
func lhs(target string) string {
	if strings.HasPrefix(target, "(*") && strings.HasSuffix(target, ")") {
		return target[1 : len(target)-1]
	}
	return target
}

// addrOf returns the address of a decode target: "(*v.F)" becomes "v.F"
// and "v.F" becomes "&v.F".
func addrOf(target string) string {
	if strings.HasPrefix(target, "(*") && strings.HasSuffix(target, ")") {
		return target[2 : len(target)-1]
	}
	return "&" + target
}

// decodeStmt emits statements that decode a value of node t, whose Go
// type is typ, into target: an addressable expression that holds the
// value of a previous decode (or the zero value), whose memory the
// decoding reuses. Decoded values never share memory with the input.
func (g *gen) decodeStmt(w *writer, t *asn1.Type, typ, target string, dec coder, label string, depth int) error {
	b := t.Builtin
	pc := t.PER
	if g.hasMethods(t) {
		recv := target
		if strings.HasPrefix(target, "(*") {
			recv = addrOf(target)
		}
		w.p("if err := %s.Decode(%s); err != nil {", recv, dec.ptr)
		w.p("%s", errRet(label))
		w.p("}")
		return nil
	}
	// ptrAs returns the address of target as a pointer to base.
	ptrAs := func(base string) string {
		if typ == base {
			return addrOf(target)
		}
		return fmt.Sprintf("(*%s)(%s)", base, addrOf(target))
	}
	into := func(format string, args ...any) {
		w.p("if err := "+format+"; err != nil {", args...)
		w.p("%s", errRet(label))
		w.p("}")
	}
	read := func(format string, args ...any) {
		w.p("{")
		w.p("x, err := "+format, args...)
		w.p("if err != nil {")
		w.p("%s", errRet(label))
		w.p("}")
		w.p("%s = %s(x)", lhs(target), typ)
		w.p("}")
	}
	switch b.Kind {
	case asn1.KindNull:
	case asn1.KindBoolean:
		read("%s.ReadBool()", dec.recv)
	case asn1.KindInteger:
		read("%s", g.readIntegerCall(dec, pc.Value))
	case asn1.KindEnumerated:
		read("%s.ReadEnumerated(%d, %t)", dec.recv, len(b.EnumRoot), b.Extensible)
	case asn1.KindBitString:
		into("%s.ReadBitStringInto(%s, %s)", dec.recv, ptrAs("per.BitString"), sizeConstraint(pc.Size))
	case asn1.KindOctetString:
		into("%s.ReadOctetStringInto(%s, %s)", dec.recv, ptrAs("[]byte"), sizeConstraint(pc.Size))
	case asn1.KindOpenType:
		into("%s.ReadOpenTypeInto(%s)", dec.recv, ptrAs("[]byte"))
	case asn1.KindObjectIdentifier:
		into("%s.ReadOIDInto(%s)", dec.recv, ptrAs("per.OID"))
	case asn1.KindCharString:
		switch {
		case usesBMPHelper(t):
			into("readBMPString(%s, %s, %s)", dec.ptr, ptrAs("string"), sizeConstraint(pc.Size))
		default:
			if _, ok := stringKind(b.StringType); ok {
				into("%s.ReadStringInto(%s, %s, %s)", dec.recv, ptrAs("string"), g.alphabetVar(t), sizeConstraint(pc.Size))
			} else {
				into("%s.ReadUTF8StringInto(%s)", dec.recv, ptrAs("string"))
			}
		}
	case asn1.KindSequenceOf, asn1.KindSetOf:
		return g.decodeSeqOf(w, t, typ, target, dec, label, depth)
	default:
		return fmt.Errorf("%s: cannot decode %s", t.Pos, b.Kind)
	}
	return nil
}

// readIntegerCall returns the runtime call that reads an INTEGER with
// constraint r.
func (g *gen) readIntegerCall(dec coder, r asn1.Range) string {
	switch {
	case r.Extensible:
		return fmt.Sprintf("%s.ReadInteger(%s)", dec.recv, intConstraint(r))
	case r.HasLower && r.HasUpper:
		return fmt.Sprintf("%s.ReadConstrainedWholeNumber(%d, %d)", dec.recv, r.Lower, r.Upper)
	case r.HasLower:
		return fmt.Sprintf("%s.ReadSemiConstrainedWholeNumber(%d)", dec.recv, r.Lower)
	}
	return fmt.Sprintf("%s.ReadUnconstrainedWholeNumber()", dec.recv)
}

// decodeSeqOf emits the decoding of a SEQUENCE OF or SET OF into target,
// reusing the capacity of the slice it holds and the memory of its
// items.
func (g *gen) decodeSeqOf(w *writer, t *asn1.Type, typ, target string, dec coder, label string, depth int) error {
	items := fmt.Sprintf("items%d", depth)
	n := fmt.Sprintf("n%d", depth)
	more := fmt.Sprintf("more%d", depth)
	it := fmt.Sprintf("it%d", depth)
	elem := t.Builtin.Elem
	elemTyp := g.goTypeOf(elem)
	minBits := g.minBits(elem)
	w.p("{")
	w.p("%s, %s, err := %s.ReadLength(%s, %d)", n, more, dec.recv, sizeConstraint(t.PER.Size), minBits)
	w.p("if err != nil {")
	w.p("%s", errRet(label))
	w.p("}")
	if typ == "[]"+elemTyp {
		w.p("%s := %s[:0]", items, target)
	} else {
		w.p("%s := []%s(%s)[:0]", items, elemTyp, target)
	}
	w.p("if cap(%s) < %s {", items, n)
	if minBits > 0 {
		w.p("%s = make([]%s, 0, %s)", items, elemTyp, n)
	} else {
		// Items that can take no bits: do not trust the count for the
		// allocation.
		w.p("%s = make([]%s, 0, min(%s, 64))", items, elemTyp, n)
	}
	w.p("}")
	octets := elem.Builtin.Kind == asn1.KindOctetString && !g.hasMethods(elem)
	buf := fmt.Sprintf("buf%d", depth)
	if octets {
		// Items without memory of their own share one backing array,
		// bounded by the remaining input, instead of one allocation each.
		w.p("var %s []byte", buf)
	}
	w.p("for {")
	w.p("for range %s {", n)
	// Take the next item: the one a previous decode left there, or a new
	// zero one.
	w.p("%s = slices.Grow(%s, 1)[:len(%s)+1]", items, items, items)
	w.p("%s := &%s[len(%s)-1]", it, items, items)
	if octets {
		w.p("if cap(*%s) == 0 {", it)
		w.p("if %s == nil {", buf)
		w.p("%s = make([]byte, 0, %s.BitsLeft()/8)", buf, dec.recv)
		w.p("}")
		w.p("start := len(%s)", buf)
		if es := elem.PER.Size; !es.HasLower && !es.HasUpper && !es.Extensible {
			// An OCTET STRING without a size constraint is encoded as
			// an open type's octets are (X.691 10.2, 17.8): read them
			// in place and copy them once.
			w.p("x, err := %s.ReadOpenTypeBytes()", dec.recv)
			w.p("if err != nil {")
			w.p("%s", errRet(label))
			w.p("}")
			w.p("%s = append(%s, x...)", buf, buf)
		} else {
			w.p("if %s, err = %s.AppendOctetString(%s, %s); err != nil {", buf, dec.recv, buf, sizeConstraint(elem.PER.Size))
			w.p("%s", errRet(label))
			w.p("}")
		}
		w.p("*%s = nil", it)
		w.p("if len(%s) > start {", buf)
		w.p("*%s = %s(%s[start:len(%s):len(%s)])", it, elemTyp, buf, buf, buf)
		w.p("}")
		w.p("} else {")
		if err := g.decodeStmt(w, elem, elemTyp, "(*"+it+")", dec, label, depth+1); err != nil {
			return err
		}
		w.p("}")
	} else if err := g.decodeStmt(w, elem, elemTyp, "(*"+it+")", dec, label, depth+1); err != nil {
		return err
	}
	w.p("}")
	w.p("if !%s {", more)
	w.p("break")
	w.p("}")
	w.p("if %s, %s, err = %s.ReadLengthNext(%d); err != nil {", n, more, dec.recv, minBits)
	w.p("%s", errRet(label))
	w.p("}")
	w.p("}")
	w.p("if len(%s) == 0 {", items)
	w.p("%s = nil", items)
	w.p("}")
	if typ == "[]"+elemTyp {
		w.p("%s = %s", lhs(target), items)
	} else {
		w.p("%s = %s(%s)", lhs(target), typ, items)
	}
	w.p("}")
	return nil
}
