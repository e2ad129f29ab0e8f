package wirecheck

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode"

	"github.com/switchyard/switchyard/h323/internal/asn1"
	"github.com/switchyard/switchyard/h323/per"
)

// termWriter renders a value of the generated h225/h245 types as the
// Erlang term that Erlang's asn1 application encodes (records as tuples,
// CHOICE as {alternative, Value}, OPTIONAL absent as asn1_NOVALUE, OCTET
// and BIT STRING as binaries, character strings as code point lists,
// OBJECT IDENTIFIER as tuples, ENUMERATED as atoms). It walks the ASN.1
// type (from the modules, resolved by package asn1) and the Go value side
// by side, so it follows the schema, not the Go spelling; Go fields are
// matched to components by position and their names checked.
type termWriter struct{}

// write appends the term of v, of ASN.1 type t, to b.
func (w termWriter) write(b *strings.Builder, t *asn1.Type, v reflect.Value) error {
	bt := builtin(t)
	if bt == nil {
		return fmt.Errorf("type %s has no resolved builtin", t.Ref)
	}
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return fmt.Errorf("nil %s where a value is required", v.Type())
		}
		v = v.Elem()
	}
	switch bt.Kind {
	case asn1.KindBoolean:
		b.WriteString(strconv.FormatBool(v.Bool()))
	case asn1.KindNull:
		b.WriteString("'NULL'")
	case asn1.KindInteger:
		if v.CanInt() {
			b.WriteString(strconv.FormatInt(v.Int(), 10))
		} else {
			b.WriteString(strconv.FormatUint(v.Uint(), 10))
		}
	case asn1.KindEnumerated:
		i := int(v.Int())
		var name string
		switch {
		case i < len(bt.EnumRoot):
			name = bt.EnumRoot[i].Name
		case i-len(bt.EnumRoot) < len(bt.EnumExt):
			name = bt.EnumExt[i-len(bt.EnumRoot)].Name
		default:
			return fmt.Errorf("ENUMERATED index %d out of range", i)
		}
		b.WriteString(atom(name))
	case asn1.KindOctetString:
		b.WriteString(binary(v.Bytes()))
	case asn1.KindBitString:
		bs, ok := v.Interface().(per.BitString)
		if !ok {
			return fmt.Errorf("BIT STRING held in %s", v.Type())
		}
		b.WriteString(bitString(bs))
	case asn1.KindCharString:
		b.WriteString(codePoints(v.String(), bt.StringType == "BMPString"))
	case asn1.KindObjectIdentifier:
		o, ok := v.Interface().(per.OID)
		if !ok {
			if v.Kind() != reflect.Slice {
				return fmt.Errorf("OBJECT IDENTIFIER held in %s", v.Type())
			}
			o = make(per.OID, v.Len())
			for i := range o {
				o[i] = uint32(v.Index(i).Uint())
			}
		}
		b.WriteByte('{')
		for i, n := range o {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.FormatUint(uint64(n), 10))
		}
		b.WriteByte('}')
	case asn1.KindSequenceOf, asn1.KindSetOf:
		b.WriteByte('[')
		for i := range v.Len() {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := w.write(b, bt.Elem, v.Index(i)); err != nil {
				return fmt.Errorf("[%d]: %w", i, err)
			}
		}
		b.WriteByte(']')
	case asn1.KindSequence, asn1.KindSet:
		return w.sequence(b, bt, v)
	case asn1.KindChoice:
		return w.choice(b, bt, v)
	default:
		return fmt.Errorf("ASN.1 %v has no term form here", bt.Kind)
	}
	return nil
}

// builtin follows references to the type that says how a value looks.
func builtin(t *asn1.Type) *asn1.Type {
	if t.Builtin != nil {
		return t.Builtin
	}
	return t
}

// sequence writes {Record, C1, C2, ...}: every component in order, root
// components first, then extension additions, as Erlang's records lay
// them out. The record name is not checked by Erlang's encoder.
func (w termWriter) sequence(b *strings.Builder, t *asn1.Type, v reflect.Value) error {
	if v.Kind() != reflect.Struct {
		return fmt.Errorf("SEQUENCE held in %s", v.Type())
	}
	fields := dataFields(v)
	b.WriteByte('{')
	b.WriteString(atom(v.Type().Name()))
	next := 0
	for ci, c := range t.Components() {
		b.WriteByte(',')
		isNull := builtin(c.Type).Kind == asn1.KindNull
		inRoot := ci < len(t.Root)
		if isNull && inRoot && !c.Optional && c.Default == nil {
			b.WriteString("'NULL'") // a mandatory NULL has no Go field
			continue
		}
		if next >= len(fields) {
			return fmt.Errorf("%s: no Go field for component %s", v.Type(), c.Name)
		}
		f := fields[next]
		next++
		if !sameName(v.Type().Field(f).Name, c.Name) {
			return fmt.Errorf("%s: Go field %s where component %s was expected", v.Type(), v.Type().Field(f).Name, c.Name)
		}
		fv := v.Field(f)
		switch {
		case isNull: // OPTIONAL NULL or NULL addition: a presence flag
			if fv.Bool() {
				b.WriteString("'NULL'")
			} else {
				b.WriteString("asn1_NOVALUE")
			}
		case fv.Kind() == reflect.Pointer && fv.IsNil() && (c.Optional || !inRoot):
			b.WriteString("asn1_NOVALUE")
		case fv.Kind() == reflect.Pointer && fv.IsNil():
			return fmt.Errorf("%s: mandatory component %s is nil", v.Type(), c.Name)
		default:
			if err := w.write(b, c.Type, fv); err != nil {
				return fmt.Errorf("%s.%s: %w", v.Type().Name(), c.Name, err)
			}
		}
	}
	if next != len(fields) {
		return fmt.Errorf("%s: %d Go fields left over", v.Type(), len(fields)-next)
	}
	b.WriteByte('}')
	return checkNoUnknown(v)
}

// choice writes {alternative, Value}.
func (w termWriter) choice(b *strings.Builder, t *asn1.Type, v reflect.Value) error {
	if v.Kind() != reflect.Struct || v.Type().Field(0).Name != "Choice" {
		return fmt.Errorf("CHOICE held in %s", v.Type())
	}
	alts := append([]*asn1.Component(nil), t.Root...)
	for _, a := range t.Ext {
		alts = append(alts, a.Components...)
	}
	idx := int(v.Field(0).Int())
	if idx < 1 || idx > len(alts) {
		return fmt.Errorf("%s: alternative %d of %d", v.Type(), idx, len(alts))
	}
	alt := alts[idx-1]
	b.WriteByte('{')
	b.WriteString(atom(alt.Name))
	b.WriteByte(',')
	if builtin(alt.Type).Kind == asn1.KindNull {
		b.WriteString("'NULL'}")
		return nil
	}
	// The value's field is the k-th field after Choice, k counting the
	// alternatives before it that are not NULL.
	k := 0
	for _, a := range alts[:idx-1] {
		if builtin(a.Type).Kind != asn1.KindNull {
			k++
		}
	}
	fields := dataFields(v)
	if k >= len(fields) || !sameName(v.Type().Field(fields[k]).Name, alt.Name) {
		return fmt.Errorf("%s: no Go field for alternative %s", v.Type(), alt.Name)
	}
	if err := w.write(b, alt.Type, v.Field(fields[k])); err != nil {
		return fmt.Errorf("%s.%s: %w", v.Type().Name(), alt.Name, err)
	}
	b.WriteByte('}')
	return nil
}

// dataFields returns the indices of a generated struct's fields that hold
// components or alternatives (not Choice, Ext or Unknown).
func dataFields(v reflect.Value) []int {
	var out []int
	for i := range v.NumField() {
		switch v.Type().Field(i).Name {
		case "Choice", "Ext", "Unknown":
			continue
		}
		out = append(out, i)
	}
	return out
}

// checkNoUnknown refuses values that carry extensions unknown to the
// schema: they have no term.
func checkNoUnknown(v reflect.Value) error {
	if ext := v.FieldByName("Ext"); ext.IsValid() {
		if u := ext.FieldByName("Unknown"); u.IsValid() && u.Len() > 0 {
			return fmt.Errorf("%s carries unknown extension additions", v.Type())
		}
	}
	return nil
}

// sameName compares a Go field name with an ASN.1 identifier, ignoring
// case, hyphens and the suffixes that keep Go names unique.
func sameName(goName, asnName string) bool {
	norm := func(s string) string {
		var b strings.Builder
		for _, r := range s {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				b.WriteRune(unicode.ToLower(r))
			}
		}
		return b.String()
	}
	g, a := norm(goName), norm(asnName)
	return g == a || strings.TrimSuffix(g, "field") == a || strings.TrimRight(g, "0123456789") == a
}

// atom quotes an Erlang atom.
func atom(s string) string {
	return "'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "'", `\'`) + "'"
}

// binary renders octets as an Erlang binary.
func binary(p []byte) string {
	var b strings.Builder
	b.WriteString("<<")
	for i, c := range p {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(int(c)))
	}
	b.WriteString(">>")
	return b.String()
}

// bitString renders a BIT STRING as an Erlang bitstring.
func bitString(bs per.BitString) string {
	var parts []string
	full := bs.BitLength / 8
	for _, c := range bs.Bytes[:full] {
		parts = append(parts, strconv.Itoa(int(c)))
	}
	if r := bs.BitLength % 8; r != 0 {
		parts = append(parts, fmt.Sprintf("%d:%d", bs.Bytes[full]>>(8-r), r))
	}
	return "<<" + strings.Join(parts, ",") + ">>"
}

// codePoints renders a character string as a list of code points (UTF-16
// code units for a BMPString).
func codePoints(s string, bmp bool) string {
	var ns []string
	for _, r := range s {
		if bmp && r > 0xffff {
			r -= 0x10000
			ns = append(ns, strconv.Itoa(int(0xd800+(r>>10))), strconv.Itoa(int(0xdc00+r&0x3ff)))
			continue
		}
		ns = append(ns, strconv.Itoa(int(r)))
	}
	return "[" + strings.Join(ns, ",") + "]"
}
