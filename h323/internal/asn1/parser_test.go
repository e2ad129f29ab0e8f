package asn1

import (
	"slices"
	"strconv"
	"strings"
	"testing"
)

// load parses and resolves module text.
func load(t *testing.T, src string) *Set {
	t.Helper()
	mods, err := ParseFile("test.asn", []byte(src))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	s, err := Resolve(mods...)
	if err != nil {
		t.Fatalf("resolve: %v", err)
	}
	return s
}

const testModule = `
Test-Module { iso(1) 2 3 } DEFINITIONS AUTOMATIC TAGS ::=
BEGIN
EXPORTS ALL;
IMPORTS Other FROM Missing-Module { 1 2 };

ub-count INTEGER ::= 16
Count ::= INTEGER (0..ub-count)
Small ::= Count (1..4, ...)
Signed ::= INTEGER (-10..MAX)
Named ::= INTEGER { zero(0), max(255) } (0..255)
Either ::= INTEGER (1..3 | 10..12)
Both ::= INTEGER ((0..100) ^ (50..200))
Digits ::= IA5String (SIZE (1..8)) (FROM ("0123456789"))
Token ::= IA5String (SIZE (1) ^ FROM ("0123456789#*"))
Combo ::= IA5String ((SIZE (1..128)) ^ (FROM ("0123456789#*,")))
Letters ::= IA5String (FROM ("a".."f"))
Fixed ::= OCTET STRING (SIZE (4))
Bits ::= BIT STRING { a(0), b(1) } (SIZE (2..8, ...))
List ::= SEQUENCE SIZE (1..MAX) OF Count
List2 ::= SEQUENCE (SIZE (0..3)) OF element INTEGER
Colour ::= ENUMERATED { red(2), green, blue(0), ..., violet }
Base ::= SEQUENCE { x INTEGER, y BOOLEAN OPTIONAL }
Rec ::= SEQUENCE {
	a Count,
	b BOOLEAN DEFAULT TRUE,
	COMPONENTS OF Base,
	...,
	[[ 2: c INTEGER, d NULL OPTIONAL ]],
	e Rec OPTIONAL,
	...,
	f NULL
}
Alt ::= CHOICE { p NULL, q Count, ..., [[ r BOOLEAN, s NULL ]] }
WRAP { Inner } ::= SEQUENCE { inner Inner, tag INTEGER } (CONSTRAINED BY { -- nothing -- })
Wrapped ::= WRAP { Count }
Opaque ::= TYPE-IDENTIFIER.&Type (Base)
Narrow ::= Base (WITH COMPONENTS { ..., y PRESENT })
MY-CLASS ::= CLASS { &id INTEGER UNIQUE, &Type } WITH SYNTAX { ID &id TYPE &Type }
obj MY-CLASS ::= { ID 1 TYPE Base }
Ids INTEGER ::= { 1 | 2, ... }
Uses ::= SEQUENCE { o Other }
END
`

func TestParseModuleHeader(t *testing.T) {
	s := load(t, testModule)
	m := s.Module("Test-Module")
	if m == nil {
		t.Fatal("module not found")
	}
	if m.TagDefault != "AUTOMATIC" || !m.ExportsAll || len(m.OID) != 3 {
		t.Errorf("header: tags %q exportsAll %v oid %v", m.TagDefault, m.ExportsAll, m.OID)
	}
	if len(m.Imports) != 1 || m.Imports[0].Module != "Missing-Module" || len(m.Imports[0].OID) != 2 {
		t.Errorf("imports %+v", m.Imports)
	}
	if !slices.Equal(m.Skipped, []string{"MY-CLASS", "obj"}) {
		t.Errorf("skipped %v", m.Skipped)
	}
	if len(m.ValueSets) != 1 || m.ValueSets[0].Name != "Ids" {
		t.Errorf("value sets %v", m.ValueSets)
	}
	if !slices.Equal(s.Unresolved, []string{"Test-Module.Other"}) {
		t.Errorf("unresolved %v", s.Unresolved)
	}
	if u := s.Lookup("Test-Module", "Uses").Type.Root[0].Type.Unresolved; u != "Test-Module.Other" {
		t.Errorf("Uses.o unresolved %q", u)
	}
}

func rng(lo, hi int64) Range { return Range{Lower: lo, Upper: hi, HasLower: true, HasUpper: true} }

func TestPERConstraints(t *testing.T) {
	s := load(t, testModule)
	tests := []struct {
		typ      string
		value    Range
		size     Range
		alphabet string
	}{
		{typ: "Count", value: rng(0, 16)},
		{typ: "Small", value: Range{Lower: 1, Upper: 4, HasLower: true, HasUpper: true, Extensible: true}},
		{typ: "Signed", value: Range{Lower: -10, HasLower: true}},
		{typ: "Named", value: rng(0, 255)},
		{typ: "Either", value: rng(1, 12)},
		{typ: "Both", value: rng(50, 100)},
		{typ: "Digits", size: rng(1, 8), alphabet: "0123456789"},
		{typ: "Token", size: rng(1, 1), alphabet: "#*0123456789"},
		{typ: "Combo", size: rng(1, 128), alphabet: "#*,0123456789"},
		{typ: "Letters", alphabet: "abcdef"},
		{typ: "Fixed", size: rng(4, 4)},
		{typ: "Bits", size: Range{Lower: 2, Upper: 8, HasLower: true, HasUpper: true, Extensible: true}},
		{typ: "List", size: Range{Lower: 1, HasLower: true}},
		{typ: "List2", size: rng(0, 3)},
	}
	for _, tc := range tests {
		t.Run(tc.typ, func(t *testing.T) {
			a := s.Lookup("Test-Module", tc.typ)
			pc := a.Type.PER
			if pc.Value != tc.value {
				t.Errorf("value %v, want %v", pc.Value, tc.value)
			}
			if pc.Size != tc.size {
				t.Errorf("size %v, want %v", pc.Size, tc.size)
			}
			if string(pc.Alphabet) != tc.alphabet {
				t.Errorf("alphabet %q, want %q", string(pc.Alphabet), tc.alphabet)
			}
		})
	}
}

func TestResolvedStructure(t *testing.T) {
	s := load(t, testModule)
	rec := s.Lookup("Test-Module", "Rec").Type
	var root []string
	for _, c := range rec.Root {
		root = append(root, c.Name)
	}
	if want := []string{"a", "b", "x", "y", "f"}; !slices.Equal(root, want) {
		t.Errorf("Rec root %v, want %v (COMPONENTS OF expanded, second root part last)", root, want)
	}
	if !rec.Extensible || len(rec.Ext) != 2 || !rec.Ext[0].Group || rec.Ext[0].Version != 2 || len(rec.Ext[0].Components) != 2 {
		t.Errorf("Rec additions %+v", rec.Ext)
	}
	if b := rec.Root[1]; b.Default == nil || b.Default.Kind != ValTrue {
		t.Errorf("b DEFAULT %v", b.Default)
	}
	if e := rec.Ext[1].Components[0]; !e.Optional || e.Type.Builtin != rec {
		t.Errorf("e does not refer back to Rec")
	}

	alt := s.Lookup("Test-Module", "Alt").Type
	if len(alt.Root) != 2 || len(alt.Ext) != 2 || alt.Ext[0].Components[0].Name != "r" {
		t.Errorf("Alt: root %d ext %d (group alternatives count one each)", len(alt.Root), len(alt.Ext))
	}

	col := s.Lookup("Test-Module", "Colour").Type
	var items []string
	for _, nn := range enumAll(col) {
		items = append(items, nn.Name+"="+strconv.FormatInt(nn.Value, 10))
	}
	if want := []string{"blue=0", "green=1", "red=2", "violet=3"}; !slices.Equal(items, want) {
		t.Errorf("Colour %v, want %v", items, want)
	}

	w := s.Lookup("Test-Module", "Wrapped").Type
	if w.Instance == nil || w.Builtin.Kind != KindSequence {
		t.Fatalf("Wrapped not instantiated: %+v", w)
	}
	inner := w.Builtin.Root[0].Type
	if inner.Builtin.Kind != KindInteger || inner.PER.Value != rng(0, 16) {
		t.Errorf("WRAP{Count}.inner: %s %v", inner.Builtin.Kind, inner.PER.Value)
	}

	op := s.Lookup("Test-Module", "Opaque").Type
	if op.Kind != KindOpenType || op.OpenTypeOf == nil || op.OpenTypeOf.Builtin.Kind != KindSequence {
		t.Errorf("Opaque: %s of %v", op.Kind, op.OpenTypeOf)
	}
	if n := s.Lookup("Test-Module", "Narrow").Type; n.Builtin != s.Lookup("Test-Module", "Base").Type {
		t.Errorf("Narrow does not resolve to Base")
	}
}

func enumAll(t *Type) []NamedNumber {
	return append(append([]NamedNumber(nil), t.EnumRoot...), t.EnumExt...)
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"no module", "", "no module definition"},
		{"missing END", "M DEFINITIONS ::= BEGIN A ::= INTEGER", "missing END"},
		{"bad type", "M DEFINITIONS ::= BEGIN A ::= 5 END", "expected a type"},
		{"unbalanced braces", "M DEFINITIONS ::= BEGIN A ::= SEQUENCE { a INTEGER END", "expected"},
		{"third ellipsis", "M DEFINITIONS ::= BEGIN A ::= SEQUENCE { ..., ..., ... } END", "third extension marker"},
		{"group in root", "M DEFINITIONS ::= BEGIN A ::= SEQUENCE { [[ a INTEGER ]] } END", "outside the extension part"},
		{"huge number", "M DEFINITIONS ::= BEGIN A ::= INTEGER (0..99999999999999999999) END", "out of range"},
		{"deep nesting", "M DEFINITIONS ::= BEGIN A ::= " + strings.Repeat("SEQUENCE OF ", 300) + "INTEGER END", "nesting deeper"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseFile("e.asn", []byte(tc.src))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestResolveErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"circular reference", "M DEFINITIONS ::= BEGIN A ::= B B ::= A END", "circular type reference"},
		{"duplicate type", "M DEFINITIONS ::= BEGIN A ::= INTEGER A ::= BOOLEAN END", "defined twice"},
		{"duplicate component", "M DEFINITIONS ::= BEGIN A ::= SEQUENCE { a INTEGER, a BOOLEAN } END", "defined twice"},
		{"empty range", "M DEFINITIONS ::= BEGIN A ::= INTEGER (5..1) END", "excludes every value"},
		{"unknown value", "M DEFINITIONS ::= BEGIN A ::= INTEGER (0..ub) END", "unknown value"},
		{"wrong parameter count", "M DEFINITIONS ::= BEGIN P{X} ::= SEQUENCE { x X } A ::= P{INTEGER, BOOLEAN} END", "takes 1 parameters"},
		{"enum value reused", "M DEFINITIONS ::= BEGIN E ::= ENUMERATED { a(1), b(1) } END", "used twice"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mods, err := ParseFile("e.asn", []byte(tc.src))
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			_, err = Resolve(mods...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}
