// Package config is Switchyard's configuration file: its schema, its embedded
// default, and its validation.
//
// The file is YAML. Each package that needs settings owns its own section type
// (rules.Config for the dial plan, api.Config for the admin API); config
// composes them under top-level keys, rejects unknown fields, and reports every
// error with the file, line and field it concerns. The embedded default
// (default.yaml) starts a working gateway with no file at all and is the
// annotated reference of every option.
//
// The package reads files and the environment; it starts nothing.
package config
