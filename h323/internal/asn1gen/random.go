package main

import (
	"fmt"
	"math"
	"strings"

	"github.com/switchyard/switchyard/h323/internal/asn1"
)

// The random value builder is generated into an internal test file of each
// package: a randomize method per type that fills a value which satisfies
// every PER-visible constraint, for property tests (random value -> encode
// -> decode -> compare).

// randomDepth is the nesting beyond which builders choose the shallowest
// alternative, the shortest list and no OPTIONAL component.
const randomDepth = 6

// randomOK reports whether a builder can fill a valid value of node t:
// false when a mandatory part needs a type of another package, whose
// builder is not visible here.
func (g *gen) randomOK(t *asn1.Type, seen map[*asn1.Type]bool) bool {
	if t.Kind == asn1.KindReference && t.Instance == nil && g.isExternal(t.Target.Module) {
		return false
	}
	b := t.Builtin
	if seen[b] {
		return true
	}
	seen[b] = true
	defer delete(seen, b)
	switch b.Kind {
	case asn1.KindSequence, asn1.KindSet:
		for _, c := range b.Root {
			if !c.Optional && c.Default == nil && !g.randomOK(c.Type, seen) {
				return false
			}
		}
	case asn1.KindChoice:
		for _, c := range b.Components() {
			if g.randomOK(c.Type, seen) {
				return true
			}
		}
		return false
	case asn1.KindSequenceOf, asn1.KindSetOf:
		if sizeLower(t) > 0 {
			return g.randomOK(b.Elem, seen)
		}
	}
	return true
}

func sizeLower(t *asn1.Type) int64 {
	if t.PER.Size.HasLower {
		return t.PER.Size.Lower
	}
	return 0
}

// heights computes, for every structured node, the least nesting needed to
// build a value, so that deep builders can stop.
func (g *gen) height(t *asn1.Type, memo map[*asn1.Type]int) int {
	b := t.Builtin
	if h, ok := memo[b]; ok {
		return h
	}
	memo[b] = math.MaxInt / 4 // in progress: infinite
	h := 0
	switch b.Kind {
	case asn1.KindSequence, asn1.KindSet:
		for _, c := range b.Root {
			if !c.Optional && c.Default == nil {
				h = max(h, 1+g.height(c.Type, memo))
			}
		}
	case asn1.KindChoice:
		h = math.MaxInt / 4
		for _, c := range b.Components() {
			if g.randomOK(c.Type, map[*asn1.Type]bool{}) {
				h = min(h, 1+g.height(c.Type, memo))
			}
		}
	case asn1.KindSequenceOf, asn1.KindSetOf:
		if sizeLower(t) > 0 {
			h = 1 + g.height(b.Elem, memo)
		}
	}
	memo[b] = h
	return h
}

// emitRandom writes the randomize method of gt.
func (g *gen) emitRandom(gt *goType, w *writer, memo map[*asn1.Type]int) error {
	if gt.alias != "" {
		return nil
	}
	n := gt.node
	b := n.Builtin
	w.p("func (v *%s) randomize(r *randomizer, depth int) {", gt.name)
	switch b.Kind {
	case asn1.KindSequence, asn1.KindSet:
		l, err := g.seqLayout(b)
		if err != nil {
			return err
		}
		w.p("*v = %s{}", gt.name)
		for _, f := range l.root {
			switch {
			case f.name == "":
			case f.flag:
				w.p("v.%s = r.Bool()", f.name)
			case f.ptr:
				if !g.randomOK(f.c.Type, map[*asn1.Type]bool{}) {
					continue
				}
				w.p("if r.present(depth) {")
				g.randomStmt(w, f.c.Type, f.typ, "v."+f.name, true)
				w.p("}")
			default:
				if g.randomOK(f.c.Type, map[*asn1.Type]bool{}) {
					g.randomStmt(w, f.c.Type, f.typ, "v."+f.name, false)
				}
			}
		}
		for i, fs := range l.additions {
			ok := true
			for _, f := range fs {
				if !f.flag && !f.optional && !g.randomOK(f.c.Type, map[*asn1.Type]bool{}) {
					ok = false
				}
			}
			if !ok {
				continue
			}
			w.p("if r.present(depth) {")
			for _, f := range fs {
				if l.groups[i] && f.optional {
					w.p("if r.Bool() {")
				}
				switch {
				case f.flag:
					w.p("v.%s = true", f.name)
				case g.randomOK(f.c.Type, map[*asn1.Type]bool{}):
					g.randomStmt(w, f.c.Type, f.typ, "v."+f.name, true)
				}
				if l.groups[i] && f.optional {
					w.p("}")
				}
			}
			w.p("}")
		}
		if l.ext {
			w.p("v.Ext = r.unknownAdditions(%d, depth)", len(l.additions))
		}
	case asn1.KindChoice:
		l := g.choiceLayout(gt, b)
		var ok []*choiceAlt
		shallow, best := 0, math.MaxInt
		for _, a := range l.alts {
			if !g.randomOK(a.c.Type, map[*asn1.Type]bool{}) {
				continue
			}
			if h := g.height(a.c.Type, memo); h < best {
				shallow, best = len(ok), h
			}
			ok = append(ok, a)
		}
		w.p("*v = %s{}", gt.name)
		w.p("i := %d", shallow)
		w.p("if depth <= randomDepth {")
		if l.ext {
			w.p("i = r.IntN(%d + r.unknownSlots())", len(ok))
		} else {
			w.p("i = r.IntN(%d)", len(ok))
		}
		w.p("}")
		w.p("switch i {")
		for i, a := range ok {
			w.p("case %d:", i)
			w.p("v.Choice = %s", a.constName)
			if a.name != "" {
				g.randomStmt(w, a.c.Type, a.typ, "v."+a.name, a.ptr)
			}
		}
		if l.ext {
			w.p("default:")
			w.p("v.Choice = %s(%d + r.IntN(3))", l.tagType, len(l.alts)+1)
			w.p("v.Unknown = r.openType()")
		}
		w.p("}")
	case asn1.KindEnumerated:
		total := len(b.EnumRoot) + len(b.EnumExt)
		if b.Extensible {
			w.p("*v = %s(r.IntN(%d + 2*r.unknownSlots()))", gt.name, total)
		} else {
			w.p("*v = %s(r.IntN(%d))", gt.name, total)
		}
	default:
		if isSeqOf(n) {
			g.randomSeqOf(w, n, gt.name, "*v", false)
		} else {
			g.randomStmt(w, n, gt.name, "*v", false)
		}
	}
	w.p("}")
	w.p("")
	return nil
}

// randomStmt emits the filling of target (of Go type typ) with a random
// value of node t.
func (g *gen) randomStmt(w *writer, t *asn1.Type, typ, target string, ptr bool) {
	b := t.Builtin
	pc := t.PER
	if g.hasMethods(t) {
		if ptr {
			w.p("%s = new(%s)", target, typ)
		}
		w.p("%s.randomize(r, depth+1)", target)
		return
	}
	if isSeqOf(t) {
		g.randomSeqOf(w, t, typ, target, ptr)
		return
	}
	var x string
	sz := func(r asn1.Range) string {
		return fmt.Sprintf("%d, %d, %t, %t", max(r.Lower, 0), r.Upper, r.HasUpper, r.Extensible)
	}
	switch b.Kind {
	case asn1.KindNull:
		return
	case asn1.KindBoolean:
		x = "r.Bool()"
	case asn1.KindInteger:
		x = fmt.Sprintf("r.integer(%d, %d, %t, %t, %t)", pc.Value.Lower, pc.Value.Upper, pc.Value.HasLower, pc.Value.HasUpper, pc.Value.Extensible)
	case asn1.KindEnumerated:
		total := len(b.EnumRoot) + len(b.EnumExt)
		if b.Extensible {
			x = fmt.Sprintf("r.IntN(%d + 2*r.unknownSlots())", total)
		} else {
			x = fmt.Sprintf("r.IntN(%d)", total)
		}
	case asn1.KindBitString:
		x = fmt.Sprintf("r.bitString(%s)", sz(pc.Size))
	case asn1.KindOctetString:
		x = fmt.Sprintf("r.octets(%s)", sz(pc.Size))
	case asn1.KindOpenType:
		x = "r.openType()"
	case asn1.KindObjectIdentifier:
		x = "r.oid()"
	case asn1.KindCharString:
		switch {
		case usesBMPHelper(t):
			x = fmt.Sprintf("r.bmpString(%s)", sz(pc.Size))
		default:
			if _, ok := stringKind(b.StringType); ok {
				set := pc.Alphabet
				if set == nil {
					set, _, _ = asn1.CharacterSet(b.StringType)
				}
				if set == nil { // a BMPString with FROM is handled above; UniversalString
					set = []rune("abc")
				}
				x = fmt.Sprintf("r.chars(%q, %s)", string(set), sz(pc.Size))
			} else {
				x = "r.anyString()"
			}
		}
	}
	if ptr {
		w.p("%s = new(%s(%s))", target, typ, x)
	} else {
		w.p("%s = %s(%s)", target, typ, x)
	}
}

func (g *gen) randomSeqOf(w *writer, t *asn1.Type, typ, target string, ptr bool) {
	elem := t.Builtin.Elem
	elemTyp := g.goTypeOf(elem)
	r := t.PER.Size
	w.p("{")
	if !g.randomOK(elem, map[*asn1.Type]bool{}) {
		w.p("var items []%s", elemTyp)
	} else {
		w.p("n := r.count(%d, %d, %t, %t, depth)", max(r.Lower, 0), r.Upper, r.HasUpper, r.Extensible)
		w.p("var items []%s", elemTyp)
		w.p("if n > 0 {")
		w.p("items = make([]%s, n)", elemTyp)
		w.p("}")
		w.p("for i := range items {")
		g.randomStmt(w, elem, elemTyp, "items[i]", false)
		w.p("}")
	}
	if ptr {
		w.p("%s = new(%s(items))", target, typ)
	} else {
		w.p("%s = %s(items)", target, typ)
	}
	w.p("}")
}

// emitRandomFile returns the body of the random builder test file.
func (g *gen) emitRandomFile() (string, error) {
	var w writer
	w.WriteString(randomSupportSource)
	memo := make(map[*asn1.Type]int)
	var cases []string
	for _, gt := range g.types {
		if gt.alias != "" {
			continue
		}
		if err := g.emitRandom(gt, &w, memo); err != nil {
			return "", fmt.Errorf("%s: %w", gt.asnName, err)
		}
		if g.randomOK(gt.node, map[*asn1.Type]bool{}) {
			cases = append(cases, gt.name)
		}
	}
	w.p("// randomCases lists every generated type whose values the builders can fill.")
	w.p("func randomCases() []randomCase {")
	w.p("return []randomCase{")
	for _, name := range cases {
		w.p("{%q, func(r *randomizer) codec { v := new(%s); v.randomize(r, 0); return v }, func() codec { return new(%s) }},", name, name, name)
	}
	w.p("}")
	w.p("}")
	return strings.ReplaceAll(w.String(), "\r", ""), nil
}
