package asn1_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/switchyard/switchyard/h323/internal/asn1"
	"github.com/switchyard/switchyard/internal/testpeer"
)

// loadShared loads the six H.323 modules of the shared reference directory.
func loadShared(t *testing.T) *asn1.Set {
	t.Helper()
	dir := testpeer.SharedFile(t, "asn1")
	var paths []string
	for _, f := range []string{"h225.asn", "h235.asn", "h245.asn", "h4501.asn", "h46018.asn", "h46019.asn"} {
		paths = append(paths, filepath.Join(dir, f))
	}
	s, err := asn1.Load(paths...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSharedModules checks that every type assignment of the six modules
// parses and resolves. The only missing symbols are ROS and Code, which
// H.450.1 imports from X.880 (not part of the module set).
func TestSharedModules(t *testing.T) {
	s := loadShared(t)
	wantTypes := map[string]int{
		"H323-MESSAGES": 175, "H235-SECURITY-MESSAGES": 38, "MULTIMEDIA-SYSTEM-CONTROL": 270,
		"H4501-Supplementary-ServiceAPDU-Structure": 24, "SIGNALLING-TRAVERSAL": 2, "MEDIA-TRAVERSAL": 1,
	}
	for name, n := range wantTypes {
		m := s.Module(name)
		if m == nil {
			t.Errorf("module %s missing", name)
			continue
		}
		if len(m.Types) != n {
			t.Errorf("%s: %d type assignments, want %d", name, len(m.Types), n)
		}
	}
	wantUnresolved := []string{"H4501-Supplementary-ServiceAPDU-Structure.Code", "H4501-Supplementary-ServiceAPDU-Structure.ROS"}
	if !slices.Equal(s.Unresolved, wantUnresolved) {
		t.Errorf("unresolved %v, want %v", s.Unresolved, wantUnresolved)
	}
	// H.450.1 names its H.225.0 import "H225"; H.460.19 imports TimeToLive
	// from H.245, which does not define it. Both are found leniently.
	for _, w := range []string{
		"AliasAddress imported FROM H225, found in H323-MESSAGES",
		"TimeToLive imported FROM MULTIMEDIA-SYSTEM-CONTROL, found in H323-MESSAGES",
	} {
		if !slices.ContainsFunc(s.Warnings, func(x string) bool { return strings.Contains(x, w) }) {
			t.Errorf("no warning %q in %v", w, s.Warnings)
		}
	}
	dependsOnX880 := map[string]bool{"ServiceApdus": true, "Extension": true}
	resolved := 0
	for _, m := range s.Modules {
		for _, a := range m.Types {
			if len(a.Params) > 0 {
				continue // parameterized: only instances resolve
			}
			var unres []string
			walk(a.Type, map[*asn1.Type]bool{}, func(n *asn1.Type) {
				if n.Unresolved != "" {
					unres = append(unres, n.Unresolved)
				} else if n.Builtin == nil || n.PER == nil {
					t.Errorf("%s.%s: node at %s not resolved", m.Name, a.Name, n.Pos)
				}
			})
			switch {
			case len(unres) > 0 && !dependsOnX880[a.Name]:
				t.Errorf("%s.%s: unresolved %v", m.Name, a.Name, unres)
			case len(unres) == 0 && dependsOnX880[a.Name]:
				t.Errorf("%s.%s resolved, expected it to need X.880", m.Name, a.Name)
			case len(unres) == 0:
				resolved++
			}
		}
	}
	t.Logf("%d type assignments resolved", resolved)
}

// walk visits every node of a type tree once.
func walk(t *asn1.Type, seen map[*asn1.Type]bool, fn func(*asn1.Type)) {
	if t == nil || seen[t] {
		return
	}
	seen[t] = true
	fn(t)
	for _, c := range t.Components() {
		walk(c.Type, seen, fn)
	}
	walk(t.Elem, seen, fn)
	walk(t.Instance, seen, fn)
}

// node follows a path of component names ("*" for a SEQUENCE OF element)
// from a type assignment.
func node(t *testing.T, s *asn1.Set, module, typ, path string) *asn1.Type {
	t.Helper()
	a := s.Lookup(module, typ)
	if a == nil {
		t.Fatalf("%s.%s not found", module, typ)
	}
	n := a.Type
	if path == "" {
		return n
	}
	for _, step := range strings.Split(path, ".") {
		b := n.Builtin
		if step == "*" {
			n = b.Elem
			continue
		}
		var next *asn1.Type
		for _, c := range b.Components() {
			if c.Name == step {
				next = c.Type
			}
		}
		if next == nil {
			t.Fatalf("%s.%s: no component %s in %s", module, typ, step, path)
		}
		n = next
	}
	return n
}

func names(cs []*asn1.Component) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Name)
	}
	return out
}

func additionNames(t *asn1.Type) []string {
	var out []string
	for _, a := range t.Ext {
		out = append(out, names(a.Components)...)
	}
	return out
}

func r(lo, hi int64) asn1.Range {
	return asn1.Range{Lower: lo, Upper: hi, HasLower: true, HasUpper: true}
}

const (
	h225 = "H323-MESSAGES"
	h235 = "H235-SECURITY-MESSAGES"
	h245 = "MULTIMEDIA-SYSTEM-CONTROL"
)

// TestSpotChecks compares resolved constraints with the module text.
func TestSpotChecks(t *testing.T) {
	s := loadShared(t)
	tests := []struct {
		module, typ, path string
		kind              asn1.Kind
		value, size       asn1.Range
		alphabet          string
	}{
		// AliasAddress ::= CHOICE { dialedDigits IA5String (SIZE (1..128)) (FROM ("0123456789#*,")), h323-ID BMPString (SIZE (1..256)), ..., url-ID IA5String (SIZE(1..512)), ...
		{module: h225, typ: "AliasAddress", path: "dialedDigits", kind: asn1.KindCharString, size: r(1, 128), alphabet: "#*,0123456789"},
		{module: h225, typ: "AliasAddress", path: "h323-ID", kind: asn1.KindCharString, size: r(1, 256)},
		{module: h225, typ: "AliasAddress", path: "url-ID", kind: asn1.KindCharString, size: r(1, 512)},
		// TransportAddress ::= CHOICE { ipAddress SEQUENCE { ip OCTET STRING (SIZE(4)), port INTEGER(0..65535) }, ... nsap OCTET STRING (SIZE(1..20)) ...
		{module: h225, typ: "TransportAddress", path: "ipAddress.ip", kind: asn1.KindOctetString, size: r(4, 4)},
		{module: h225, typ: "TransportAddress", path: "ipAddress.port", kind: asn1.KindInteger, value: r(0, 65535)},
		{module: h225, typ: "TransportAddress", path: "ip6Address.ip", kind: asn1.KindOctetString, size: r(16, 16)},
		{module: h225, typ: "TransportAddress", path: "nsap", kind: asn1.KindOctetString, size: r(1, 20)},
		// Setup-UUIE: conferenceID ConferenceIdentifier ::= GloballyUniqueID ::= OCTET STRING (SIZE(16)), hopCount INTEGER (1..31), language SEQUENCE OF IA5String (SIZE (1..32))
		{module: h225, typ: "Setup-UUIE", path: "conferenceID", kind: asn1.KindOctetString, size: r(16, 16)},
		{module: h225, typ: "Setup-UUIE", path: "hopCount", kind: asn1.KindInteger, value: r(1, 31)},
		{module: h225, typ: "Setup-UUIE", path: "language.*", kind: asn1.KindCharString, size: r(1, 32)},
		{module: h225, typ: "Setup-UUIE", path: "destExtraCRV.*", kind: asn1.KindInteger, value: r(0, 65535)},
		// GenericIdentifier: standard INTEGER(0..16383,...)
		{module: h225, typ: "GenericIdentifier", path: "standard", kind: asn1.KindInteger,
			value: asn1.Range{Lower: 0, Upper: 16383, HasLower: true, HasUpper: true, Extensible: true}},
		// IsupDigits ::= IA5String (SIZE (1..128)) (FROM ("0123456789ABCDE")); TBCD-STRING ::= IA5String (FROM ("0123456789#*abc"))
		{module: h225, typ: "IsupDigits", kind: asn1.KindCharString, size: r(1, 128), alphabet: "0123456789ABCDE"},
		{module: h225, typ: "TBCD-STRING", kind: asn1.KindCharString, alphabet: "#*0123456789abc"},
		// H.235: TimeStamp INTEGER(1..4294967295), RandomVal INTEGER, KeyMaterialExt BIT STRING(SIZE(2049..65536))
		{module: h235, typ: "TimeStamp", kind: asn1.KindInteger, value: r(1, 4294967295)},
		{module: h235, typ: "RandomVal", kind: asn1.KindInteger},
		{module: h235, typ: "KeyMaterialExt", kind: asn1.KindBitString, size: r(2049, 65536)},
		// TerminalCapabilitySet: sequenceNumber SequenceNumber ::= INTEGER (0..255), capabilityTable SET SIZE (1..256) OF ...
		{module: h245, typ: "TerminalCapabilitySet", path: "sequenceNumber", kind: asn1.KindInteger, value: r(0, 255)},
		{module: h245, typ: "TerminalCapabilitySet", path: "capabilityTable", kind: asn1.KindSetOf, size: r(1, 256)},
		{module: h245, typ: "TerminalCapabilitySet", path: "capabilityDescriptors", kind: asn1.KindSetOf, size: r(1, 256)},
		// OpenLogicalChannel: forwardLogicalChannelNumber LogicalChannelNumber ::= INTEGER (1..65535)
		{module: h245, typ: "OpenLogicalChannel", path: "forwardLogicalChannelNumber", kind: asn1.KindInteger, value: r(1, 65535)},
		// GenericCapability: maxBitRate INTEGER (0..4294967295), capabilityIdentifier.domainBased IA5String (SIZE (1..64)), uuid OCTET STRING (SIZE (16))
		{module: h245, typ: "GenericCapability", path: "maxBitRate", kind: asn1.KindInteger, value: r(0, 4294967295)},
		{module: h245, typ: "GenericCapability", path: "capabilityIdentifier.domainBased", kind: asn1.KindCharString, size: r(1, 64)},
		{module: h245, typ: "GenericCapability", path: "capabilityIdentifier.uuid", kind: asn1.KindOctetString, size: r(16, 16)},
		// UserInputIndication.signal: signalType IA5String (SIZE (1) ^ FROM ("0123456789#*ABCD!")), duration INTEGER (1..65535)
		{module: h245, typ: "UserInputIndication", path: "signal.signalType", kind: asn1.KindCharString, size: r(1, 1), alphabet: "!#*0123456789ABCD"},
		{module: h245, typ: "UserInputIndication", path: "signal.duration", kind: asn1.KindInteger, value: r(1, 65535)},
		{module: h245, typ: "UserInputIndication", path: "alphanumeric", kind: asn1.KindCharString},
		// RTPPayloadType: rfc-number INTEGER (1..32768, ...); MaxRedundancy ::= INTEGER (1..MAX)
		{module: h245, typ: "RTPPayloadType", path: "payloadDescriptor.rfc-number", kind: asn1.KindInteger,
			value: asn1.Range{Lower: 1, Upper: 32768, HasLower: true, HasUpper: true, Extensible: true}},
		{module: h245, typ: "MaxRedundancy", kind: asn1.KindInteger, value: asn1.Range{Lower: 1, HasLower: true}},
		{module: h245, typ: "TransparencyParameters", path: "offset-x", kind: asn1.KindInteger, value: r(-262144, 262143)},
		// Q2931Address: internationalNumber NumericString(SIZE(1..16))
		{module: h245, typ: "Q2931Address", path: "address.internationalNumber", kind: asn1.KindCharString, size: r(1, 16)},
		// H.460.19: keepAliveInterval TimeToLive (H.225.0's, INTEGER (1..4294967295))
		{module: "MEDIA-TRAVERSAL", typ: "TraversalParameters", path: "keepAliveInterval", kind: asn1.KindInteger, value: r(1, 4294967295)},
		{module: "MEDIA-TRAVERSAL", typ: "TraversalParameters", path: "keepAlivePayloadType", kind: asn1.KindInteger, value: r(0, 127)},
	}
	for _, tc := range tests {
		t.Run(tc.typ+"."+tc.path, func(t *testing.T) {
			n := node(t, s, tc.module, tc.typ, tc.path)
			if n.Builtin.Kind != tc.kind {
				t.Errorf("kind %s, want %s", n.Builtin.Kind, tc.kind)
			}
			if n.PER.Value != tc.value {
				t.Errorf("value %v, want %v", n.PER.Value, tc.value)
			}
			if n.PER.Size != tc.size {
				t.Errorf("size %v, want %v", n.PER.Size, tc.size)
			}
			if string(n.PER.Alphabet) != tc.alphabet {
				t.Errorf("alphabet %q, want %q", string(n.PER.Alphabet), tc.alphabet)
			}
		})
	}
}

// TestSpotCheckComponents checks root and extension components and
// OPTIONAL flags of a few structured types against the module text.
func TestSpotCheckComponents(t *testing.T) {
	s := loadShared(t)
	tests := []struct {
		module, typ, path string
		root, optional    []string
		additions         []string
	}{
		{module: h225, typ: "AliasAddress", root: []string{"dialedDigits", "h323-ID"},
			additions: []string{"url-ID", "transportID", "email-ID", "partyNumber", "mobileUIM", "isupNumber"}},
		{module: h225, typ: "TransportAddress",
			root: []string{"ipAddress", "ipSourceRoute", "ipxAddress", "ip6Address", "netBios", "nsap", "nonStandardAddress"}},
		{module: h225, typ: "Setup-UUIE",
			root: []string{"protocolIdentifier", "h245Address", "sourceAddress", "sourceInfo", "destinationAddress",
				"destCallSignalAddress", "destExtraCallInfo", "destExtraCRV", "activeMC", "conferenceID",
				"conferenceGoal", "callServices", "callType"},
			optional: []string{"h245Address", "sourceAddress", "destinationAddress", "destCallSignalAddress",
				"destExtraCallInfo", "destExtraCRV", "callServices"},
			additions: []string{"sourceCallSignalAddress", "remoteExtensionAddress", "callIdentifier",
				"h245SecurityCapability", "tokens", "cryptoTokens", "fastStart", "mediaWaitForConnect",
				"canOverlapSend", "endpointIdentifier", "multipleCalls", "maintainConnection", "connectionParameters",
				"language", "presentationIndicator", "screeningIndicator", "serviceControl",
				"symmetricOperationRequired", "capacity", "circuitInfo", "desiredProtocols", "neededFeatures",
				"desiredFeatures", "supportedFeatures", "parallelH245Control", "additionalSourceAddresses",
				"hopCount", "displayName"}},
		{module: h245, typ: "TerminalCapabilitySet",
			root:      []string{"sequenceNumber", "protocolIdentifier", "multiplexCapability", "capabilityTable", "capabilityDescriptors"},
			optional:  []string{"multiplexCapability", "capabilityTable", "capabilityDescriptors"},
			additions: []string{"genericInformation"}},
		{module: h245, typ: "OpenLogicalChannel",
			root:      []string{"forwardLogicalChannelNumber", "forwardLogicalChannelParameters", "reverseLogicalChannelParameters"},
			optional:  []string{"reverseLogicalChannelParameters"},
			additions: []string{"separateStack", "encryptionSync", "genericInformation"}},
		{module: h245, typ: "GenericCapability",
			root:     []string{"capabilityIdentifier", "maxBitRate", "collapsing", "nonCollapsing", "nonCollapsingRaw", "transport"},
			optional: []string{"maxBitRate", "collapsing", "nonCollapsing", "nonCollapsingRaw", "transport"}},
		{module: h245, typ: "UserInputIndication", root: []string{"nonStandard", "alphanumeric"},
			additions: []string{"userInputSupportIndication", "signal", "signalUpdate", "extendedAlphanumeric",
				"encryptedAlphanumeric", "genericInformation"}},
		{module: h245, typ: "RTPH263VideoRedundancyEncoding", path: "frameToThreadMapping",
			root: []string{"roundrobin", "custom"}},
	}
	for _, tc := range tests {
		t.Run(tc.typ, func(t *testing.T) {
			b := node(t, s, tc.module, tc.typ, tc.path).Builtin
			if got := names(b.Root); !slices.Equal(got, tc.root) {
				t.Errorf("root %v, want %v", got, tc.root)
			}
			var opt []string
			for _, c := range b.Root {
				if c.Optional {
					opt = append(opt, c.Name)
				}
			}
			if !slices.Equal(opt, tc.optional) {
				t.Errorf("optional %v, want %v", opt, tc.optional)
			}
			if got := additionNames(b); !slices.Equal(got, tc.additions) {
				t.Errorf("additions %v, want %v", got, tc.additions)
			}
			if !b.Extensible {
				t.Errorf("not extensible")
			}
		})
	}
}

// TestParameterizedInstances checks the H.235 SIGNED / ENCRYPTED / HASHED
// instances: the open type parameter keeps its constraining type.
func TestParameterizedInstances(t *testing.T) {
	s := loadShared(t)
	tok := node(t, s, h235, "CryptoToken", "cryptoSignedToken.token")
	if tok.Instance == nil || tok.Target.Name != "SIGNED" {
		t.Fatalf("token is not an instance of SIGNED: %+v", tok)
	}
	if got := names(tok.Builtin.Root); !slices.Equal(got, []string{"toBeSigned", "algorithmOID", "paramS", "signature"}) {
		t.Errorf("SIGNED components %v", got)
	}
	tbs := tok.Builtin.Root[0].Type
	if tbs.Builtin.Kind != asn1.KindOpenType || tbs.Builtin.OpenTypeOf == nil || tbs.Builtin.OpenTypeOf.Ref != "ClearToken" {
		t.Errorf("toBeSigned: %s of %+v", tbs.Builtin.Kind, tbs.Builtin.OpenTypeOf)
	}
	hashed := node(t, s, h225, "CryptoH323Token", "cryptoEPPwdHash.token")
	if hashed.Target.Name != "HASHED" || names(hashed.Builtin.Root)[2] != "hash" {
		t.Errorf("HASHED instance: %+v", hashed.Builtin.Root)
	}
	// H.225.0 and H.235 both define NonStandardParameter, differently.
	a, b := s.Lookup(h225, "NonStandardParameter"), s.Lookup(h235, "NonStandardParameter")
	if a.Type.Root[0].Type.Builtin.Kind != asn1.KindChoice || b.Type.Root[0].Type.Builtin.Kind != asn1.KindObjectIdentifier {
		t.Errorf("NonStandardParameter of H.225.0 and H.235 mixed up")
	}
	if ct := node(t, s, h235, "ClearToken", "nonStandard"); ct.Target != b {
		t.Errorf("ClearToken.nonStandard resolves to %s.%s", ct.Target.Module.Name, ct.Target.Name)
	}
}

func TestEnumerations(t *testing.T) {
	s := loadShared(t)
	gel := s.Lookup("H4501-Supplementary-ServiceAPDU-Structure", "GeneralErrorList").Type
	var vals []int64
	for _, nn := range gel.EnumRoot {
		vals = append(vals, nn.Value)
	}
	if want := []int64{0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 25, 43}; !slices.Equal(vals, want) || gel.Extensible {
		t.Errorf("GeneralErrorList %v ext %v, want %v", vals, gel.Extensible, want)
	}
	si := s.Lookup(h225, "ScreeningIndicator").Type
	if len(si.EnumRoot) != 4 || !si.Extensible || si.EnumRoot[3].Name != "networkProvided" {
		t.Errorf("ScreeningIndicator %+v", si.EnumRoot)
	}
}
