package asn1

import "fmt"

// Module is one ASN.1 module definition.
type Module struct {
	Name       string
	OID        []OIDComponent // module identifier's object identifier, if given
	File       string
	Pos        Pos
	TagDefault string // "AUTOMATIC", "EXPLICIT", "IMPLICIT" or ""
	// ExtensibilityImplied is set by EXTENSIBILITY IMPLIED in the header.
	ExtensibilityImplied bool
	ExportsAll           bool // no EXPORTS clause, or EXPORTS ALL
	Exports              []string
	Imports              []*Import

	Types     []*TypeAssignment     // in text order
	Values    []*ValueAssignment    // in text order
	ValueSets []*ValueSetAssignment // in text order
	// Skipped names information object classes, objects and object sets
	// that were parsed over (PER does not need them).
	Skipped []string

	types  map[string]*TypeAssignment
	values map[string]*ValueAssignment
}

// Import is one "symbols FROM module" clause.
type Import struct {
	Symbols []string // "SIGNED{}" is stored as "SIGNED"
	Module  string
	OID     []OIDComponent
	Pos     Pos
	// Resolved is the module the symbols come from once resolved.
	Resolved *Module
}

// TypeAssignment is "Name ::= Type" or "Name {Params} ::= Type".
type TypeAssignment struct {
	Name   string
	Params []string // dummy references of a parameterized type
	Type   *Type
	Module *Module
	Pos    Pos
}

// ValueAssignment is "name Type ::= value".
type ValueAssignment struct {
	Name   string
	Type   *Type
	Value  *Value
	Module *Module
	Pos    Pos
}

// ValueSetAssignment is "Name Type ::= { ... }".
type ValueSetAssignment struct {
	Name       string
	Type       *Type
	Set        *Constraint
	Module     *Module
	Pos        Pos
	Parameters []string
}

// Kind says which kind of type a Type node is.
type Kind int

// The kinds of types.
const (
	KindInvalid Kind = iota
	KindReference
	KindBoolean
	KindNull
	KindInteger
	KindEnumerated
	KindReal
	KindBitString
	KindOctetString
	KindCharString
	KindObjectIdentifier
	KindRelativeOID
	KindSequence
	KindSet
	KindChoice
	KindSequenceOf
	KindSetOf
	KindOpenType // an open type (TYPE-IDENTIFIER.&Type, CLASS.&Type field, ANY)
	KindTime     // GeneralizedTime, UTCTime
	KindExternal // EXTERNAL, EMBEDDED PDV, CHARACTER STRING
)

func (k Kind) String() string {
	switch k {
	case KindInvalid:
		return "invalid"
	case KindReference:
		return "reference"
	case KindBoolean:
		return "BOOLEAN"
	case KindNull:
		return "NULL"
	case KindInteger:
		return "INTEGER"
	case KindEnumerated:
		return "ENUMERATED"
	case KindReal:
		return "REAL"
	case KindBitString:
		return "BIT STRING"
	case KindOctetString:
		return "OCTET STRING"
	case KindCharString:
		return "character string"
	case KindObjectIdentifier:
		return "OBJECT IDENTIFIER"
	case KindRelativeOID:
		return "RELATIVE-OID"
	case KindSequence:
		return "SEQUENCE"
	case KindSet:
		return "SET"
	case KindChoice:
		return "CHOICE"
	case KindSequenceOf:
		return "SEQUENCE OF"
	case KindSetOf:
		return "SET OF"
	case KindOpenType:
		return "open type"
	case KindTime:
		return "time"
	case KindExternal:
		return "EXTERNAL"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Tag is a [class number] prefix.
type Tag struct {
	Class  string // "UNIVERSAL", "APPLICATION", "PRIVATE" or "" (context)
	Number int64
	Mode   string // "IMPLICIT", "EXPLICIT" or ""
}

// Type is a node of the type tree. Parsing fills the syntactic fields;
// resolution fills Target, Builtin and PER.
type Type struct {
	Kind Kind
	Pos  Pos
	Tag  *Tag

	// KindReference: a type reference, possibly module-qualified and
	// possibly with actual parameters.
	Ref       string
	RefModule string
	Args      []*Type

	// KindSequence, KindSet, KindChoice.
	Root       []*Component // root components (both root parts for SEQUENCE)
	Ext        []*Addition  // extension additions, in order
	Extensible bool         // an extension marker is present

	// KindSequenceOf, KindSetOf.
	Elem     *Type
	ElemName string // identifier of the element, "SEQUENCE OF name Type"

	// KindInteger named numbers, KindBitString named bits.
	NamedNumbers []NamedNumber

	// KindEnumerated.
	EnumRoot []NamedNumber // in PER index order after resolution
	EnumExt  []NamedNumber

	// KindCharString: "IA5String", "BMPString", ...
	StringType string

	// KindOpenType: ClassRef.&Field, and the type named by a type
	// constraint on it ("TYPE-IDENTIFIER.&Type (Foo)"), if any.
	Class        string
	Field        string
	OpenTypeOf   *Type
	Constraints  []*Constraint // serially applied constraints, in text order
	sizeInHeader bool          // SEQUENCE SIZE(..) OF: first constraint is the size

	// Resolution results.

	// Target is the assignment a KindReference resolves to (for a
	// parameterized reference: the parameterized assignment).
	Target *TypeAssignment
	// Instance is the instantiated body of a parameterized reference.
	Instance *Type
	// Builtin is the first non-reference type found by following
	// references (the type itself when it is not a reference).
	Builtin *Type
	// PER holds the effective PER-visible constraints of this node,
	// including those inherited through references.
	PER *PERConstraints
	// Module is the module the node was written in.
	Module *Module
	// Unresolved names a missing symbol this type depends on.
	Unresolved string
}

// Component is a SEQUENCE/SET component or a CHOICE alternative.
type Component struct {
	Name     string
	Type     *Type
	Optional bool
	Default  *Value
	// ComponentsOf marks "COMPONENTS OF Type"; resolution replaces it by
	// the referenced type's root components.
	ComponentsOf bool
	Pos          Pos
}

// Addition is one extension addition: a single component, or an extension
// addition group "[[ ... ]]" (Group set).
type Addition struct {
	Group      bool
	Version    int64 // "[[2: ...]]", 0 when absent
	Components []*Component
	Pos        Pos
}

// NamedNumber is "name(number)" in INTEGER, ENUMERATED and BIT STRING.
type NamedNumber struct {
	Name   string
	Value  int64
	HasNum bool   // number written in the text (ENUMERATED may omit it)
	Ref    *Value // a value reference instead of a number
}

// ValueKind says which kind of value a Value is.
type ValueKind int

// The kinds of values.
const (
	ValInvalid ValueKind = iota
	ValNumber
	ValRef // a value reference or identifier (enumeration item, named number)
	ValCString
	ValBString
	ValHString
	ValTrue
	ValFalse
	ValNull
	ValMin
	ValMax
	ValBraces // { ... }: object identifier components or a composite value
)

// Value is a value notation.
type Value struct {
	Kind      ValueKind
	Int       int64
	Str       string // ValCString, ValBString, ValHString text; ValRef name
	RefModule string
	OID       []OIDComponent // ValBraces read as object identifier components
	Raw       []string       // ValBraces token texts, for values that are not OIDs
	Pos       Pos
}

// OIDComponent is one arc of an object identifier value: a number, a name,
// or name(number).
type OIDComponent struct {
	Name      string
	Number    int64
	HasNumber bool
}

// ConstraintKind says what a constraint element is.
type ConstraintKind int

// The kinds of constraint element sets.
const (
	CUnion        ConstraintKind = iota + 1 // Sets joined by | or UNION
	CIntersection                           // Sets joined by ^ or INTERSECTION
	CExcept                                 // Sets[0] EXCEPT Sets[1]
	CAllExcept                              // ALL EXCEPT Sets[0]
	CSingleValue                            // Value
	CRange                                  // Lower .. Upper
	CSize                                   // SIZE Sub
	CFrom                                   // FROM Sub (permitted alphabet)
	CType                                   // contained subtype / type constraint
	CInner                                  // WITH COMPONENT(S): not PER-visible
	CPattern                                // PATTERN: not PER-visible
	CUser                                   // CONSTRAINED BY: not PER-visible
	CContents                               // CONTAINING Type [ENCODED BY]
	CTable                                  // {ObjectSet} table constraint: skipped
)

// Constraint is one parenthesized constraint "( root [, ... [, ext]] )",
// or a nested element set.
type Constraint struct {
	Root       *ElementSet
	Extensible bool
	Ext        *ElementSet // additional element set after "...", if any
	Pos        Pos
}

// ElementSet is a node of a constraint's element set expression.
type ElementSet struct {
	Kind ConstraintKind
	Sets []*ElementSet // CUnion, CIntersection, CExcept, CAllExcept

	Value        *Value // CSingleValue
	Lower, Upper *Value // CRange (ValMin / ValMax for MIN / MAX)
	LowerOpen    bool   // "lo<..": lower bound excluded
	UpperOpen    bool   // "..<hi": upper bound excluded

	Sub  *Constraint // CSize, CFrom, CInner (WITH COMPONENT)
	Type *Type       // CType, CContents
	Pos  Pos
}
