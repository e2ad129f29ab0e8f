package per

import "math/bits"

// writeIndex writes the index shared by ENUMERATED (X.691 §14) and CHOICE
// (§23): an extension bit when extensible, then a root index as a
// constrained whole number in 0..rootCount-1, or an extension index (i -
// rootCount) as a normally small non-negative whole number.
func (e *Encoder) writeIndex(op string, i, rootCount int, extensible bool) error {
	if i < 0 || rootCount < 1 || (i >= rootCount && !extensible) {
		return encodeErr(op, ErrConstraint, "index %d of %d root values (extensible %t)", i, rootCount, extensible)
	}
	if i < rootCount && rootCount <= 255 {
		// A root index in a bit-field, behind a 0 extension bit, into the
		// accumulator (put, inlined).
		n := bits.Len64(uint64(rootCount - 1))
		if extensible {
			n++
		}
		if m := e.accN + n; m < 64 {
			e.acc = e.acc<<uint(n) | uint64(i)
			e.accN = m
		} else {
			e.putFlushed(uint64(i), n)
		}
		return nil
	}
	if extensible {
		if i >= rootCount {
			e.WriteBit(true)
			return e.WriteNormallySmallNonNegative(i - rootCount)
		}
		e.WriteBit(false)
	}
	e.writeConstrained(uint64(i), uint64(rootCount-1))
	return nil
}

// readIndex reads what writeIndex writes.
func (d *Decoder) readIndex(op string, rootCount int, extensible bool) (int, error) {
	if rootCount >= 1 && rootCount <= 255 {
		// The extension bit and a bit-field index, read at once.
		n := bits.Len64(uint64(rootCount - 1))
		if extensible {
			n++
		}
		if n <= d.end-d.pos {
			v := d.bits(n)
			if v < uint64(rootCount) {
				return int(v), nil
			}
			if extensible && v>>uint(n-1) == 1 {
				// The extension bit: a normally small index follows it.
				d.pos -= n - 1
				k, err := d.ReadNormallySmallNonNegative()
				if err != nil {
					return 0, err
				}
				return rootCount + k, nil
			}
			d.pos -= n
		}
	}
	return d.readIndexSlow(op, rootCount, extensible)
}

// readIndexSlow is readIndex for extension indices, large counts and
// failures.
func (d *Decoder) readIndexSlow(op string, rootCount int, extensible bool) (int, error) {
	if rootCount < 1 {
		return 0, d.fail(op, ErrUnsupported)
	}
	if extensible {
		ext, err := d.ReadBit()
		if err != nil {
			return 0, err
		}
		if ext {
			k, err := d.ReadNormallySmallNonNegative()
			if err != nil {
				return 0, err
			}
			return rootCount + k, nil
		}
	}
	off, err := d.readConstrained(op, uint64(rootCount-1))
	if err != nil {
		return 0, err
	}
	return int(off), nil
}

// WriteEnumerated writes an ENUMERATED value by its index (X.691 §14).
// Root values are numbered 0..rootCount-1 in ascending order of their
// numeric values; extension values are numbered rootCount, rootCount+1, ...
// in the order of their definition. An index at or beyond rootCount
// requires extensible.
func (e *Encoder) WriteEnumerated(i, rootCount int, extensible bool) error {
	return e.writeIndex("enumerated", i, rootCount, extensible)
}

// ReadEnumerated reads an ENUMERATED index written by WriteEnumerated. An
// index at or beyond rootCount is an extension value, possibly one the
// caller does not know.
func (d *Decoder) ReadEnumerated(rootCount int, extensible bool) (int, error) {
	return d.readIndex("enumerated", rootCount, extensible)
}

// WriteChoiceIndex writes the index of a CHOICE alternative (X.691 §23).
// Root alternatives are numbered 0..rootCount-1 in canonical (tag) order;
// extension alternatives rootCount, rootCount+1, ... in definition order.
// After the index of a root alternative the caller writes its value; after
// the index of an extension alternative it writes the value as an open
// type (BeginOpenType/EndOpenType, or WriteRawExtension for an alternative
// kept as raw bytes).
func (e *Encoder) WriteChoiceIndex(i, rootCount int, extensible bool) error {
	return e.writeIndex("choice index", i, rootCount, extensible)
}

// ReadChoiceIndex reads a CHOICE index written by WriteChoiceIndex. An
// index at or beyond rootCount selects an extension alternative, whose
// value follows as an open type (ReadOpenType, or ReadRawExtension with
// index i-rootCount for an alternative the caller does not know).
func (d *Decoder) ReadChoiceIndex(rootCount int, extensible bool) (int, error) {
	return d.readIndex("choice index", rootCount, extensible)
}
