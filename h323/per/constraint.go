package per

import "strconv"

// IntConstraint is the effective PER-visible constraint of an INTEGER
// (X.691 §12). The zero value is an unconstrained INTEGER.
//
// A constraint with only an upper bound (MIN..ub) is encoded as
// unconstrained, as X.691 requires; Ub is then ignored.
type IntConstraint struct {
	// Lb is the lower bound of the extension root, when HasLb is set.
	Lb int64
	// Ub is the upper bound of the extension root, when HasUb is set.
	Ub int64
	// HasLb and HasUb say which bounds exist (MIN and MAX are absent bounds).
	HasLb, HasUb bool
	// Extensible is set for a constraint with an extension marker
	// ("(lb..ub, ...)"): an extension bit precedes the value.
	Extensible bool
}

// IntRange returns the constraint (lb..ub).
func IntRange(lb, ub int64) IntConstraint {
	return IntConstraint{Lb: lb, Ub: ub, HasLb: true, HasUb: true}
}

// IntMin returns the semi-constraint (lb..MAX).
func IntMin(lb int64) IntConstraint {
	return IntConstraint{Lb: lb, HasLb: true}
}

// Ext returns a copy of c with the extension marker set: "(c, ...)".
func (c IntConstraint) Ext() IntConstraint {
	c.Extensible = true
	return c
}

// constrained reports whether c has both bounds (a constrained whole number).
func (c IntConstraint) constrained() bool { return c.HasLb && c.HasUb }

// inRoot reports whether v satisfies the root of c.
func (c IntConstraint) inRoot(v int64) bool {
	if c.HasLb && v < c.Lb {
		return false
	}
	if c.HasUb && v > c.Ub {
		return false
	}
	return true
}

// SizeConstraint is the effective PER-visible size constraint of a BIT
// STRING, OCTET STRING, known-multiplier character string, SEQUENCE OF or
// SET OF (X.691 §11.9, §16, §17, §20, §30). The zero value means no size
// constraint: a length from 0 to MAX.
type SizeConstraint struct {
	// Lb is the smallest size in the extension root (0 when absent).
	Lb int
	// Ub is the largest size in the extension root, when HasUb is set.
	Ub int
	// HasUb is false for an upper bound of MAX.
	HasUb bool
	// Extensible is set for "SIZE (lb..ub, ...)": an extension bit precedes
	// the length.
	Extensible bool
}

// Size returns the constraint SIZE (lb..ub).
func Size(lb, ub int) SizeConstraint {
	return SizeConstraint{Lb: lb, Ub: ub, HasUb: true}
}

// SizeMin returns the constraint SIZE (lb..MAX).
func SizeMin(lb int) SizeConstraint {
	return SizeConstraint{Lb: lb}
}

// FixedSize returns the constraint SIZE (n).
func FixedSize(n int) SizeConstraint {
	return SizeConstraint{Lb: n, Ub: n, HasUb: true}
}

// Ext returns a copy of c with the extension marker set: "SIZE (c, ...)".
func (c SizeConstraint) Ext() SizeConstraint {
	c.Extensible = true
	return c
}

// inRoot reports whether n satisfies the root of c.
func (c SizeConstraint) inRoot(n int) bool {
	return n >= c.Lb && (!c.HasUb || n <= c.Ub)
}

// fixed reports whether the root allows exactly one size.
func (c SizeConstraint) fixed() bool { return c.HasUb && c.Lb == c.Ub }

// bounded64K reports whether the root's upper bound is below 64K, the case
// in which X.691 §11.9.4.1 encodes the length as a constrained whole number.
func (c SizeConstraint) bounded64K() bool { return c.HasUb && c.Ub < 65536 }

// String returns c in ASN.1 notation, for error messages.
func (c IntConstraint) String() string {
	lb, ub := "MIN", "MAX"
	if c.HasLb {
		lb = strconv.FormatInt(c.Lb, 10)
	}
	if c.HasUb {
		ub = strconv.FormatInt(c.Ub, 10)
	}
	s := "(" + lb + ".." + ub
	if c.Extensible {
		s += ", ..."
	}
	return s + ")"
}

// String returns c in ASN.1 notation, for error messages.
func (c SizeConstraint) String() string {
	ub := "MAX"
	if c.HasUb {
		ub = strconv.Itoa(c.Ub)
	}
	s := "SIZE (" + strconv.Itoa(c.Lb) + ".." + ub
	if c.fixed() {
		s = "SIZE (" + ub
	}
	if c.Extensible {
		s += ", ..."
	}
	return s + ")"
}
