package transcode

import "math"

// tone returns n samples of a sine at freq Hz sampled at rate, amplitude a.
func tone(n, rate int, freq, a float64, phase int) []int16 {
	out := make([]int16, n)
	for i := range out {
		out[i] = int16(a * math.Sin(2*math.Pi*freq*float64(phase+i)/float64(rate)))
	}
	return out
}

// toneAnalysis measures the frequency of a tone by zero crossings (with
// linear interpolation) and its SNR against the best-fitting sine at that
// frequency.
func toneAnalysis(pcm []int16, rate int) (freq, snr float64) {
	var first, last float64
	crossings := 0
	for i := 1; i < len(pcm); i++ {
		a, b := float64(pcm[i-1]), float64(pcm[i])
		if a < 0 && b >= 0 {
			x := float64(i-1) + -a/(b-a)
			if crossings == 0 {
				first = x
			}
			last = x
			crossings++
		}
	}
	if crossings < 2 {
		return 0, 0
	}
	freq = float64(crossings-1) * float64(rate) / (last - first)
	// Least squares fit of s*sin + c*cos + d.
	var ss, sc, cc, ys, yc, s1, c1, y1 float64
	n := float64(len(pcm))
	for i, v := range pcm {
		w := 2 * math.Pi * freq * float64(i) / float64(rate)
		s, c, y := math.Sin(w), math.Cos(w), float64(v)
		ss += s * s
		sc += s * c
		cc += c * c
		ys += y * s
		yc += y * c
		s1 += s
		c1 += c
		y1 += y
	}
	// Solve the 3x3 normal equations.
	m := [3][4]float64{{ss, sc, s1, ys}, {sc, cc, c1, yc}, {s1, c1, n, y1}}
	for col := range 3 {
		for r := col + 1; r < 3; r++ {
			f := m[r][col] / m[col][col]
			for k := col; k < 4; k++ {
				m[r][k] -= f * m[col][k]
			}
		}
	}
	var x [3]float64
	for r := 2; r >= 0; r-- {
		v := m[r][3]
		for k := r + 1; k < 3; k++ {
			v -= m[r][k] * x[k]
		}
		x[r] = v / m[r][r]
	}
	var sig, noise float64
	for i, v := range pcm {
		w := 2 * math.Pi * freq * float64(i) / float64(rate)
		fit := x[0]*math.Sin(w) + x[1]*math.Cos(w) + x[2]
		sig += fit * fit
		d := float64(v) - fit
		noise += d * d
	}
	return freq, 10 * math.Log10(sig/max(noise, 1e-9))
}
