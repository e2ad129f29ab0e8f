package transcode

import (
	"errors"
	"fmt"
)

// Config is the `transcode:` section of the configuration file: how many
// transcoded streams may run at once. A value of 0 turns that kind of
// transcoding off (calls then carry only what can relay).
type Config struct {
	// MaxVideo is the most video streams (one direction each) transcoded
	// at the same time.
	MaxVideo int `yaml:"max_video" json:"max_video"`
	// MaxAudio is the most audio streams (one direction each) transcoded
	// at the same time.
	MaxAudio int `yaml:"max_audio" json:"max_audio"`
}

// DefaultConfig returns the shipped limits, sized for a small appliance
// (about four cores): a 720p30 video transcode takes about half a core, an
// audio transcode well under one percent of one.
func DefaultConfig() Config {
	return Config{MaxVideo: 8, MaxAudio: 400}
}

// FieldError names the field of the transcode section that is wrong.
type FieldError struct {
	Field string
	Err   error
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Err.Error() }

// Unwrap returns the underlying error.
func (e *FieldError) Unwrap() error { return e.Err }

// FieldPath returns the field's YAML key within the transcode section.
func (e *FieldError) FieldPath() string { return e.Field }

// maxLimit bounds the limits to catch typos (an extra zero or two).
const maxLimit = 100000

// Validate checks that the limits are neither negative nor absurd.
func (c Config) Validate() error {
	var errs []error
	check := func(field string, v int) {
		switch {
		case v < 0:
			errs = append(errs, &FieldError{field, errors.New("must not be negative (0 turns this transcoding off)")})
		case v > maxLimit:
			errs = append(errs, &FieldError{field, fmt.Errorf("%d is more than %d", v, maxLimit)})
		}
	}
	check("max_video", c.MaxVideo)
	check("max_audio", c.MaxAudio)
	return errors.Join(errs...)
}
