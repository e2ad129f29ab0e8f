// Package asn1 reads ASN.1 module text (the X.680 subset used by the H.323
// family of recommendations: H.225.0, H.245, H.235, H.450.1, H.460.x) and
// turns it into a resolved model that a PER code generator can walk.
//
// It lexes and parses module headers (tag default, EXPORTS, IMPORTS), type,
// value and value-set assignments, structured types with extension markers
// and extension addition groups, parameterized types and the few information
// object class constructs the modules use (TYPE-IDENTIFIER.&Type open types).
// Resolution follows references across modules, instantiates parameterized
// types and computes each type's PER-visible constraints (X.691 clause 9.3):
// effective value range, size range, permitted alphabet and extensibility.
//
// It is not a complete X.680 implementation: information object classes,
// object sets and table constraints are skipped (open types stay open), and
// constraints that PER does not see (WITH COMPONENTS, CONSTRAINED BY,
// PATTERN) are parsed and then ignored. It does no encoding; see package per
// for the aligned PER runtime and the generator for code emission.
package asn1
