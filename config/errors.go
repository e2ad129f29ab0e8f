package config

import (
	"errors"
	"fmt"
	"strings"
)

// FieldError is a validation error about one field, named by its YAML path
// (for example "dialplan.rules[3].match"). Line is 0 until the loader finds
// the field in the file.
type FieldError struct {
	File  string
	Line  int
	Field string
	Err   error
}

// Error renders "file:line: field: message".
func (e *FieldError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d", e.Line)
		}
		b.WriteString(": ")
	}
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns the underlying error.
func (e *FieldError) Unwrap() error { return e.Err }

// FieldPath returns the field's YAML path.
func (e *FieldError) FieldPath() string { return e.Field }

func fieldErr(field, msg string) *FieldError {
	return &FieldError{Field: field, Err: errors.New(msg)}
}

// fieldPather is implemented by the section packages' field errors
// (rules.FieldError, api's), so that config can place them in the file.
type fieldPather interface {
	error
	FieldPath() string
}

// prefixed flattens a section's validation error into FieldErrors whose
// paths start with the section's key.
func prefixed(section string, err error) []error {
	if err == nil {
		return nil
	}
	var out []error
	for _, e := range flatten(err) {
		var fp fieldPather
		switch {
		case errors.As(e, &fp):
			path := fp.FieldPath()
			if path == "" {
				path = section
			} else if !strings.HasPrefix(path, "[") {
				path = section + "." + path
			} else {
				path = section + path
			}
			out = append(out, &FieldError{Field: path, Err: unwrapField(fp)})
		default:
			out = append(out, &FieldError{Field: section, Err: e})
		}
	}
	return out
}

// unwrapField returns the message of a section field error without its own
// path prefix, so that the path is not printed twice.
func unwrapField(fp fieldPather) error {
	if u := errors.Unwrap(fp); u != nil {
		return u
	}
	return errors.New(strings.TrimPrefix(fp.Error(), fp.FieldPath()+": "))
}

func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}

func joinErrors(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	return errors.Join(errs...)
}
