package asn1

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Set is a group of modules resolved together: references across the
// modules of a Set are followed.
type Set struct {
	Modules []*Module
	// Warnings lists lenient resolutions, for example a symbol imported
	// FROM a module name that is not loaded but found in another module.
	Warnings []string
	// Unresolved lists "Module.Name" of symbols that could not be found;
	// types that depend on them carry Type.Unresolved.
	Unresolved []string

	byName     map[string]*Module
	instances  map[string]*Type
	inProgress map[*Type]bool
	refDone    map[*Type]bool
	unresolved map[string]bool
	expanding  map[*Type]bool
}

// Load parses the module files and resolves them as one Set.
func Load(paths ...string) (*Set, error) {
	var mods []*Module
	for _, p := range paths {
		src, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("read module: %w", err)
		}
		ms, err := ParseFile(filepath.Base(p), src)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", p, err)
		}
		mods = append(mods, ms...)
	}
	return Resolve(mods...)
}

// Resolve links the modules: imports, type references (including
// parameterized ones), COMPONENTS OF, enumeration numbering, and the
// PER-visible constraints of every type node. Missing symbols are not an
// error (they are listed in Unresolved); malformed constructs are.
func Resolve(mods ...*Module) (*Set, error) {
	s := &Set{
		Modules:    mods,
		byName:     make(map[string]*Module),
		instances:  make(map[string]*Type),
		inProgress: make(map[*Type]bool),
		refDone:    make(map[*Type]bool),
		unresolved: make(map[string]bool),
		expanding:  make(map[*Type]bool),
	}
	for _, m := range mods {
		if _, dup := s.byName[m.Name]; dup {
			return nil, fmt.Errorf("%s: module %s defined twice", m.Pos, m.Name)
		}
		s.byName[m.Name] = m
		m.types = make(map[string]*TypeAssignment)
		m.values = make(map[string]*ValueAssignment)
		for _, a := range m.Types {
			if _, dup := m.types[a.Name]; dup {
				return nil, fmt.Errorf("%s: type %s defined twice in %s", a.Pos, a.Name, m.Name)
			}
			m.types[a.Name] = a
		}
		for _, v := range m.Values {
			m.values[v.Name] = v
		}
	}
	for _, m := range mods {
		for _, imp := range m.Imports {
			imp.Resolved = s.byName[imp.Module]
			if imp.Resolved == nil {
				imp.Resolved = s.moduleByOID(imp.OID)
			}
		}
	}
	var errs []error
	for _, m := range mods {
		for _, a := range m.Types {
			if len(a.Params) > 0 {
				continue // only instances are resolved
			}
			if err := s.resolveTree(a.Type, m, a.Name); err != nil {
				errs = append(errs, fmt.Errorf("%s.%s: %w", m.Name, a.Name, err))
			}
		}
		for _, v := range m.Values {
			if err := s.resolveTree(v.Type, m, v.Name); err != nil {
				errs = append(errs, fmt.Errorf("%s.%s: %w", m.Name, v.Name, err))
			}
		}
		for _, vs := range m.ValueSets {
			if err := s.resolveTree(vs.Type, m, vs.Name); err != nil {
				errs = append(errs, fmt.Errorf("%s.%s: %w", m.Name, vs.Name, err))
			}
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	for k := range s.unresolved {
		s.Unresolved = append(s.Unresolved, k)
	}
	sort.Strings(s.Unresolved)
	sort.Strings(s.Warnings)
	return s, nil
}

// Module returns the module with the given name, or nil.
func (s *Set) Module(name string) *Module { return s.byName[name] }

// Lookup returns the type assignment name of module, or nil.
func (s *Set) Lookup(module, name string) *TypeAssignment {
	m := s.byName[module]
	if m == nil {
		return nil
	}
	return m.types[name]
}

// LookupType returns the type assignment name as seen from module m
// (defined there or imported), or nil.
func (m *Module) LookupType(name string) *TypeAssignment { return m.types[name] }

func (s *Set) moduleByOID(oid []OIDComponent) *Module {
	if len(oid) == 0 {
		return nil
	}
	for _, m := range s.Modules {
		if oidEqual(m.OID, oid) {
			return m
		}
	}
	return nil
}

func oidEqual(a, b []OIDComponent) bool {
	if len(a) != len(b) || len(a) == 0 {
		return false
	}
	for i := range a {
		if a[i].HasNumber && b[i].HasNumber {
			if a[i].Number != b[i].Number {
				return false
			}
		} else if a[i].Name != b[i].Name {
			return false
		}
	}
	return true
}

// findType looks a type reference up as seen from module m: a definition
// in m, then m's imports. A symbol imported from a module that is not
// loaded, or that the named module does not define, is looked for in every
// loaded module (with a warning) before it is declared unresolved.
func (s *Set) findType(m *Module, module, name string) *TypeAssignment {
	if module != "" {
		if mm := s.byName[module]; mm != nil {
			return s.findType(mm, "", name)
		}
	}
	return s.findTypeSeen(m, name, map[*Module]bool{})
}

func (s *Set) findTypeSeen(m *Module, name string, seen map[*Module]bool) *TypeAssignment {
	if seen[m] {
		return nil
	}
	seen[m] = true
	if a := m.types[name]; a != nil {
		return a
	}
	for _, imp := range m.Imports {
		if !containsSymbol(imp.Symbols, name) {
			continue
		}
		if imp.Resolved != nil {
			if a := s.findTypeSeen(imp.Resolved, name, seen); a != nil {
				return a
			}
		}
		// Lenient: the import names a module that is missing or does
		// not define the symbol; accept a unique definition elsewhere.
		var found []*TypeAssignment
		for _, other := range s.Modules {
			if a := other.types[name]; a != nil && other != m {
				found = append(found, a)
			}
		}
		if len(found) == 1 {
			s.warnf("%s: %s imported FROM %s, found in %s", m.Name, name, imp.Module, found[0].Module.Name)
			return found[0]
		}
		return nil
	}
	return nil
}

func (s *Set) findValue(m *Module, module, name string, seen map[*Module]bool) *ValueAssignment {
	if module != "" {
		if mm := s.byName[module]; mm != nil {
			m = mm
		}
	}
	if seen[m] {
		return nil
	}
	seen[m] = true
	if v := m.values[name]; v != nil {
		return v
	}
	for _, imp := range m.Imports {
		if containsSymbol(imp.Symbols, name) && imp.Resolved != nil {
			if v := s.findValue(imp.Resolved, "", name, seen); v != nil {
				return v
			}
		}
	}
	return nil
}

func containsSymbol(list []string, name string) bool {
	for _, s := range list {
		if s == name {
			return true
		}
	}
	return false
}

func (s *Set) warnf(format string, args ...any) {
	w := fmt.Sprintf(format, args...)
	for _, x := range s.Warnings {
		if x == w {
			return
		}
	}
	s.Warnings = append(s.Warnings, w)
}

// resolveTree resolves every node of a type tree written in module m.
func (s *Set) resolveTree(t *Type, m *Module, ctx string) error {
	if t == nil || s.refDone[t] {
		return nil
	}
	if t.Module == nil {
		t.Module = m
	}
	if err := s.resolveRef(t); err != nil {
		return err
	}
	s.refDone[t] = true
	switch t.Kind {
	case KindSequence, KindSet:
		if err := s.expandComponentsOf(t); err != nil {
			return err
		}
		fallthrough
	case KindChoice:
		if err := checkDistinctNames(t); err != nil {
			return err
		}
		for _, c := range t.Root {
			if err := s.resolveTree(c.Type, t.Module, ctx+"."+c.Name); err != nil {
				return err
			}
		}
		for _, a := range t.Ext {
			for _, c := range a.Components {
				if err := s.resolveTree(c.Type, t.Module, ctx+"."+c.Name); err != nil {
					return err
				}
			}
		}
	case KindSequenceOf, KindSetOf:
		if err := s.resolveTree(t.Elem, t.Module, ctx+".*"); err != nil {
			return err
		}
	case KindEnumerated:
		if err := s.numberEnumeration(t); err != nil {
			return fmt.Errorf("%s: %w", t.Pos, err)
		}
	case KindInteger, KindBitString:
		for i := range t.NamedNumbers {
			nn := &t.NamedNumbers[i]
			if nn.Ref != nil {
				n, err := s.intValue(t.Module, nn.Ref)
				if err != nil {
					return err
				}
				nn.Value = n
			}
		}
	case KindOpenType:
		if err := s.resolveTree(t.OpenTypeOf, t.Module, ctx); err != nil {
			return err
		}
	case KindReference:
		for _, a := range t.Args {
			if err := s.resolveTree(a, t.Module, ctx); err != nil {
				return err
			}
		}
		if t.Instance != nil {
			if err := s.resolveTree(t.Instance, t.Target.Module, ctx); err != nil {
				return err
			}
		}
	}
	for _, c := range t.Constraints {
		if err := s.resolveConstraintTypes(c, t.Module, ctx); err != nil {
			return err
		}
	}
	per, err := s.perConstraints(t)
	if err != nil {
		return fmt.Errorf("%s: constraints: %w", t.Pos, err)
	}
	t.PER = per
	return nil
}

func checkDistinctNames(t *Type) error {
	seen := make(map[string]bool)
	for _, c := range t.Components() {
		if seen[c.Name] {
			return fmt.Errorf("%s: component %s defined twice", c.Pos, c.Name)
		}
		seen[c.Name] = true
	}
	return nil
}

func (s *Set) resolveConstraintTypes(c *Constraint, m *Module, ctx string) error {
	if c == nil {
		return nil
	}
	var walk func(e *ElementSet) error
	walk = func(e *ElementSet) error {
		if e == nil {
			return nil
		}
		for _, x := range e.Sets {
			if err := walk(x); err != nil {
				return err
			}
		}
		if e.Sub != nil {
			if err := s.resolveConstraintTypes(e.Sub, m, ctx); err != nil {
				return err
			}
		}
		if e.Type != nil {
			return s.resolveTree(e.Type, m, ctx)
		}
		return nil
	}
	if err := walk(c.Root); err != nil {
		return err
	}
	return walk(c.Ext)
}

// resolveRef sets Target, Instance and Builtin of a node, following
// reference chains (which must not be circular).
func (s *Set) resolveRef(t *Type) error {
	if t.Builtin != nil || t.Unresolved != "" {
		return nil
	}
	if t.Kind == KindOpenType {
		// "TYPE-IDENTIFIER.&Type (Foo)": remember Foo.
		for _, c := range t.Constraints {
			if c.Root != nil && c.Root.Kind == CType && t.OpenTypeOf == nil {
				t.OpenTypeOf = c.Root.Type
			}
		}
		if t.OpenTypeOf != nil && t.OpenTypeOf.Module == nil {
			t.OpenTypeOf.Module = t.Module
		}
	}
	if t.Kind != KindReference {
		t.Builtin = t
		return nil
	}
	if s.inProgress[t] {
		return fmt.Errorf("%s: circular type reference through %s", t.Pos, t.Ref)
	}
	s.inProgress[t] = true
	defer delete(s.inProgress, t)

	a := s.findType(t.Module, t.RefModule, t.Ref)
	if a == nil {
		t.Unresolved = t.Module.Name + "." + t.Ref
		s.unresolved[t.Unresolved] = true
		return nil
	}
	t.Target = a
	body := a.Type
	if len(a.Params) > 0 || len(t.Args) > 0 {
		if len(a.Params) != len(t.Args) {
			return fmt.Errorf("%s: %s takes %d parameters, %d given", t.Pos, t.Ref, len(a.Params), len(t.Args))
		}
		for _, arg := range t.Args {
			if arg.Module == nil {
				arg.Module = t.Module
			}
			if err := s.resolveRef(arg); err != nil {
				return err
			}
		}
		inst, err := s.instantiate(a, t.Args)
		if err != nil {
			return fmt.Errorf("%s: %w", t.Pos, err)
		}
		t.Instance = inst
		body = inst
	}
	if body.Module == nil {
		body.Module = a.Module
	}
	if err := s.resolveRef(body); err != nil {
		return err
	}
	if body.Unresolved != "" {
		t.Unresolved = body.Unresolved
		return nil
	}
	t.Builtin = body.Builtin
	return nil
}

// InstanceKey names the instance of a parameterized type for the given
// actual parameters, for example "SIGNED{EncodedGeneralToken}".
func InstanceKey(a *TypeAssignment, args []*Type) string {
	var b strings.Builder
	b.WriteString(a.Module.Name + "." + a.Name + "{")
	for i, arg := range args {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(typeKey(arg))
	}
	b.WriteString("}")
	return b.String()
}

// typeKey is a stable textual key of an actual parameter.
func typeKey(t *Type) string {
	switch {
	case t.Kind == KindReference && t.Target != nil:
		return t.Target.Module.Name + "." + t.Target.Name + argsKey(t.Args)
	case t.Kind == KindReference:
		return t.Ref + argsKey(t.Args)
	}
	return fmt.Sprintf("%s@%s", t.Kind, t.Pos)
}

func argsKey(args []*Type) string {
	if len(args) == 0 {
		return ""
	}
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = typeKey(a)
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// instantiate returns the body of a parameterized type with its dummy
// references replaced by the actual parameters. Instances are shared.
func (s *Set) instantiate(a *TypeAssignment, args []*Type) (*Type, error) {
	key := InstanceKey(a, args)
	if inst := s.instances[key]; inst != nil {
		return inst, nil
	}
	bind := make(map[string]*Type, len(a.Params))
	for i, p := range a.Params {
		bind[p] = args[i]
	}
	inst := cloneType(a.Type, bind, 0)
	if inst == nil {
		return nil, fmt.Errorf("instance %s nests too deeply", key)
	}
	setModule(inst, a.Module)
	s.instances[key] = inst
	return inst, nil
}

// setModule marks the nodes of a freshly cloned tree as written in m,
// leaving substituted actual parameters alone.
func setModule(t *Type, m *Module) {
	if t == nil || t.Module != nil {
		return
	}
	t.Module = m
	for _, c := range t.Root {
		setModule(c.Type, m)
	}
	for _, a := range t.Ext {
		for _, c := range a.Components {
			setModule(c.Type, m)
		}
	}
	setModule(t.Elem, m)
	for _, a := range t.Args {
		setModule(a, m)
	}
}

// cloneType deep-copies the syntactic part of a type tree, substituting
// references to dummy parameters. Actual parameters are shared, not copied.
func cloneType(t *Type, bind map[string]*Type, depth int) *Type {
	if t == nil {
		return nil
	}
	if depth > maxDepth {
		return nil
	}
	if t.Kind == KindReference && t.RefModule == "" && len(t.Args) == 0 {
		if arg, ok := bind[t.Ref]; ok {
			if len(t.Constraints) == 0 && t.Tag == nil {
				return arg
			}
			// A constrained use of a dummy: wrap it.
			return &Type{Kind: KindReference, Pos: t.Pos, Tag: t.Tag, Ref: arg.Ref, RefModule: arg.RefModule,
				Args: arg.Args, Constraints: t.Constraints, Module: arg.Module}
		}
	}
	c := &Type{
		Kind: t.Kind, Pos: t.Pos, Tag: t.Tag, Ref: t.Ref, RefModule: t.RefModule,
		Extensible: t.Extensible, ElemName: t.ElemName, NamedNumbers: t.NamedNumbers,
		EnumRoot: append([]NamedNumber(nil), t.EnumRoot...), EnumExt: append([]NamedNumber(nil), t.EnumExt...),
		StringType: t.StringType, Class: t.Class, Field: t.Field,
		Constraints: t.Constraints, sizeInHeader: t.sizeInHeader,
	}
	for _, a := range t.Args {
		c.Args = append(c.Args, cloneType(a, bind, depth+1))
	}
	for _, comp := range t.Root {
		cc := *comp
		cc.Type = cloneType(comp.Type, bind, depth+1)
		c.Root = append(c.Root, &cc)
	}
	for _, add := range t.Ext {
		na := &Addition{Group: add.Group, Version: add.Version, Pos: add.Pos}
		for _, comp := range add.Components {
			cc := *comp
			cc.Type = cloneType(comp.Type, bind, depth+1)
			na.Components = append(na.Components, &cc)
		}
		c.Ext = append(c.Ext, na)
	}
	c.Elem = cloneType(t.Elem, bind, depth+1)
	c.OpenTypeOf = cloneType(t.OpenTypeOf, bind, depth+1)
	return c
}

// expandComponentsOf replaces "COMPONENTS OF T" by T's root components.
func (s *Set) expandComponentsOf(t *Type) error {
	has := false
	for _, c := range t.Root {
		if c.ComponentsOf {
			has = true
		}
	}
	if !has {
		return nil
	}
	if s.expanding[t] {
		return fmt.Errorf("%s: circular COMPONENTS OF", t.Pos)
	}
	s.expanding[t] = true
	defer delete(s.expanding, t)
	var root []*Component
	for _, c := range t.Root {
		if !c.ComponentsOf {
			root = append(root, c)
			continue
		}
		c.Type.Module = t.Module
		if err := s.resolveRef(c.Type); err != nil {
			return err
		}
		b := c.Type.Builtin
		if b == nil {
			return fmt.Errorf("%s: COMPONENTS OF unresolved type %s", c.Pos, c.Type.Ref)
		}
		if b.Kind != t.Kind {
			return fmt.Errorf("%s: COMPONENTS OF %s in a %s", c.Pos, b.Kind, t.Kind)
		}
		if err := s.expandComponentsOf(b); err != nil {
			return err
		}
		for _, bc := range b.Root {
			cc := *bc
			root = append(root, &cc)
		}
	}
	t.Root = root
	return nil
}

// numberEnumeration assigns values to unnumbered enumeration items
// (X.680 20.3 and 20.4) and puts the root items in ascending value order,
// which is the PER index order.
func (s *Set) numberEnumeration(t *Type) error {
	used := make(map[int64]bool)
	for i := range t.EnumRoot {
		nn := &t.EnumRoot[i]
		if nn.Ref != nil {
			n, err := s.intValue(t.Module, nn.Ref)
			if err != nil {
				return err
			}
			nn.Value = n
		}
		if nn.HasNum {
			if used[nn.Value] {
				return fmt.Errorf("enumeration value %d used twice", nn.Value)
			}
			used[nn.Value] = true
		}
	}
	next := int64(0)
	for i := range t.EnumRoot {
		nn := &t.EnumRoot[i]
		if nn.HasNum {
			continue
		}
		for used[next] {
			next++
		}
		nn.Value, nn.HasNum = next, true
		used[next] = true
	}
	sort.SliceStable(t.EnumRoot, func(i, j int) bool { return t.EnumRoot[i].Value < t.EnumRoot[j].Value })
	last := int64(-1)
	for v := range used {
		last = max(last, v)
	}
	for i := range t.EnumExt {
		nn := &t.EnumExt[i]
		if nn.Ref != nil {
			n, err := s.intValue(t.Module, nn.Ref)
			if err != nil {
				return err
			}
			nn.Value = n
		}
		if !nn.HasNum {
			nn.Value, nn.HasNum = last+1, true
		}
		if used[nn.Value] || nn.Value <= last {
			return fmt.Errorf("extension enumeration %s(%d) not above the previous values", nn.Name, nn.Value)
		}
		used[nn.Value] = true
		last = nn.Value
	}
	return nil
}

// intValue evaluates an integer value: a number or a reference to an
// integer value assignment.
func (s *Set) intValue(m *Module, v *Value) (int64, error) {
	for range maxDepth {
		switch v.Kind {
		case ValNumber:
			return v.Int, nil
		case ValRef:
			if m == nil {
				return 0, fmt.Errorf("%s: value %s outside a module", v.Pos, v)
			}
			va := s.findValue(m, v.RefModule, v.Str, map[*Module]bool{})
			if va == nil {
				return 0, fmt.Errorf("%s: unknown value %s", v.Pos, v)
			}
			m, v = va.Module, va.Value
		default:
			return 0, fmt.Errorf("%s: %s is not an integer value", v.Pos, v)
		}
	}
	return 0, fmt.Errorf("%s: value reference chain too long", v.Pos)
}

// Components returns the root components followed by the components of
// every extension addition, in order.
func (t *Type) Components() []*Component {
	out := append([]*Component(nil), t.Root...)
	for _, a := range t.Ext {
		out = append(out, a.Components...)
	}
	return out
}
