package main

import (
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/switchyard/switchyard/h323/internal/asn1"
)

// config is what the command line asks for.
type config struct {
	pkg      string
	primary  string            // module whose type names are never prefixed
	roots    []string          // "Module.Type"
	prefixes map[string]string // module -> prefix used when a name collides
	imports  map[string]string // module -> import path of the package that holds its types
	modules  []string          // module files
	out      string            // output directory
}

// goType is one named Go type of the generated package (or, with
// external set, of an imported package).
type goType struct {
	name    string
	asnName string // ASN.1 name for documentation: "Setup-UUIE", "Setup-UUIE.connectionParameters"
	module  *asn1.Module
	// node is the defining type node: the assignment's type, an anonymous
	// structured node, or the body of a parameterized instance.
	node *asn1.Type
	// alias, when set, makes this type an alias ("type X = Y") of a Go type
	// expression.
	alias string
	// external is the package qualifier of a type defined elsewhere.
	external string
	// instance names the parameterized reference this type instantiates.
	instance string
}

// kind returns the builtin kind of the type.
func (t *goType) kind() asn1.Kind { return t.node.Builtin.Kind }

// gen holds the state of one generation run.
type gen struct {
	cfg      config
	set      *asn1.Set
	byAssign map[*asn1.TypeAssignment]*goType
	byNode   map[*asn1.Type]*goType // anonymous structured nodes and instances
	types    []*goType              // generated types, in discovery order
	names    map[string]bool        // package-level identifiers in use
	external map[string]string      // qualifier -> import path actually used

	// discovery
	seenAssign map[*asn1.TypeAssignment]bool
	seenNode   map[*asn1.Type]bool
	order      []any // *asn1.TypeAssignment or *asn1.Type (instance), discovery order

	alphabets     map[string]string // "kind|chars" -> variable name
	alphabetOrder []string
	minBitsMemo   map[*asn1.Type]int
}

// reservedNames lists the package-level identifiers of the support file.
func reservedNames() []string {
	return []string{"Extensions", "wrapErr", "writeBMPString", "readBMPString", "errNoChoice",
		"errNoValue", "errUnknownIndex", "errGroupMember", "appendBMPUnit", "nextBMPUnit"}
}

func newGen(cfg config, set *asn1.Set) *gen {
	g := &gen{
		cfg: cfg, set: set,
		byAssign:    make(map[*asn1.TypeAssignment]*goType),
		byNode:      make(map[*asn1.Type]*goType),
		names:       make(map[string]bool),
		external:    make(map[string]string),
		seenAssign:  make(map[*asn1.TypeAssignment]bool),
		seenNode:    make(map[*asn1.Type]bool),
		alphabets:   make(map[string]string),
		minBitsMemo: make(map[*asn1.Type]int),
	}
	for _, n := range reservedNames() {
		g.names[n] = true
	}
	return g
}

func (g *gen) isExternal(m *asn1.Module) bool {
	_, ok := g.cfg.imports[m.Name]
	return ok && m.Name != g.cfg.primary
}

// build walks the roots, names every reachable type and fixes aliases.
func (g *gen) build() error {
	for _, r := range g.cfg.roots {
		mod, name, ok := strings.Cut(r, ".")
		if !ok {
			return fmt.Errorf("root %q: want Module.Type", r)
		}
		a := g.set.Lookup(mod, name)
		if a == nil {
			return fmt.Errorf("root %q: no such type", r)
		}
		if len(a.Params) > 0 {
			return fmt.Errorf("root %q: parameterized", r)
		}
		if err := g.discoverAssign(a); err != nil {
			return err
		}
	}
	if err := g.nameTopLevel(); err != nil {
		return err
	}
	// Anonymous nested types, in discovery order of their parents
	// (nameAnon recurses into the types it adds).
	top := len(g.types)
	for i := 0; i < top; i++ {
		t := g.types[i]
		if t.alias != "" {
			continue
		}
		if err := g.nameNested(t.node, t.name, t); err != nil {
			return err
		}
	}
	return nil
}

func (g *gen) discoverAssign(a *asn1.TypeAssignment) error {
	if g.seenAssign[a] {
		return nil
	}
	g.seenAssign[a] = true
	if g.isExternal(a.Module) {
		return nil
	}
	g.order = append(g.order, a)
	return g.discover(a.Type, a.Module.Name+"."+a.Name)
}

// discover follows every reference reachable from t.
func (g *gen) discover(t *asn1.Type, ctx string) error {
	if t == nil {
		return nil
	}
	if t.Unresolved != "" {
		return fmt.Errorf("%s: %s depends on unresolved %s", t.Pos, ctx, t.Unresolved)
	}
	switch t.Kind {
	case asn1.KindReference:
		if t.Instance != nil {
			if !g.seenNode[t.Instance] {
				g.seenNode[t.Instance] = true
				g.order = append(g.order, t)
				if err := g.discover(t.Instance, ctx); err != nil {
					return err
				}
			}
			return nil
		}
		return g.discoverAssign(t.Target)
	case asn1.KindSequence, asn1.KindSet, asn1.KindChoice:
		if err := checkTagOrder(t); err != nil {
			return fmt.Errorf("%s: %s: %w", t.Pos, ctx, err)
		}
		for _, c := range t.Components() {
			if err := g.discover(c.Type, ctx+"."+c.Name); err != nil {
				return err
			}
		}
	case asn1.KindSequenceOf, asn1.KindSetOf:
		return g.discover(t.Elem, ctx+".*")
	case asn1.KindReal, asn1.KindTime, asn1.KindExternal, asn1.KindRelativeOID, asn1.KindInvalid:
		return fmt.Errorf("%s: %s: %s is not supported", t.Pos, ctx, t.Kind)
	}
	return nil
}

func (g *gen) claim(name string) bool {
	if g.names[name] {
		return false
	}
	g.names[name] = true
	return true
}

// uniqueName claims name, or name2, name3, ... when it is taken.
func (g *gen) uniqueName(name string) string {
	if g.claim(name) {
		return name
	}
	for i := 2; ; i++ {
		n := name + strconv.Itoa(i)
		if g.claim(n) {
			return n
		}
	}
}

// nameTopLevel names the named assignments and the parameterized
// instances: those of the primary module first (their names are never
// changed), then the others (prefixed when their name is taken), then the
// instances.
func (g *gen) nameTopLevel() error {
	var later []*asn1.TypeAssignment
	var instances []*asn1.Type
	for _, o := range g.order {
		switch o := o.(type) {
		case *asn1.TypeAssignment:
			if o.Module.Name == g.cfg.primary {
				name := goName(o.Name)
				if !g.claim(name) {
					return fmt.Errorf("%s: Go name %s of %s is taken", o.Pos, name, o.Name)
				}
				g.byAssign[o] = &goType{name: name, asnName: o.Name, module: o.Module, node: o.Type}
			} else {
				later = append(later, o)
			}
		case *asn1.Type:
			instances = append(instances, o)
		}
	}
	for _, a := range later {
		name := goName(a.Name)
		if !g.claim(name) {
			name = g.uniqueName(g.cfg.prefixes[a.Module.Name] + name)
		}
		g.byAssign[a] = &goType{name: name, asnName: a.Name, module: a.Module, node: a.Type}
	}
	for _, ref := range instances {
		name := titleAllCaps(goName(ref.Target.Name))
		for _, arg := range ref.Args {
			if arg.Target != nil {
				name += goName(arg.Target.Name)
			} else {
				name += goName(arg.Ref)
			}
		}
		name = g.uniqueName(name)
		key := asn1.InstanceKey(ref.Target, ref.Args)
		g.byNode[ref.Instance] = &goType{name: name, asnName: strings.TrimPrefix(key, ref.Target.Module.Name+"."),
			module: ref.Target.Module, node: ref.Instance, instance: key}
	}
	// Keep discovery order for output.
	for _, o := range g.order {
		var t *goType
		switch o := o.(type) {
		case *asn1.TypeAssignment:
			t = g.byAssign[o]
		case *asn1.Type:
			t = g.byNode[o.Instance]
		}
		g.types = append(g.types, t)
	}
	// Aliases: an assignment that only renames another type.
	for _, t := range g.types {
		n := t.node
		if n.Kind != asn1.KindReference {
			continue
		}
		target := g.refGoType(n)
		switch n.Builtin.Kind {
		case asn1.KindSequence, asn1.KindSet, asn1.KindChoice:
			t.alias = target
		default:
			if samePER(n, refBody(n)) {
				t.alias = target
			}
		}
	}
	return nil
}

// refBody returns the node a reference stands for.
func refBody(t *asn1.Type) *asn1.Type {
	if t.Instance != nil {
		return t.Instance
	}
	return t.Target.Type
}

func samePER(a, b *asn1.Type) bool {
	pa, pb := a.PER, b.PER
	if pa.Value != pb.Value || pa.Size != pb.Size || len(pa.Alphabet) != len(pb.Alphabet) {
		return false
	}
	for i := range pa.Alphabet {
		if pa.Alphabet[i] != pb.Alphabet[i] {
			return false
		}
	}
	return true
}

// refGoType returns the Go type expression a reference node names.
func (g *gen) refGoType(t *asn1.Type) string {
	if t.Instance != nil {
		return g.byNode[t.Instance].name
	}
	a := t.Target
	if g.isExternal(a.Module) {
		imp := g.cfg.imports[a.Module.Name]
		q := path.Base(imp)
		g.external[q] = imp
		return q + "." + goName(a.Name)
	}
	return g.byAssign[a].name
}

// nameNested gives a Go name to each anonymous SEQUENCE, SET, CHOICE and
// ENUMERATED inside t (the defining node of owner).
func (g *gen) nameNested(t *asn1.Type, prefix string, owner *goType) error {
	switch t.Kind {
	case asn1.KindSequence, asn1.KindSet, asn1.KindChoice:
		for _, c := range t.Components() {
			if err := g.nameAnon(c.Type, prefix+goName(c.Name), owner.asnName+"."+c.Name, owner.module); err != nil {
				return err
			}
		}
	case asn1.KindSequenceOf, asn1.KindSetOf:
		return g.nameAnon(t.Elem, prefix+"Item", owner.asnName+".*", owner.module)
	}
	return nil
}

func (g *gen) nameAnon(t *asn1.Type, name, asnName string, m *asn1.Module) error {
	if g.byNode[t] != nil {
		return fmt.Errorf("%s: %s named twice", t.Pos, asnName)
	}
	switch t.Kind {
	case asn1.KindSequence, asn1.KindSet, asn1.KindChoice, asn1.KindEnumerated:
		gt := &goType{name: g.uniqueName(name), asnName: asnName, module: m, node: t}
		g.byNode[t] = gt
		g.types = append(g.types, gt)
		return g.nameNested(t, gt.name, gt)
	case asn1.KindSequenceOf, asn1.KindSetOf:
		return g.nameAnon(t.Elem, name+"Item", asnName+".*", m)
	}
	return nil
}

// goTypeOf returns the Go type expression of the values of a use-site
// type node (without the pointer of an OPTIONAL component).
func (g *gen) goTypeOf(t *asn1.Type) string {
	if t.Kind == asn1.KindReference {
		return g.refGoType(t)
	}
	if gt := g.byNode[t]; gt != nil {
		return gt.name
	}
	switch t.Kind {
	case asn1.KindSequenceOf, asn1.KindSetOf:
		return "[]" + g.goTypeOf(t.Elem)
	}
	return primitiveRepr(t)
}

// primitiveRepr returns the Go representation of a primitive type node.
func primitiveRepr(t *asn1.Type) string {
	b := t.Builtin
	switch b.Kind {
	case asn1.KindBoolean:
		return "bool"
	case asn1.KindNull:
		return "struct{}"
	case asn1.KindInteger:
		return intRepr(t.PER.Value)
	case asn1.KindBitString:
		return "per.BitString"
	case asn1.KindOctetString, asn1.KindOpenType:
		return "[]byte"
	case asn1.KindCharString:
		return "string"
	case asn1.KindObjectIdentifier:
		return "per.OID"
	}
	return "any"
}

// intRepr picks the smallest Go integer type that holds every value of an
// INTEGER's root range; extensible and unbounded INTEGERs use int64.
func intRepr(r asn1.Range) string {
	if r.Extensible || !r.Constrained() {
		return "int64"
	}
	if r.Lower >= 0 {
		switch {
		case r.Upper <= 0xff:
			return "uint8"
		case r.Upper <= 0xffff:
			return "uint16"
		case r.Upper <= 0xffffffff:
			return "uint32"
		}
		return "int64"
	}
	switch {
	case r.Lower >= -128 && r.Upper <= 127:
		return "int8"
	case r.Lower >= -32768 && r.Upper <= 32767:
		return "int16"
	case r.Lower >= -2147483648 && r.Upper <= 2147483647:
		return "int32"
	}
	return "int64"
}

// isStructured reports whether values of t are Go structs with methods
// (SEQUENCE, SET, CHOICE).
func isStructured(t *asn1.Type) bool {
	switch t.Builtin.Kind {
	case asn1.KindSequence, asn1.KindSet, asn1.KindChoice:
		return true
	}
	return false
}

func isSeqOf(t *asn1.Type) bool {
	k := t.Builtin.Kind
	return k == asn1.KindSequenceOf || k == asn1.KindSetOf
}

// checkTagOrder makes sure that the canonical (tag) order of the root
// alternatives of a CHOICE, or the components of a SET, is their textual
// order, which is what the generated code uses: automatic tags, or context
// tags in increasing textual order. Other tag orders are not supported.
func checkTagOrder(t *asn1.Type) error {
	if t.Kind == asn1.KindSequence || len(t.Root) < 2 {
		return nil
	}
	tagged := 0
	for _, c := range t.Root {
		if c.Type.Tag != nil {
			tagged++
		}
	}
	if tagged == 0 && t.Module != nil && t.Module.TagDefault == "AUTOMATIC" {
		return nil
	}
	last := int64(-1)
	for _, c := range t.Root {
		tag := c.Type.Tag
		if tag == nil || tag.Class != "" || tag.Number <= last {
			return fmt.Errorf("%s components are not in canonical tag order (only automatic tags or increasing context tags are supported)", t.Kind)
		}
		last = tag.Number
	}
	return nil
}
