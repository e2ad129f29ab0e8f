package main

import (
	"fmt"
	"strings"

	"github.com/switchyard/switchyard/h323/internal/asn1"
)

// describe returns the doc phrase of a type: "the ASN.1 type X (a SEQUENCE
// of MODULE)".
func describe(gt *goType) string {
	k := gt.node.Builtin.Kind.String()
	if gt.node.Builtin.Kind == asn1.KindCharString {
		k = gt.node.Builtin.StringType
	}
	return fmt.Sprintf("%s is the ASN.1 type %s, %s %s of %s.", gt.name, gt.asnName, article(k), k, gt.module.Name)
}

func article(s string) string {
	if s != "" && strings.ContainsRune("AEIOU", rune(s[0])) {
		return "an"
	}
	return "a"
}

// constraintNote renders the PER-visible constraints of a node for docs.
func constraintNote(t *asn1.Type) string {
	var parts []string
	pc := t.PER
	switch t.Builtin.Kind {
	case asn1.KindInteger:
		parts = append(parts, pc.Value.String())
	case asn1.KindBitString, asn1.KindOctetString, asn1.KindCharString, asn1.KindSequenceOf, asn1.KindSetOf:
		if pc.Size.HasLower || pc.Size.HasUpper || pc.Size.Extensible {
			parts = append(parts, "SIZE "+pc.Size.String())
		}
	}
	if pc.Alphabet != nil {
		parts = append(parts, fmt.Sprintf("FROM %q", string(pc.Alphabet)))
	}
	if len(parts) == 0 || parts[0] == "unconstrained" {
		return ""
	}
	return strings.Join(parts, " ")
}

// emitType writes the declaration of gt into decl and its methods into
// code.
func (g *gen) emitType(gt *goType, decl, code *writer, root bool) error {
	if gt.alias != "" {
		decl.p("// %s", describe(gt))
		decl.p("type %s = %s", gt.name, gt.alias)
		decl.p("")
		return nil
	}
	n := gt.node
	b := n.Builtin
	switch b.Kind {
	case asn1.KindSequence, asn1.KindSet:
		if err := g.emitSequence(gt, b, decl, code); err != nil {
			return err
		}
	case asn1.KindChoice:
		if err := g.emitChoice(gt, b, decl, code); err != nil {
			return err
		}
	case asn1.KindEnumerated:
		g.emitEnumerated(gt, b, decl, code)
	default:
		if err := g.emitPrimitive(gt, decl, code); err != nil {
			return err
		}
	}
	if root {
		g.emitMarshal(gt, code)
	}
	return nil
}

func (g *gen) emitSequence(gt *goType, b *asn1.Type, decl, code *writer) error {
	l, err := g.seqLayout(b)
	if err != nil {
		return err
	}
	decl.p("// %s", describe(gt))
	decl.p("// Absent OPTIONAL components and extension additions are nil pointers")
	decl.p("// (an OPTIONAL NULL is a bool).")
	decl.p("type %s struct {", gt.name)
	fieldLine := func(f *field) {
		if f.name == "" {
			return
		}
		typ := f.typ
		if f.ptr {
			typ = "*" + typ
		}
		note := f.c.Name
		switch {
		case f.def != "":
			note += " DEFAULT " + f.c.Default.String()
		case f.optional:
			note += " OPTIONAL"
		}
		if cn := constraintNote(f.c.Type); cn != "" && !g.hasMethods(f.c.Type) {
			note += " " + cn
		}
		decl.p("%s %s // %s", f.name, typ, note)
	}
	for _, f := range l.root {
		fieldLine(f)
	}
	if len(l.additions) > 0 {
		decl.p("")
		decl.p("// Extension additions.")
		for i, fs := range l.additions {
			if l.groups[i] {
				decl.p("// Extension addition group [[ ]] (addition %d).", i+1)
			}
			for _, f := range fs {
				fieldLine(f)
			}
		}
	}
	if l.ext {
		decl.p("")
		decl.p("// Ext keeps extension additions unknown to this version and the")
		decl.p("// length of the received extension bitmap, for exact re-encoding.")
		decl.p("Ext Extensions")
	}
	decl.p("}")
	decl.p("")

	// Encode.
	code.p("// Encode writes v to e in aligned PER.")
	code.p("func (v *%s) Encode(e *per.Encoder) error {", gt.name)
	enc := direct("e")
	known := len(l.additions)
	if l.ext {
		code.p("var ext per.ExtensionBitmap")
		code.p("n := %d", known)
		code.p("if v.Ext.Len != 0 {")
		code.p("n = v.Ext.Len")
		code.p("}")
		code.p("ext.SetLen(n)")
		for i, fs := range l.additions {
			code.p("if %s {", presentCond(fs))
			code.p("ext.Set(%d)", i)
			code.p("}")
		}
		code.p("last := %d", known-1)
		code.p("for _, u := range v.Ext.Unknown {")
		code.p("if u.Index <= last {")
		code.p("return errUnknownIndex(u.Index)")
		code.p("}")
		code.p("last = u.Index")
		code.p("ext.Set(u.Index)")
		code.p("}")
	}
	var preamble []string
	if l.ext {
		preamble = append(preamble, "ext.Any()")
	}
	for _, f := range l.root {
		if !f.optional {
			continue
		}
		switch {
		case f.flag:
			preamble = append(preamble, "v."+f.name)
		case f.def != "":
			preamble = append(preamble, fmt.Sprintf("v.%s != %s", f.name, f.def))
		default:
			preamble = append(preamble, fmt.Sprintf("v.%s != nil", f.name))
		}
	}
	writePreamble(code, enc, preamble)
	for _, f := range l.root {
		if f.name == "" || f.flag {
			continue
		}
		switch {
		case f.def != "":
			code.p("if v.%s != %s {", f.name, f.def)
			if err := g.encodeStmt(code, f.c.Type, "v."+f.name, enc, f.c.Name, 0); err != nil {
				return err
			}
			code.p("}")
		case f.ptr:
			code.p("if v.%s != nil {", f.name)
			if err := g.encodeStmt(code, f.c.Type, "(*v."+f.name+")", enc, f.c.Name, 0); err != nil {
				return err
			}
			code.p("}")
		default:
			if err := g.encodeStmt(code, f.c.Type, "v."+f.name, enc, f.c.Name, 0); err != nil {
				return err
			}
		}
	}
	if l.ext {
		code.p("if !ext.Any() {")
		code.p("return nil")
		code.p("}")
		code.p("if err := e.WriteExtensionBitmap(&ext); err != nil {")
		code.p("return err")
		code.p("}")
		for i, fs := range l.additions {
			code.p("if %s {", presentCond(fs))
			code.p("ot := e.EnterOpenType()")
			sub := direct("e")
			if l.groups[i] {
				if err := g.encodeGroup(code, fs, sub); err != nil {
					return err
				}
			} else if f := fs[0]; !f.flag {
				if err := g.encodeStmt(code, f.c.Type, "(*v."+f.name+")", sub, f.c.Name, 0); err != nil {
					return err
				}
			}
			code.p("if err := e.LeaveOpenType(ot); err != nil {")
			code.p("%s", errRet(fs[0].c.Name))
			code.p("}")
			code.p("}")
		}
		code.p("for _, u := range v.Ext.Unknown {")
		code.p("if err := e.WriteRawExtension(u); err != nil {")
		code.p("return err")
		code.p("}")
		code.p("}")
	}
	code.p("return nil")
	code.p("}")
	code.p("")

	// Decode.
	code.p("// Decode reads v from d, replacing its contents and reusing the")
	code.p("// memory they hold (see the package documentation).")
	code.p("func (v *%s) Decode(d *per.Decoder) error {", gt.name)
	dec := direct("d")
	code.p("if err := d.Enter(); err != nil {")
	code.p("return err")
	code.p("}")
	nopt := 0
	for _, f := range l.root {
		if f.optional {
			nopt++
		}
	}
	oi := 0
	if l.ext {
		// The extension bit is the first bit of the preamble.
		nopt++
		oi++
	}
	optVars := g.readPreamble(code, nopt, dec, "opt")
	if l.ext {
		code.p("extBit := %s", optVars(0))
	}
	for _, f := range l.root {
		if f.optional {
			cond := optVars(oi)
			oi++
			switch {
			case f.flag:
				code.p("v.%s = %s", f.name, cond)
				continue
			case f.def != "":
				code.p("if %s {", cond)
				if err := g.decodeStmt(code, f.c.Type, f.typ, "v."+f.name, dec, f.c.Name, 0); err != nil {
					return err
				}
				code.p("} else {")
				code.p("v.%s = %s", f.name, f.def)
				code.p("}")
				continue
			}
			code.p("if %s {", cond)
			if err := g.decodePointer(code, f, dec); err != nil {
				return err
			}
			code.p("} else {")
			code.p("v.%s = nil", f.name)
			code.p("}")
			continue
		}
		if f.name == "" {
			continue
		}
		if err := g.decodeStmt(code, f.c.Type, f.typ, "v."+f.name, dec, f.c.Name, 0); err != nil {
			return err
		}
	}
	if l.ext {
		code.p("var ext per.ExtensionBitmap")
		code.p("if extBit {")
		code.p("if err := d.ReadExtensionBitmap(&ext); err != nil {")
		code.p("return err")
		code.p("}")
		code.p("}")
		code.p("v.Ext.Len = 0")
		code.p("if ext.Len() != %d && ext.Any() {", known)
		code.p("v.Ext.Len = ext.Len()")
		code.p("}")
		for i, fs := range l.additions {
			code.p("if ext.Has(%d) {", i)
			code.p("ot, err := d.EnterOpenType()")
			code.p("if err != nil {")
			code.p("%s", errRet(fs[0].c.Name))
			code.p("}")
			sub := direct("d")
			switch {
			case l.groups[i]:
				if err := g.decodeGroup(code, fs, sub); err != nil {
					return err
				}
			case fs[0].flag:
				code.p("v.%s = true", fs[0].name)
			default:
				if err := g.decodePointer(code, fs[0], sub); err != nil {
					return err
				}
			}
			code.p("d.LeaveOpenType(ot)")
			code.p("} else {")
			clearFields(code, fs)
			code.p("}")
		}
		code.p("if ext.Len() > %d {", known)
		code.p("unknown := v.Ext.Unknown[:0]")
		code.p("for i := %d; i < ext.Len(); i++ {", known)
		code.p("if !ext.Has(i) {")
		code.p("continue")
		code.p("}")
		code.p("unknown = slices.Grow(unknown, 1)[:len(unknown)+1]")
		code.p("if err := d.ReadRawExtensionInto(&unknown[len(unknown)-1], i); err != nil {")
		code.p("return err")
		code.p("}")
		code.p("}")
		code.p("if len(unknown) == 0 {")
		code.p("unknown = nil")
		code.p("}")
		code.p("v.Ext.Unknown = unknown")
		code.p("} else if v.Ext.Unknown != nil {")
		code.p("v.Ext.Unknown = nil")
		code.p("}")
	}
	code.p("d.Leave()")
	code.p("return nil")
	code.p("}")
	code.p("")
	return nil
}

// decodePointer emits the decoding of the pointer field f, present: into
// the value it already points to, or into a new one.
func (g *gen) decodePointer(code *writer, f *field, dec coder) error {
	code.p("if v.%s == nil {", f.name)
	code.p("v.%s = new(%s)", f.name, f.typ)
	code.p("}")
	return g.decodeStmt(code, f.c.Type, f.typ, "(*v."+f.name+")", dec, f.c.Name, 0)
}

// clearFields emits the statements that mark the fields of an absent
// extension addition absent.
func clearFields(code *writer, fs []*field) {
	for _, f := range fs {
		if f.flag {
			code.p("v.%s = false", f.name)
		} else {
			code.p("v.%s = nil", f.name)
		}
	}
}

// presentCond is the Go condition under which an extension addition is
// present: any of its fields is set.
func presentCond(fs []*field) string {
	var conds []string
	for _, f := range fs {
		if f.flag {
			conds = append(conds, "v."+f.name)
		} else {
			conds = append(conds, "v."+f.name+" != nil")
		}
	}
	return strings.Join(conds, " || ")
}

// preambleChunk is the most bits a generated preamble writes or reads at
// once: what Encoder.WriteBits takes in its fast path.
const preambleChunk = 56

// writePreamble emits the writing of one bit per condition (the extension
// bit and the presence bits of a SEQUENCE), gathered into as few writes
// as possible.
func writePreamble(code *writer, enc coder, conds []string) {
	if len(conds) == 1 {
		code.p("%s.WriteBit(%s)", enc.recv, conds[0])
		return
	}
	for len(conds) > 0 {
		chunk := conds[:min(preambleChunk, len(conds))]
		conds = conds[len(chunk):]
		code.p("{")
		code.p("var pre uint64")
		for i, c := range chunk {
			code.p("if %s {", c)
			code.p("pre |= 1 << %d", len(chunk)-1-i)
			code.p("}")
		}
		code.p("%s.WriteBits(pre, %d)", enc.recv, len(chunk))
		code.p("}")
	}
}

// readPreamble emits the reading of n presence bits and returns a function
// giving the Go condition for bit i.
func (g *gen) readPreamble(code *writer, n int, dec coder, name string) func(i int) string {
	for chunk := 0; chunk*preambleChunk < n; chunk++ {
		bits := min(preambleChunk, n-chunk*preambleChunk)
		code.p("%s%d, err := %s.ReadBits(%d)", name, chunk, dec.recv, bits)
		code.p("if err != nil {")
		code.p("return err")
		code.p("}")
	}
	return func(i int) string {
		chunk := i / preambleChunk
		bits := min(preambleChunk, n-chunk*preambleChunk)
		return fmt.Sprintf("%s%d&(1<<%d) != 0", name, chunk, bits-1-i%preambleChunk)
	}
}

// encodeGroup writes the components of an extension addition group as a
// SEQUENCE without an extension marker.
func (g *gen) encodeGroup(code *writer, fs []*field, enc coder) error {
	var preamble []string
	for _, f := range fs {
		if f.optional {
			if f.flag {
				preamble = append(preamble, "v."+f.name)
			} else {
				preamble = append(preamble, fmt.Sprintf("v.%s != nil", f.name))
			}
		}
	}
	writePreamble(code, enc, preamble)
	for _, f := range fs {
		if f.flag {
			if !f.optional {
				code.p("if !v.%s {", f.name)
				code.p("return errGroupMember(%q)", f.c.Name)
				code.p("}")
			}
			continue
		}
		if f.optional {
			code.p("if v.%s != nil {", f.name)
		} else {
			code.p("if v.%s == nil {", f.name)
			code.p("return errGroupMember(%q)", f.c.Name)
			code.p("}")
			code.p("{")
		}
		if err := g.encodeStmt(code, f.c.Type, "(*v."+f.name+")", enc, f.c.Name, 0); err != nil {
			return err
		}
		code.p("}")
	}
	return nil
}

func (g *gen) decodeGroup(code *writer, fs []*field, dec coder) error {
	nopt := 0
	for _, f := range fs {
		if f.optional {
			nopt++
		}
	}
	code.p("{")
	cond := g.readPreamble(code, nopt, dec, "gopt")
	oi := 0
	for _, f := range fs {
		if !f.optional {
			if f.flag {
				code.p("v.%s = true", f.name)
			} else if err := g.decodePointer(code, f, dec); err != nil {
				return err
			}
			continue
		}
		c := cond(oi)
		oi++
		if f.flag {
			code.p("v.%s = %s", f.name, c)
			continue
		}
		code.p("if %s {", c)
		if err := g.decodePointer(code, f, dec); err != nil {
			return err
		}
		code.p("} else {")
		code.p("v.%s = nil", f.name)
		code.p("}")
	}
	code.p("}")
	return nil
}

func (g *gen) emitChoice(gt *goType, b *asn1.Type, decl, code *writer) error {
	l := g.choiceLayout(gt, b)
	for _, a := range l.alts {
		if !g.claim(a.constName) {
			return fmt.Errorf("%s: Go name %s is taken", a.c.Pos, a.constName)
		}
	}
	if !g.claim(l.tagType) {
		return fmt.Errorf("%s: Go name %s is taken", b.Pos, l.tagType)
	}
	decl.p("// %s", describe(gt))
	decl.p("// Choice selects the alternative; only that alternative's field is used")
	decl.p("// (NULL alternatives have no field).")
	decl.p("type %s struct {", gt.name)
	decl.p("Choice %s", l.tagType)
	for _, a := range l.alts {
		if a.name == "" {
			continue
		}
		typ := a.typ
		if a.ptr {
			typ = "*" + typ
		}
		note := a.c.Name
		if cn := constraintNote(a.c.Type); cn != "" && !g.hasMethods(a.c.Type) {
			note += " " + cn
		}
		decl.p("%s %s // %s", a.name, typ, note)
	}
	if l.ext {
		decl.p("")
		decl.p("// Unknown holds the encoding of an extension alternative unknown to")
		decl.p("// this version, whose Choice is beyond the named ones.")
		decl.p("Unknown []byte")
	}
	decl.p("}")
	decl.p("")
	decl.p("// %s selects an alternative of %s. The zero value selects none.", l.tagType, gt.name)
	decl.p("type %s int", l.tagType)
	decl.p("")
	decl.p("// Alternatives of %s.", gt.name)
	decl.p("const (")
	for _, a := range l.alts {
		decl.p("%s %s = %d // %s", a.constName, l.tagType, a.index+1, a.c.Name)
	}
	decl.p(")")
	decl.p("")
	code.p("// String returns the ASN.1 name of the alternative.")
	code.p("func (c %s) String() string {", l.tagType)
	code.p("switch c {")
	for _, a := range l.alts {
		code.p("case %s:", a.constName)
		code.p("return %q", a.c.Name)
	}
	code.p("}")
	code.p("return \"%s(\" + strconv.Itoa(int(c)) + \")\"", l.tagType)
	code.p("}")
	code.p("")

	// Encode.
	code.p("// Encode writes v to e in aligned PER.")
	code.p("func (v *%s) Encode(e *per.Encoder) error {", gt.name)
	code.p("switch v.Choice {")
	for _, a := range l.alts {
		code.p("case %s:", a.constName)
		if n := rootIndexBits(a.index, l.root, l.ext); n >= 0 {
			// A root index is a fixed bit-field (behind a 0 extension
			// bit): what WriteChoiceIndex would write.
			if n > 0 {
				code.p("e.WriteBits(%d, %d)", a.index, n)
			}
		} else {
			code.p("if err := e.WriteChoiceIndex(%d, %d, %t); err != nil {", a.index, l.root, l.ext)
			code.p("return err")
			code.p("}")
		}
		if a.ptr {
			code.p("if v.%s == nil {", a.name)
			code.p("return errNoValue(%q)", a.c.Name)
			code.p("}")
		}
		enc := direct("e")
		if a.ext {
			code.p("ot := e.EnterOpenType()")
		}
		if a.name != "" {
			expr := "v." + a.name
			if err := g.encodeStmt(code, a.c.Type, expr, enc, a.c.Name, 0); err != nil {
				return err
			}
		}
		if a.ext {
			code.p("if err := e.LeaveOpenType(ot); err != nil {")
			code.p("%s", errRet(a.c.Name))
			code.p("}")
		}
	}
	code.p("default:")
	if l.ext {
		code.p("if int(v.Choice) > %d {", len(l.alts))
		code.p("if err := e.WriteChoiceIndex(int(v.Choice)-1, %d, true); err != nil {", l.root)
		code.p("return err")
		code.p("}")
		code.p("return e.WriteOpenType(v.Unknown)")
		code.p("}")
	}
	code.p("return errNoChoice(int(v.Choice))")
	code.p("}")
	code.p("return nil")
	code.p("}")
	code.p("")

	// Decode.
	code.p("// Decode reads v from d, replacing its contents and reusing the")
	code.p("// memory of the alternative it held when the same one is read.")
	code.p("func (v *%s) Decode(d *per.Decoder) error {", gt.name)
	code.p("if err := d.Enter(); err != nil {")
	code.p("return err")
	code.p("}")
	code.p("i, err := d.ReadChoiceIndex(%d, %t)", l.root, l.ext)
	code.p("if err != nil {")
	code.p("return err")
	code.p("}")
	code.p("switch i {")
	for _, a := range l.alts {
		code.p("case %d:", a.index)
		dec := direct("d")
		if a.ext {
			code.p("ot, err := d.EnterOpenType()")
			code.p("if err != nil {")
			code.p("%s", errRet(a.c.Name))
			code.p("}")
		}
		switch {
		case a.name == "":
			code.p("*v = %s{Choice: %s}", gt.name, a.constName)
		case a.ptr:
			code.p("keep := v.%s", a.name)
			code.p("if keep == nil {")
			code.p("keep = new(%s)", a.typ)
			code.p("}")
			code.p("*v = %s{Choice: %s, %s: keep}", gt.name, a.constName, a.name)
		case holdsMemory(a.c.Type):
			code.p("*v = %s{Choice: %s, %s: v.%s}", gt.name, a.constName, a.name, a.name)
		default:
			code.p("*v = %s{Choice: %s}", gt.name, a.constName)
		}
		if a.name != "" {
			target := "v." + a.name
			if a.ptr {
				target = "(*v." + a.name + ")"
			}
			if err := g.decodeStmt(code, a.c.Type, a.typ, target, dec, a.c.Name, 0); err != nil {
				return err
			}
		}
		if a.ext {
			code.p("d.LeaveOpenType(ot)")
		}
	}
	code.p("default:")
	if l.ext {
		code.p("*v = %s{Choice: %s(i + 1), Unknown: v.Unknown}", gt.name, l.tagType)
		code.p("if err := d.ReadOpenTypeInto(&v.Unknown); err != nil {")
		code.p("return err")
		code.p("}")
	} else {
		code.p("return errNoChoice(i + 1)")
	}
	code.p("}")
	code.p("d.Leave()")
	code.p("return nil")
	code.p("}")
	code.p("")
	return nil
}

// rootIndexBits returns the width of the bit-field that carries root
// index i of a CHOICE with rootCount root alternatives, including the
// extension bit, or -1 when the index is not written as one bit-field
// (an extension alternative, or a count that needs aligned octets).
func rootIndexBits(i, rootCount int, ext bool) int {
	if i >= rootCount || rootCount > 255 {
		return -1
	}
	n := rangeBits(uint64(rootCount))
	if ext {
		n++
	}
	return n
}

// holdsMemory reports whether decoded values of node t hold memory that a
// later decode can reuse (slices and strings).
func holdsMemory(t *asn1.Type) bool {
	switch t.Builtin.Kind {
	case asn1.KindBoolean, asn1.KindInteger, asn1.KindEnumerated, asn1.KindNull:
		return false
	}
	return true
}

func (g *gen) emitEnumerated(gt *goType, b *asn1.Type, decl, code *writer) {
	items := enumItems(b)
	decl.p("// %s", describe(gt))
	decl.p("// Its values are the PER indices: root items in ascending order of their")
	decl.p("// numbers, then extension items; a decoded unknown extension item keeps")
	decl.p("// its index.")
	decl.p("type %s int", gt.name)
	decl.p("")
	decl.p("// Values of %s.", gt.name)
	decl.p("const (")
	var names []string
	for i, nn := range items {
		name := g.uniqueName(gt.name + goName(nn.Name))
		names = append(names, name)
		decl.p("%s %s = %d // %s(%d)", name, gt.name, i, nn.Name, nn.Value)
	}
	decl.p(")")
	decl.p("")
	code.p("// String returns the ASN.1 name of the value.")
	code.p("func (v %s) String() string {", gt.name)
	code.p("switch v {")
	for i, nn := range items {
		code.p("case %s:", names[i])
		code.p("return %q", nn.Name)
	}
	code.p("}")
	code.p("return \"%s(\" + strconv.Itoa(int(v)) + \")\"", gt.name)
	code.p("}")
	code.p("")
	code.p("// Encode writes v to e in aligned PER.")
	code.p("func (v *%s) Encode(e *per.Encoder) error {", gt.name)
	code.p("return e.WriteEnumerated(int(*v), %d, %t)", len(b.EnumRoot), b.Extensible)
	code.p("}")
	code.p("")
	code.p("// Decode reads v from d.")
	code.p("func (v *%s) Decode(d *per.Decoder) error {", gt.name)
	code.p("x, err := d.ReadEnumerated(%d, %t)", len(b.EnumRoot), b.Extensible)
	code.p("if err != nil {")
	code.p("return err")
	code.p("}")
	code.p("*v = %s(x)", gt.name)
	code.p("return nil")
	code.p("}")
	code.p("")
}

// emitPrimitive declares a named type whose values are Go primitives or a
// slice, with Encode and Decode methods.
func (g *gen) emitPrimitive(gt *goType, decl, code *writer) error {
	n := gt.node
	b := n.Builtin
	var under string
	switch b.Kind {
	case asn1.KindSequenceOf, asn1.KindSetOf:
		under = "[]" + g.goTypeOf(b.Elem)
	default:
		under = primitiveRepr(n)
	}
	decl.p("// %s", describe(gt))
	if cn := constraintNote(n); cn != "" {
		decl.p("// PER-visible constraints: %s.", cn)
	}
	if b.Kind == asn1.KindOpenType && b.OpenTypeOf != nil {
		decl.p("// It holds the complete encoding of a %s value (an open type).", asnTypeName(b.OpenTypeOf))
	}
	decl.p("type %s %s", gt.name, under)
	decl.p("")
	if len(b.NamedNumbers) > 0 {
		decl.p("// Named values of %s.", gt.name)
		decl.p("const (")
		for _, nn := range b.NamedNumbers {
			name := g.uniqueName(gt.name + goName(nn.Name))
			decl.p("%s = %d // %s", name, nn.Value, nn.Name)
		}
		decl.p(")")
		decl.p("")
	}
	code.p("// Encode writes v to e in aligned PER.")
	code.p("func (v *%s) Encode(e *per.Encoder) error {", gt.name)
	// Build a use-site view of the node: its own Go type, inline coding.
	if err := g.encodeInline(code, n, "(*v)", direct("e")); err != nil {
		return err
	}
	code.p("return nil")
	code.p("}")
	code.p("")
	code.p("// Decode reads v from d.")
	code.p("func (v *%s) Decode(d *per.Decoder) error {", gt.name)
	if isSeqOf(n) {
		code.p("if err := d.Enter(); err != nil {")
		code.p("return err")
		code.p("}")
	}
	if err := g.decodeInline(code, n, gt.name, "(*v)", direct("d")); err != nil {
		return err
	}
	if isSeqOf(n) {
		code.p("d.Leave()")
	}
	code.p("return nil")
	code.p("}")
	code.p("")
	return nil
}

// encodeInline encodes a node by its builtin kind even when it is a
// reference (the defining node of a named type must not call itself).
func (g *gen) encodeInline(code *writer, n *asn1.Type, expr string, enc coder) error {
	if isSeqOf(n) {
		return g.encodeSeqOf(code, n, expr, enc, "", 0)
	}
	return g.encodeStmt(code, n, expr, enc, "", 0)
}

func (g *gen) decodeInline(code *writer, n *asn1.Type, typ, target string, dec coder) error {
	if isSeqOf(n) {
		return g.decodeSeqOf(code, n, typ, target, dec, "", 0)
	}
	return g.decodeStmt(code, n, typ, target, dec, "", 0)
}

func asnTypeName(t *asn1.Type) string {
	if t.Kind == asn1.KindReference {
		return t.Ref
	}
	return t.Kind.String()
}

// emitMarshal writes MarshalPER and UnmarshalPER for a root type.
func (g *gen) emitMarshal(gt *goType, code *writer) {
	code.p("// MarshalPER returns the aligned PER encoding of v in a new slice.")
	code.p("func (v *%s) MarshalPER() ([]byte, error) {", gt.name)
	code.p("var e per.Encoder")
	code.p("if err := v.Encode(&e); err != nil {")
	code.p("return nil, fmt.Errorf(\"encode %s: %%w\", err)", gt.asnName)
	code.p("}")
	code.p("return append([]byte(nil), e.Bytes()...), nil")
	code.p("}")
	code.p("")
	code.p("// UnmarshalPER decodes the aligned PER encoding b into v, as Decode")
	code.p("// does. Padding after the value is ignored.")
	code.p("func (v *%s) UnmarshalPER(b []byte) error {", gt.name)
	code.p("var d per.Decoder")
	code.p("d.Reset(b)")
	code.p("if err := v.Decode(&d); err != nil {")
	code.p("return fmt.Errorf(\"decode %s: %%w\", err)", gt.asnName)
	code.p("}")
	code.p("return nil")
	code.p("}")
	code.p("")
}
