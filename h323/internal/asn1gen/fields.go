package main

import (
	"fmt"

	"github.com/switchyard/switchyard/h323/internal/asn1"
)

// field is one Go field of a SEQUENCE or SET struct.
type field struct {
	c    *asn1.Component
	name string // Go field name; "" for a mandatory NULL, which has no field
	typ  string // Go type of the value (without the pointer)
	ptr  bool   // the field is a pointer: nil when absent
	flag bool   // an OPTIONAL NULL or NULL extension addition: a bool "present"
	// optional marks a root component with a presence bit (OPTIONAL or
	// DEFAULT).
	optional bool
	def      string // Go literal of the DEFAULT value, if any
	addition int    // -1 for a root component, else the index of its extension addition
}

// seqLayout is the Go shape of a SEQUENCE or SET.
type seqLayout struct {
	root      []*field
	additions [][]*field // one slice per extension addition (groups have several)
	groups    []bool     // additions[i] is an extension addition group
	ext       bool       // extensible
}

// choiceAlt is one alternative of a CHOICE.
type choiceAlt struct {
	c         *asn1.Component
	name      string // Go field name; "" for NULL
	constName string
	typ       string
	ptr       bool
	index     int // PER index: root alternatives 0.., extension ones after them
	ext       bool
}

type choiceLayout struct {
	tagType string
	alts    []*choiceAlt
	root    int
	ext     bool
}

// reservedFields are names the generated structs use themselves.
func reservedField(name string) bool {
	switch name {
	case "Ext", "Choice", "Unknown", "Encode", "Decode", "MarshalPER", "UnmarshalPER", "String":
		return true
	}
	return false
}

func uniqueField(seen map[string]bool, name string) string {
	if reservedField(name) {
		name += "Field"
	}
	base := name
	for i := 2; seen[name]; i++ {
		name = fmt.Sprintf("%s%d", base, i)
	}
	seen[name] = true
	return name
}

func (g *gen) seqLayout(t *asn1.Type) (*seqLayout, error) {
	l := &seqLayout{ext: t.Extensible}
	seen := make(map[string]bool)
	for _, c := range t.Root {
		f := &field{c: c, addition: -1}
		isNull := c.Type.Builtin.Kind == asn1.KindNull
		switch {
		case isNull && (c.Optional || c.Default != nil):
			f.flag, f.optional, f.typ = true, true, "bool"
		case isNull:
			// A mandatory NULL carries no information: no field.
		case c.Default != nil:
			lit, err := g.defaultLiteral(c)
			if err != nil {
				return nil, err
			}
			f.optional, f.def, f.typ = true, lit, g.goTypeOf(c.Type)
		case c.Optional:
			f.optional, f.ptr, f.typ = true, true, g.goTypeOf(c.Type)
		default:
			f.typ = g.goTypeOf(c.Type)
		}
		if f.typ != "" {
			f.name = uniqueField(seen, goName(c.Name))
		}
		l.root = append(l.root, f)
	}
	for i, a := range t.Ext {
		var fs []*field
		for _, c := range a.Components {
			f := &field{c: c, addition: i}
			if c.Default != nil {
				return nil, fmt.Errorf("%s: DEFAULT in an extension addition is not supported", c.Pos)
			}
			if c.Type.Builtin.Kind == asn1.KindNull {
				f.flag, f.typ = true, "bool"
			} else {
				f.ptr, f.typ = true, g.goTypeOf(c.Type)
			}
			f.optional = c.Optional
			f.name = uniqueField(seen, goName(c.Name))
			fs = append(fs, f)
		}
		l.additions = append(l.additions, fs)
		l.groups = append(l.groups, a.Group)
	}
	return l, nil
}

func (g *gen) choiceLayout(gt *goType, t *asn1.Type) *choiceLayout {
	l := &choiceLayout{tagType: gt.name + "Choice", root: len(t.Root), ext: t.Extensible}
	seen := make(map[string]bool)
	add := func(c *asn1.Component, index int, ext bool) {
		a := &choiceAlt{c: c, index: index, ext: ext}
		a.constName = gt.name + "Choice" + goName(c.Name)
		if c.Type.Builtin.Kind != asn1.KindNull {
			a.typ = g.goTypeOf(c.Type)
			a.ptr = isStructured(c.Type)
			a.name = uniqueField(seen, goName(c.Name))
		}
		l.alts = append(l.alts, a)
	}
	for i, c := range t.Root {
		add(c, i, false)
	}
	for j, a := range t.Ext {
		add(a.Components[0], len(t.Root)+j, true)
	}
	return l
}

// defaultLiteral returns the Go literal of a DEFAULT value.
func (g *gen) defaultLiteral(c *asn1.Component) (string, error) {
	b := c.Type.Builtin
	v := c.Default
	switch b.Kind {
	case asn1.KindBoolean:
		switch v.Kind {
		case asn1.ValTrue:
			return "true", nil
		case asn1.ValFalse:
			return "false", nil
		}
	case asn1.KindInteger:
		switch v.Kind {
		case asn1.ValNumber:
			return fmt.Sprint(v.Int), nil
		case asn1.ValRef:
			for _, nn := range b.NamedNumbers {
				if nn.Name == v.Str {
					return fmt.Sprint(nn.Value), nil
				}
			}
		}
	case asn1.KindEnumerated:
		if v.Kind == asn1.ValRef {
			typ := g.goTypeOf(c.Type)
			for _, nn := range enumItems(b) {
				if nn.Name == v.Str {
					// The constant emitEnumerated declares.
					return typ + goName(nn.Name), nil
				}
			}
		}
	case asn1.KindCharString:
		if v.Kind == asn1.ValCString {
			return fmt.Sprintf("%q", v.Str), nil
		}
	}
	return "", fmt.Errorf("%s: DEFAULT %s for %s is not supported", c.Pos, v, b.Kind)
}

// enumItems returns the items of an ENUMERATED in PER index order.
func enumItems(b *asn1.Type) []asn1.NamedNumber {
	return append(append([]asn1.NamedNumber(nil), b.EnumRoot...), b.EnumExt...)
}
