package config

import (
	"encoding"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"
)

var (
	durationType        = reflect.TypeOf(time.Duration(0))
	textUnmarshalerType = reflect.TypeOf((*encoding.TextUnmarshaler)(nil)).Elem()
)

// locateValueError finds where a decode error without a position came from:
// it walks the YAML tree alongside the schema and re-converts each scalar
// whose Go type parses text itself (durations, text unmarshalers), returning
// "file:line:col: field: error" for the first that fails, or nil.
func locateValueError(name string, file *ast.File, schema reflect.Type) error {
	for _, doc := range file.Docs {
		if err := walkNode(name, doc.Body, schema, ""); err != nil {
			return err
		}
	}
	return nil
}

func walkNode(name string, n ast.Node, t reflect.Type, path string) error {
	if n == nil {
		return nil
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == durationType || reflect.PointerTo(t).Implements(textUnmarshalerType) {
		return checkScalar(name, n, t, path)
	}
	switch t.Kind() {
	case reflect.Struct:
		m, ok := mappingOf(n)
		if !ok {
			return nil
		}
		for _, kv := range m.Values {
			key := kv.Key.String()
			f, ok := fieldByTag(t, key)
			if !ok {
				continue
			}
			if err := walkNode(name, kv.Value, f.Type, joinPath(path, key)); err != nil {
				return err
			}
		}
	case reflect.Slice:
		seq, ok := n.(*ast.SequenceNode)
		if !ok {
			return nil
		}
		for i, v := range seq.Values {
			if err := walkNode(name, v, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkScalar(name string, n ast.Node, t reflect.Type, path string) error {
	s, ok := scalarText(n)
	if !ok {
		return nil
	}
	var err error
	if t == durationType {
		_, err = time.ParseDuration(s)
	} else {
		err = reflect.New(t).Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s))
	}
	if err == nil {
		return nil
	}
	pos := n.GetToken().Position
	return fmt.Errorf("%s:%d:%d: %s: %w", name, pos.Line, pos.Column, path, err)
}

func mappingOf(n ast.Node) (*ast.MappingNode, bool) {
	switch v := n.(type) {
	case *ast.MappingNode:
		return v, true
	case *ast.MappingValueNode:
		return &ast.MappingNode{Values: []*ast.MappingValueNode{v}}, true
	}
	return nil, false
}

func scalarText(n ast.Node) (string, bool) {
	switch v := n.(type) {
	case *ast.StringNode:
		return v.Value, true
	case ast.ScalarNode:
		return strings.TrimSpace(n.String()), true
	}
	return "", false
}

func fieldByTag(t reflect.Type, key string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		if strings.Split(f.Tag.Get("yaml"), ",")[0] == key {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
