package pcap

import "time"

// Format is the container format of a capture file.
type Format int

// Capture file formats.
const (
	FormatPcap   Format = iota + 1 // classic libpcap
	FormatPcapNG                   // pcapng
)

// String names the format.
func (f Format) String() string {
	switch f {
	case FormatPcap:
		return "pcap"
	case FormatPcapNG:
		return "pcapng"
	}
	return "unknown"
}

// MaxSnapLen is the largest captured length of one record the reader
// accepts (libpcap's own upper bound for every link type).
const MaxSnapLen = 262144

// maxBlockLen bounds one pcapng block: a packet of MaxSnapLen plus room for
// options.
const maxBlockLen = MaxSnapLen + 64<<10

// Record is one captured frame.
type Record struct {
	// Time is the capture timestamp.
	Time time.Time
	// LinkType says what Data begins with.
	LinkType LinkType
	// Interface is the pcapng interface index (0 for classic pcap).
	Interface int
	// OrigLen is the frame's length on the wire; it may exceed len(Data)
	// when the capture truncated the frame.
	OrigLen int
	// Data holds the captured bytes.
	Data []byte
}
