package asn1

import "testing"

// FuzzParseFile feeds arbitrary text to the parser and the resolver: they
// must return an error or a model, never panic or loop.
func FuzzParseFile(f *testing.F) {
	f.Add([]byte(testModule))
	f.Add([]byte("M DEFINITIONS AUTOMATIC TAGS ::= BEGIN A ::= SEQUENCE { a INTEGER (0..7), ..., b BOOLEAN } END"))
	f.Add([]byte("M DEFINITIONS ::= BEGIN A ::= CHOICE { x IA5String (SIZE (1) ^ FROM (\"0123\")), ... } END"))
	f.Add([]byte("M DEFINITIONS ::= BEGIN P{T} ::= SEQUENCE { t T } A ::= P{P{INTEGER}} END"))
	f.Add([]byte("M DEFINITIONS ::= BEGIN A ::= B B ::= SEQUENCE { COMPONENTS OF A } END"))
	f.Fuzz(func(t *testing.T, src []byte) {
		mods, err := ParseFile("fuzz.asn", src)
		if err != nil {
			return
		}
		s, err := Resolve(mods...)
		if err != nil {
			return
		}
		for _, m := range s.Modules {
			for _, a := range m.Types {
				_ = a.Type.Components()
			}
		}
	})
}
