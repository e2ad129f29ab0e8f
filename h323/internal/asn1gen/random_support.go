package main

// randomSupportSource is the fixed part of the generated random builder
// test file.
const randomSupportSource = `
// randomDepth is the nesting beyond which builders choose the shallowest
// alternative, the shortest list and no OPTIONAL component.
const randomDepth = 6

// codec is what every generated type implements.
type codec interface {
	Encode(*per.Encoder) error
	Decode(*per.Decoder) error
}

// randomCase builds random values of one type and empty values to decode
// into.
type randomCase struct {
	name  string
	build func(*randomizer) codec
	empty func() codec
}

// randomizer draws values that satisfy PER-visible constraints.
type randomizer struct {
	*rand.Rand
	// known restricts values to what this version knows: no unknown
	// extension additions, alternatives or enumeration values (for
	// comparisons with codecs that drop them).
	known bool
}

// unknownSlots is 1 when values may use extensions this version does not
// know, else 0.
func (r *randomizer) unknownSlots() int {
	if r.known {
		return 0
	}
	return 1
}

func newRandomizer(seed uint64) *randomizer {
	return &randomizer{Rand: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

func (r *randomizer) Bool() bool { return r.IntN(2) == 0 }

// present decides whether an OPTIONAL component or extension addition is
// present.
func (r *randomizer) present(depth int) bool {
	return depth <= randomDepth && r.IntN(2) == 0
}

// integer draws a value of a range, favouring the bounds; an extensible
// range sometimes yields a value outside its root.
func (r *randomizer) integer(lb, ub int64, hasLb, hasUb, ext bool) int64 {
	if ext && r.IntN(4) == 0 {
		switch {
		case hasUb && ub < math.MaxInt64-1000:
			return ub + 1 + r.Int64N(1000)
		case hasLb && lb > math.MinInt64+1000:
			return lb - 1 - r.Int64N(1000)
		}
	}
	switch {
	case hasLb && hasUb:
		switch r.IntN(5) {
		case 0:
			return lb
		case 1:
			return ub
		}
		span := uint64(ub - lb)
		if span == math.MaxUint64 {
			return int64(r.Uint64())
		}
		return lb + int64(r.Uint64N(span+1))
	case hasLb:
		return lb + r.Int64N(1<<uint(r.IntN(40)+1))
	}
	switch r.IntN(4) {
	case 0:
		return int64(r.Uint64())
	case 1:
		return -r.Int64N(1 << uint(r.IntN(40)+1))
	}
	return r.Int64N(1 << uint(r.IntN(40)+1))
}

// size draws a length within lb..ub (capped for unbounded sizes); an
// extensible size sometimes lies above the root.
func (r *randomizer) size(lb, ub int64, hasUb, ext bool, limit int64) int {
	if ext && hasUb && r.IntN(4) == 0 {
		return int(ub + 1 + r.Int64N(3))
	}
	hi := lb + limit
	if hasUb {
		hi = min(ub, hi)
	}
	if hi < lb {
		hi = lb
	}
	return int(lb + r.Int64N(hi-lb+1))
}

// count draws the number of items of a SEQUENCE OF; deep lists are as
// short as their constraint allows.
func (r *randomizer) count(lb, ub int64, hasUb, ext bool, depth int) int {
	if depth > randomDepth {
		return int(lb)
	}
	return r.size(lb, ub, hasUb, ext, 3)
}

func (r *randomizer) octets(lb, ub int64, hasUb, ext bool) []byte {
	n := r.size(lb, ub, hasUb, ext, 20)
	if !hasUb && !ext && r.IntN(200) == 0 {
		n = 16384 + r.IntN(300) // a fragmented length
	}
	if n == 0 {
		return nil
	}
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func (r *randomizer) bitString(lb, ub int64, hasUb, ext bool) per.BitString {
	n := r.size(lb, ub, hasUb, ext, 40)
	b := make([]byte, (n+7)/8)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	if n%8 != 0 {
		b[len(b)-1] &= 0xff << uint(8-n%8)
	}
	return per.BitString{Bytes: b, BitLength: n}
}

func (r *randomizer) chars(alphabet string, lb, ub int64, hasUb, ext bool) string {
	set := []rune(alphabet)
	n := r.size(lb, ub, hasUb, ext, 12)
	var b strings.Builder
	for range n {
		b.WriteRune(set[r.IntN(len(set))])
	}
	return b.String()
}

// bmpString draws code units: characters of the Basic Multilingual Plane,
// characters above it (two units each) and lone surrogates, which the
// generated codec keeps in their three-byte form.
func (r *randomizer) bmpString(lb, ub int64, hasUb, ext bool) string {
	n := r.size(lb, ub, hasUb, ext, 12)
	var units []uint16
	for len(units) < n {
		switch r.IntN(8) {
		case 0:
			if len(units)+2 <= n {
				c := rune(0x10000 + r.IntN(0x100000))
				c -= 0x10000
				units = append(units, uint16(0xd800+c>>10), uint16(0xdc00+c&0x3ff))
				continue
			}
			units = append(units, uint16(0xd800+r.IntN(0x800)))
		case 1:
			units = append(units, uint16(r.IntN(0x10000)))
		default:
			units = append(units, uint16(0x20+r.IntN(0x5f)))
		}
	}
	// Build the string as the decoder would.
	var buf []byte
	for i := 0; i < len(units); i++ {
		u := units[i]
		if u >= 0xd800 && u <= 0xdbff && i+1 < len(units) && units[i+1] >= 0xdc00 && units[i+1] <= 0xdfff {
			buf = utf8.AppendRune(buf, 0x10000+(rune(u)-0xd800)<<10+(rune(units[i+1])-0xdc00))
			i++
			continue
		}
		buf = appendBMPUnit(buf, u)
	}
	return string(buf)
}

func (r *randomizer) anyString() string {
	b := make([]byte, r.IntN(12))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return string(b)
}

func (r *randomizer) oid() per.OID {
	o := per.OID{uint32(r.IntN(3)), 0}
	if o[0] < 2 {
		o[1] = uint32(r.IntN(40))
	} else {
		o[1] = uint32(r.IntN(1000))
	}
	for range r.IntN(6) {
		o = append(o, r.Uint32())
	}
	return o
}

// openType draws the contents of an open type: never empty.
func (r *randomizer) openType() []byte {
	b := make([]byte, 1+r.IntN(8))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// unknownAdditions sometimes adds extension additions that this version
// does not know, as a newer peer would send.
func (r *randomizer) unknownAdditions(known int, depth int) Extensions {
	if r.known || depth > randomDepth || r.IntN(8) != 0 {
		return Extensions{}
	}
	i := known + r.IntN(3)
	return Extensions{Unknown: []per.RawExtension{{Index: i, Data: r.openType()}}, Len: i + 1}
}

// sameValue compares two decoded or built values like reflect.DeepEqual,
// except that a nil slice equals an empty one (PER does not tell them
// apart).
func sameValue(a, b reflect.Value) bool {
	if a.Type() != b.Type() {
		return false
	}
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return sameValue(a.Elem(), b.Elem())
	case reflect.Slice:
		if a.Len() != b.Len() {
			return false
		}
		for i := range a.Len() {
			if !sameValue(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Struct:
		for i := range a.NumField() {
			if !sameValue(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	case reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return sameValue(a.Elem(), b.Elem())
	}
	return reflect.DeepEqual(a.Interface(), b.Interface())
}

// checkRandomCase builds n random values of c and checks encode, decode,
// compare and re-encode. Each value is also decoded into one reused value
// that held the previous ones, which must come out exactly as the fresh
// decode does.
func checkRandomCase(t *testing.T, c randomCase, r *randomizer, n int) {
	t.Helper()
	var e per.Encoder
	reused := c.empty()
	for i := range n {
		v := c.build(r)
		e.Reset()
		if err := v.Encode(&e); err != nil {
			t.Errorf("%s #%d: encode: %v\n%+v", c.name, i, err, v)
			return
		}
		data := append([]byte(nil), e.Bytes()...)
		w := c.empty()
		var d per.Decoder
		d.Reset(data)
		if err := w.Decode(&d); err != nil {
			t.Errorf("%s #%d: decode %x: %v", c.name, i, data, err)
			return
		}
		if left := d.BitsLeft(); left >= 8 {
			t.Errorf("%s #%d: %d bits left after decode", c.name, i, left)
			return
		}
		if !sameValue(reflect.ValueOf(v), reflect.ValueOf(w)) {
			t.Errorf("%s #%d: decoded value differs\n got %+v\nwant %+v", c.name, i, w, v)
			return
		}
		d.Reset(data)
		if err := reused.Decode(&d); err != nil {
			t.Errorf("%s #%d: decode into a reused value %x: %v", c.name, i, data, err)
			return
		}
		if !reflect.DeepEqual(reused, w) {
			t.Errorf("%s #%d: decoding into a reused value differs from a fresh decode\n got %+v\nwant %+v", c.name, i, reused, w)
			return
		}
		e.Reset()
		if err := w.Encode(&e); err != nil {
			t.Errorf("%s #%d: re-encode: %v", c.name, i, err)
			return
		}
		if string(e.Bytes()) != string(data) {
			t.Errorf("%s #%d: re-encoding differs\n got %x\nwant %x", c.name, i, e.Bytes(), data)
			return
		}
	}
}
`
