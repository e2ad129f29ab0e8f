package per

import "fmt"

// EncodeSequenceOf writes a SEQUENCE OF or SET OF (X.691 §20): the count
// under size constraint c (with fragmentation from 16K items when the
// count is not constrained below 64K), then each item encoded by enc.
// Method expressions of generated types fit enc directly, as in
// EncodeSequenceOf(e, v.Items, per.Size(1, 32), (*Item).EncodePER).
func EncodeSequenceOf[T any](e *Encoder, items []T, c SizeConstraint, enc func(*T, *Encoder) error) error {
	k, more, err := e.WriteLength(len(items), c)
	if err != nil {
		return err
	}
	i := 0
	for {
		for end := i + k; i < end; i++ {
			if err := enc(&items[i], e); err != nil {
				return fmt.Errorf("item %d: %w", i, err)
			}
		}
		if !more {
			return nil
		}
		k, more = e.WriteLengthNext(len(items) - i)
	}
}

// DecodeSequenceOf reads a SEQUENCE OF or SET OF written by
// EncodeSequenceOf, decoding each item with dec. minItemBits is the fewest
// bits one item can take (0 when an item can be empty); counts whose items
// cannot fit in the remaining input fail before anything is allocated.
func DecodeSequenceOf[T any](d *Decoder, c SizeConstraint, minItemBits int, dec func(*T, *Decoder) error) ([]T, error) {
	k, more, err := d.ReadLength(c, minItemBits)
	if err != nil {
		return nil, err
	}
	capacity := k
	if minItemBits <= 0 {
		capacity = min(k, 64)
	}
	items := make([]T, 0, capacity)
	first := d.pos
	for {
		for range k {
			if len(items) == cap(items) {
				items = growItems(items, d.pos-first, d.end-d.pos)
			}
			// Decode into the (zero) element itself: a local passed to
			// dec would escape, one allocation per item.
			items = items[:len(items)+1]
			if err := dec(&items[len(items)-1], d); err != nil {
				return nil, fmt.Errorf("item %d: %w", len(items)-1, err)
			}
		}
		if !more {
			return items, nil
		}
		k, more, err = d.ReadLengthNext(minItemBits)
		if err != nil {
			return nil, err
		}
	}
}

// growItems returns items with room for more, when a count that the input
// could not vouch for (minItemBits 0) has outgrown the first allocation.
// The items so far took used bits and left bits remain: at that rate the
// input holds about left*len/used more, so that is what it allocates,
// rather than growing geometrically to several times what the items need.
// It grows by a quarter at least (a run of smaller items then costs few
// reallocations) and doubles at most.
func growItems[T any](items []T, used, left int) []T {
	n := len(items)
	c := 2 * n
	if used > 0 {
		c = min(c, n+left*n/used+1)
	}
	c = max(c, n+n/4, n+1)
	grown := make([]T, n, c)
	copy(grown, items)
	return grown
}
