package service

import (
	"math"
	"time"

	"github.com/switchyard/switchyard/transcode"
)

// pattern draws the test picture: colour bars over the top 60%, a band
// below them in which a white box sweeps left to right and back every four
// seconds, and a digital clock (HH:MM:SS.cc, UTC) of seven-segment digits
// at the bottom. The static parts are drawn once and copied into each
// frame.
type pattern struct {
	w, h   int
	bg     []byte // I420 background, tightly packed
	bandY0 int    // the box band's rows
	bandY1 int
	clockY int // top row of the clock digits
	digitW int
	digitH int
	stroke int
}

// 75% colour bars in BT.601 limited-range Y'CbCr: white, yellow, cyan,
// green, magenta, red, blue, black.
var bars = [8][3]byte{
	{180, 128, 128}, {162, 44, 142}, {131, 156, 44}, {112, 72, 58},
	{84, 184, 198}, {65, 100, 212}, {35, 212, 114}, {16, 128, 128},
}

const (
	boxLuma   = 235
	bandLuma  = 16
	clockBg   = 40
	digitLuma = 235
	// boxPeriod is one sweep across the band and back.
	boxPeriod = 4 * time.Second
)

func newPattern(w, h int) *pattern {
	p := &pattern{w: w, h: h, bg: make([]byte, w*h*3/2)}
	p.bandY0 = h * 60 / 100 &^ 1
	p.bandY1 = h * 72 / 100 &^ 1
	p.digitH = (h - p.bandY1) * 6 / 10 &^ 1
	p.digitW = p.digitH / 2
	p.stroke = max(p.digitH/8, 2)
	p.clockY = p.bandY1 + (h-p.bandY1-p.digitH)/2&^1
	y, u, v := p.bg[:w*h], p.bg[w*h:w*h+w*h/4], p.bg[w*h+w*h/4:]
	cw := w / 2
	for row := range h {
		for x := range w {
			switch {
			case row < p.bandY0:
				y[row*w+x] = bars[x*8/w][0]
			case row < p.bandY1:
				y[row*w+x] = bandLuma
			default:
				y[row*w+x] = clockBg
			}
		}
	}
	for row := range h / 2 {
		for x := range cw {
			cb, cr := byte(128), byte(128)
			if row*2 < p.bandY0 {
				c := bars[x*2*8/w]
				cb, cr = c[1], c[2]
			}
			u[row*cw+x], v[row*cw+x] = cb, cr
		}
	}
	return p
}

// draw renders the frame for media time 'at' (since the source started)
// and wall-clock time 'now' into img.
func (p *pattern) draw(img transcode.Image, at time.Duration, now time.Time) {
	w, h := p.w, p.h
	for row := range h {
		copy(img.Y[row*img.YStride:row*img.YStride+w], p.bg[row*w:(row+1)*w])
	}
	cw, ch := w/2, h/2
	u, v := p.bg[w*h:w*h+cw*ch], p.bg[w*h+cw*ch:]
	for row := range ch {
		copy(img.Cb[row*img.CStride:row*img.CStride+cw], u[row*cw:(row+1)*cw])
		copy(img.Cr[row*img.CStride:row*img.CStride+cw], v[row*cw:(row+1)*cw])
	}
	// The box: a triangle wave across the band.
	size := p.bandY1 - p.bandY0 - 4
	phase := float64(at%boxPeriod) / float64(boxPeriod)
	x := int(float64(w-size) * (1 - math.Abs(2*phase-1)))
	fillY(img, x&^1, p.bandY0+2, size, size, boxLuma)
	// The clock.
	t := now.UTC()
	cs := t.Nanosecond() / 1e7
	text := [11]byte{
		byte('0' + t.Hour()/10), byte('0' + t.Hour()%10), ':',
		byte('0' + t.Minute()/10), byte('0' + t.Minute()%10), ':',
		byte('0' + t.Second()/10), byte('0' + t.Second()%10), '.',
		byte('0' + cs/10), byte('0' + cs%10),
	}
	gap := p.digitW / 3
	total := 0
	for _, c := range text {
		total += p.charWidth(c) + gap
	}
	x = max((w-total)/2, 0)
	for _, c := range text {
		p.drawChar(img, x, c)
		x += p.charWidth(c) + gap
	}
}

func (p *pattern) charWidth(c byte) int {
	if c == ':' || c == '.' {
		return p.stroke
	}
	return p.digitW
}

// Segments a..g of each digit, as bits 0..6:
//
//	 a
//	f b
//	 g
//	e c
//	 d
var segments = [10]byte{0x3F, 0x06, 0x5B, 0x4F, 0x66, 0x6D, 0x7D, 0x07, 0x7F, 0x6F}

func (p *pattern) drawChar(img transcode.Image, x int, c byte) {
	y0, dw, dh, s := p.clockY, p.digitW, p.digitH, p.stroke
	half := dh / 2
	switch {
	case c == ':':
		fillY(img, x, y0+dh/4, s, s, digitLuma)
		fillY(img, x, y0+dh*3/4-s, s, s, digitLuma)
		return
	case c == '.':
		fillY(img, x, y0+dh-s, s, s, digitLuma)
		return
	case c < '0' || c > '9':
		return
	}
	m := segments[c-'0']
	rects := [7][4]int{
		{x, y0, dw, s},                        // a
		{x + dw - s, y0, s, half},             // b
		{x + dw - s, y0 + half, s, dh - half}, // c
		{x, y0 + dh - s, dw, s},               // d
		{x, y0 + half, s, dh - half},          // e
		{x, y0, s, half},                      // f
		{x, y0 + half - s/2, dw, s},           // g
	}
	for i, r := range rects {
		if m&(1<<i) != 0 {
			fillY(img, r[0], r[1], r[2], r[3], digitLuma)
		}
	}
}

// fillY paints a rectangle of the luma plane, clipped to the picture.
func fillY(img transcode.Image, x, y, w, h int, luma byte) {
	x0, y0 := max(x, 0), max(y, 0)
	x1, y1 := min(x+w, img.Width), min(y+h, img.Height)
	for row := y0; row < y1; row++ {
		line := img.Y[row*img.YStride+x0 : row*img.YStride+x1]
		for i := range line {
			line[i] = luma
		}
	}
}

// toneLevel and beepLevel are the test tone's amplitudes: a steady 1 kHz
// tone at -20 dBFS, louder (-6 dBFS) for the first 100 ms of every
// second, so that the beeps line up with the clock's seconds.
const (
	toneFreq  = 1000
	toneLevel = 3277
	beepLevel = 16423
	beepLen   = 100 * time.Millisecond
)

// tone writes the samples that start at sample index 'first' (of a stream
// at rate Hz that began at wall-clock 'start').
func tone(pcm []int16, rate int, first int64, start time.Time) {
	startOff := int64(start.Nanosecond()) * int64(rate) / 1e9 // position within the wall-clock second
	beep := int64(beepLen) * int64(rate) / int64(time.Second)
	for i := range pcm {
		n := first + int64(i)
		a := float64(toneLevel)
		if (n+startOff)%int64(rate) < beep {
			a = beepLevel
		}
		pcm[i] = int16(a * math.Sin(2*math.Pi*toneFreq*float64(n%int64(rate))/float64(rate)))
	}
}
