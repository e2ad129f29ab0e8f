// Package g711 converts between 16-bit linear PCM and G.711 µ-law and A-law
// (ITU-T G.711), the telephony codecs whose RTP payload is one byte per
// sample at 8 kHz (RFC 3551 PCMU and PCMA).
//
// It is pure Go and allocation-free: decoding reads a 256-entry table,
// encoding is a few shifts per sample. It knows nothing of packets, loss
// or timing.
package g711

// ulawTable and alawTable map each code byte to its linear value.
var (
	ulawTable = buildTable(ulawToLinear)
	alawTable = buildTable(alawToLinear)
)

func buildTable(f func(byte) int16) [256]int16 {
	var t [256]int16
	for i := range t {
		t[i] = f(byte(i))
	}
	return t
}

const (
	ulawBias = 0x84
	ulawClip = 32635
)

// EncodeUlaw appends the µ-law codes of pcm to dst and returns it.
func EncodeUlaw(dst []byte, pcm []int16) []byte {
	for _, s := range pcm {
		dst = append(dst, LinearToUlaw(s))
	}
	return dst
}

// DecodeUlaw appends the linear samples of µ-law codes to dst.
func DecodeUlaw(dst []int16, codes []byte) []int16 {
	for _, c := range codes {
		dst = append(dst, ulawTable[c])
	}
	return dst
}

// EncodeAlaw appends the A-law codes of pcm to dst and returns it.
func EncodeAlaw(dst []byte, pcm []int16) []byte {
	for _, s := range pcm {
		dst = append(dst, LinearToAlaw(s))
	}
	return dst
}

// DecodeAlaw appends the linear samples of A-law codes to dst.
func DecodeAlaw(dst []int16, codes []byte) []int16 {
	for _, c := range codes {
		dst = append(dst, alawTable[c])
	}
	return dst
}

// LinearToUlaw encodes one sample.
func LinearToUlaw(s int16) byte {
	v := int(s)
	sign := 0
	if v < 0 {
		v, sign = -v, 0x80
	}
	if v > ulawClip {
		v = ulawClip
	}
	v += ulawBias
	exp := 7
	for mask := 0x4000; v&mask == 0 && exp > 0; mask >>= 1 {
		exp--
	}
	mant := (v >> (exp + 3)) & 0x0F
	return ^byte(sign | exp<<4 | mant)
}

func ulawToLinear(c byte) int16 {
	c = ^c
	sign := c & 0x80
	exp := int(c>>4) & 0x07
	mant := int(c & 0x0F)
	v := ((mant << 3) + ulawBias) << exp
	v -= ulawBias
	if sign != 0 {
		return int16(-v)
	}
	return int16(v)
}

// LinearToAlaw encodes one sample.
func LinearToAlaw(s int16) byte {
	v := int(s) >> 3 // A-law works on 13 bits
	sign := byte(0x80)
	if v < 0 {
		v, sign = -v-1, 0
	}
	var code byte
	if v < 32 {
		code = byte(v >> 1)
	} else {
		exp := 1
		for t := v >> 5; t > 1 && exp < 7; t >>= 1 {
			exp++
		}
		if v >= 4096 {
			exp, v = 7, 4095
		}
		code = byte(exp<<4) | byte((v>>exp)&0x0F)
	}
	return (code | sign) ^ 0x55
}

func alawToLinear(c byte) int16 {
	c ^= 0x55
	exp := int(c>>4) & 0x07
	mant := int(c & 0x0F)
	var v int
	if exp == 0 {
		v = mant<<4 + 8
	} else {
		v = (mant<<4 + 0x108) << (exp - 1)
	}
	if c&0x80 == 0 {
		return int16(-v)
	}
	return int16(v)
}
