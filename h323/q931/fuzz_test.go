package q931

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/switchyard/switchyard/internal/testpeer"
)

func FuzzUnmarshal(f *testing.F) {
	f.Add(sampleSetup(f))
	f.Add([]byte{0x08, 0x02, 0x80, 0x01, 0x5a, 0x08, 0x02, 0x80, 0x90, 0x7e, 0x00, 0x02, 0x05, 0x25})
	f.Add([]byte{0x08, 0x02, 0, 1, 0x7b, 0x9e, 0x7e, 0x01, 0xaa, 0x95, 0x7e, 0x01, 0xbb, 0xa1})
	f.Add([]byte{0x08, 0x02, 0, 1, 0x05, 0x74, 0x04, 0x09, 0x00, 0x81, '7', 0x29, 0x06, 26, 1, 2, 3, 4, 5})
	// Real messages, when the reference captures are present.
	if dir, err := testpeer.FindSharedDir(); err == nil {
		paths, _ := filepath.Glob(filepath.Join(dir, "captures", "*.pcap"))
		for _, p := range paths {
			seen := map[MessageType]bool{}
			for _, c := range captureMessages(f, p) {
				if len(c.raw) > 4 && !seen[MessageType(c.raw[4])] {
					seen[MessageType(c.raw[4])] = true
					f.Add(c.raw)
				}
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var m Message
		if err := m.Unmarshal(data); err != nil {
			return
		}
		// Whatever decodes re-encodes to the same bytes.
		out, err := m.Marshal()
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		if !bytes.Equal(out, data) {
			t.Fatalf("re-encoded % x\nfrom % x", out, data)
		}
		// Typed decoders never panic. What they accept re-encodes to
		// the input, except for spare bits and recomputed extension bits
		// of a few elements; even then, one more round changes nothing.
		for _, ie := range m.IEs {
			if ie.Codeset != 0 {
				continue
			}
			got, err := typedRoundTrip(ie)
			if err != nil || bytes.Equal(got, ie.Data) {
				continue
			}
			if !lossyTyped(ie.ID) {
				t.Fatalf("%s: typed re-encoding % x from % x", ie.ID, got, ie.Data)
			}
			again, err := typedRoundTrip(IE{ID: ie.ID, Data: got})
			if err != nil || !bytes.Equal(again, got) {
				t.Fatalf("%s: typed encoding not stable: % x then % x (%v)", ie.ID, got, again, err)
			}
		}
		_, _ = m.Display()
		_, _ = m.Keypad()
		_, _ = m.Signal()
		_, _ = m.H225()
		_ = m.String()
	})
}

// lossyTyped reports elements whose typed form drops spare bits or
// recomputes extension bits.
func lossyTyped(id IEID) bool {
	switch id {
	case IECause, IEProgressIndicator, IENotificationIndicator,
		IECallingPartyNumber, IECalledPartyNumber, IEConnectedNumber, IERedirectingNumber:
		return true
	}
	return false
}
