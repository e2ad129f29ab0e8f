package caps

import (
	"fmt"
	"slices"

	"github.com/switchyard/switchyard/h323/h225"
	"github.com/switchyard/switchyard/h323/h245"
	"github.com/switchyard/switchyard/h323/per"
)

// standardID returns the CapabilityIdentifier of a standard OID.
func standardID(o per.OID) h245.CapabilityIdentifier {
	return h245.CapabilityIdentifier{Choice: h245.CapabilityIdentifierChoiceStandard, Standard: slices.Clone(o)}
}

// h225Protocol returns the H.225.0 protocolIdentifier to send.
func h225Protocol() h225.ProtocolIdentifier { return h225.ProtocolIdentifier(slices.Clone(oidH225)) }

// isStandard reports whether id is the standard identifier o.
func isStandard(id *h245.CapabilityIdentifier, o per.OID) bool {
	return id.Choice == h245.CapabilityIdentifierChoiceStandard && id.Standard.Equal(o)
}

// param builds a GenericParameter with a standard identifier.
func param(id uint8, v h245.ParameterValue) h245.GenericParameter {
	return h245.GenericParameter{
		ParameterIdentifier: h245.ParameterIdentifier{Choice: h245.ParameterIdentifierChoiceStandard, Standard: id},
		ParameterValue:      v,
	}
}

func paramBooleanArray(id, v uint8) h245.GenericParameter {
	return param(id, h245.ParameterValue{Choice: h245.ParameterValueChoiceBooleanArray, BooleanArray: v})
}

func paramUnsignedMin(id uint8, v uint16) h245.GenericParameter {
	return param(id, h245.ParameterValue{Choice: h245.ParameterValueChoiceUnsignedMin, UnsignedMin: v})
}

func paramUnsignedMax(id uint8, v uint16) h245.GenericParameter {
	return param(id, h245.ParameterValue{Choice: h245.ParameterValueChoiceUnsignedMax, UnsignedMax: v})
}

func paramLogical(id uint8) h245.GenericParameter {
	return param(id, h245.ParameterValue{Choice: h245.ParameterValueChoiceLogical})
}

// standardParam returns the standard identifier of p, or false when p is
// identified otherwise.
func standardParam(p *h245.GenericParameter) (uint8, bool) {
	if p.ParameterIdentifier.Choice != h245.ParameterIdentifierChoiceStandard {
		return 0, false
	}
	return p.ParameterIdentifier.Standard, true
}

// paramUint returns the numeric value of a parameter whatever the flavour
// of unsigned value it was sent as (implementations differ between
// unsignedMin and unsignedMax), or of a booleanArray.
func paramUint(p *h245.GenericParameter) (uint32, error) {
	v := &p.ParameterValue
	switch v.Choice {
	case h245.ParameterValueChoiceBooleanArray:
		return uint32(v.BooleanArray), nil
	case h245.ParameterValueChoiceUnsignedMin:
		return uint32(v.UnsignedMin), nil
	case h245.ParameterValueChoiceUnsignedMax:
		return uint32(v.UnsignedMax), nil
	case h245.ParameterValueChoiceUnsigned32Min:
		return v.Unsigned32Min, nil
	case h245.ParameterValueChoiceUnsigned32Max:
		return v.Unsigned32Max, nil
	}
	return 0, fmt.Errorf("%w: parameter value kind %v is not a number", ErrInvalid, v.Choice)
}

// paramList returns the parameters of an optional list.
func paramList(l *[]h245.GenericParameter) []h245.GenericParameter {
	if l == nil {
		return nil
	}
	return *l
}

// optParams returns a pointer to ps, or nil when ps is empty (the list is
// left out).
func optParams(ps []h245.GenericParameter) *[]h245.GenericParameter {
	if len(ps) == 0 {
		return nil
	}
	return &ps
}
