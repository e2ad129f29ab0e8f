package caps

import "github.com/switchyard/switchyard/h323/per"

// Object identifiers of the recommendations this package speaks. They are
// not exported, and builders put copies in the messages they return, so
// that no caller can alter them.
var (
	// oidH225 is the H.225.0 protocolIdentifier sent in RAS and call
	// signalling (version 7: no version 8 feature is used).
	oidH225 = per.OID{0, 0, 8, 2250, 0, 7}
	// oidH245 is the H.245 protocolIdentifier of a TerminalCapabilitySet
	// (version 15, as common H.323 stacks announce).
	oidH245 = per.OID{0, 0, 8, 245, 0, 15}

	// oidG7221 identifies the G.722.1 generic audio capability (G.722.1
	// Annex A).
	oidG7221 = per.OID{0, 0, 7, 7221, 1, 0}
	// oidH264 identifies the H.264 generic video capability (H.241 8.3).
	oidH264 = per.OID{0, 0, 8, 241, 0, 0, 1}
	// oidH264PacketizationSingleNAL and oidH264PacketizationNonInterleaved
	// are the H.241 payload descriptors of RFC 6184 packetization modes 0
	// and 1 in mediaPacketization.
	oidH264PacketizationSingleNAL      = per.OID{0, 0, 8, 241, 0, 0, 0, 0}
	oidH264PacketizationNonInterleaved = per.OID{0, 0, 8, 241, 0, 0, 0, 1}

	// oidH239Control identifies the H.239 control capability
	// (genericControlCapability).
	oidH239Control = per.OID{0, 0, 8, 239, 1, 1}
	// oidH239ExtendedVideo identifies the H.239 extended video capability
	// that carries the role label (videoCapabilityExtension).
	oidH239ExtendedVideo = per.OID{0, 0, 8, 239, 1, 2}
	// oidH239Message identifies the H.239 generic messages (token and flow
	// control requests, responses, commands and indications).
	oidH239Message = per.OID{0, 0, 8, 239, 2}
)
