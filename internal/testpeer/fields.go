package testpeer

import "sort"

// Fields returns every value of the field called name (a tshark field name
// such as "q931.message_type", "h225.h323_message_body" or "h245.bitRate")
// anywhere in v, which is usually a Packet or one of its layers. Values are
// returned as tshark printed them: a string for a leaf, a map for a field
// that only has children. A repeated field contributes each of its values.
// The walk visits map keys in sorted order, so the result is deterministic.
func Fields(v any, name string) []any {
	var out []any
	walk(v, func(key string, val any) {
		if key != name {
			return
		}
		if arr, ok := val.([]any); ok {
			out = append(out, arr...)
			return
		}
		out = append(out, val)
	})
	return out
}

// Strings is Fields restricted to leaf values: it returns every string value
// of the field called name anywhere in v.
func Strings(v any, name string) []string {
	var out []string
	for _, f := range Fields(v, name) {
		if s, ok := f.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// Has reports whether the field called name occurs anywhere in v.
func Has(v any, name string) bool {
	return len(Fields(v, name)) > 0
}

// walk calls fn for every (key, value) pair of every object inside v,
// depth first, parents before children.
func walk(v any, fn func(key string, val any)) {
	walkPrune(v, func(key string, val any) bool {
		fn(key, val)
		return true
	})
}

// walkPrune is walk where fn decides whether to descend into val.
func walkPrune(v any, fn func(key string, val any) (descend bool)) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if fn(k, x[k]) {
				walkPrune(x[k], fn)
			}
		}
	case []any:
		for _, e := range x {
			walkPrune(e, fn)
		}
	}
}
