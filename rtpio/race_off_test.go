//go:build !race

package rtpio

const raceEnabled = false
