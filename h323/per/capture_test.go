package per

import (
	"bytes"
	"encoding/hex"
	"testing"
)

// gcfFromCapture is the RAS GatekeeperConfirm of frame 2 of the gkcall1
// capture (H323Plus 1.28 and GNU Gatekeeper 5.14), which Wireshark decodes
// as requestSeqNum 28369, protocolIdentifier 0.0.8.2250.0.7,
// gatekeeperIdentifier "TestGK", rasAddress 127.0.0.1:1719.
const gcfFromCapture = "04806ed0060008914a00070a00540065007300740047004b007f00000106b7"

// h323ID is the alphabet of GatekeeperIdentifier (BMPString), built once
// as generated code does.
var h323ID = MustAlphabet(BMPString, "")

// gcf is the part of H.225.0 GatekeeperConfirm the capture uses.
type gcf struct {
	seq   int64
	proto OID
	gkID  string
	ip    []byte
	port  int64
}

// decodeGCF reads a RasMessage holding a GatekeeperConfirm, in the order
// generated code will: RasMessage is an extensible CHOICE of 25 root
// alternatives; GatekeeperConfirm an extensible SEQUENCE with two OPTIONAL
// root components; TransportAddress an extensible CHOICE of 7.
func decodeGCF(d *Decoder) (gcf, error) {
	var v gcf
	alt, err := d.ReadChoiceIndex(25, true)
	if err != nil || alt != 1 {
		return v, err
	}
	ext, _ := d.ReadBit()
	hasNonStd, _ := d.ReadBit()
	hasGKID, err := d.ReadBit()
	if err != nil || ext || hasNonStd {
		return v, err
	}
	if v.seq, err = d.ReadInteger(IntRange(1, 65535)); err != nil {
		return v, err
	}
	if v.proto, err = d.ReadOID(); err != nil {
		return v, err
	}
	if hasGKID {
		if v.gkID, err = d.ReadString(h323ID, Size(1, 128)); err != nil {
			return v, err
		}
	}
	if alt, err = d.ReadChoiceIndex(7, true); err != nil || alt != 0 {
		return v, err
	}
	if v.ip, err = d.ReadOctetString(FixedSize(4)); err != nil {
		return v, err
	}
	v.port, err = d.ReadInteger(IntRange(0, 65535))
	return v, err
}

// encodeGCF writes what decodeGCF reads.
func encodeGCF(e *Encoder, v gcf) error {
	if err := e.WriteChoiceIndex(1, 25, true); err != nil {
		return err
	}
	e.WriteBit(false)
	e.WriteBit(false)
	e.WriteBit(v.gkID != "")
	if err := e.WriteInteger(v.seq, IntRange(1, 65535)); err != nil {
		return err
	}
	if err := e.WriteOID(v.proto); err != nil {
		return err
	}
	if v.gkID != "" {
		if err := e.WriteString(v.gkID, h323ID, Size(1, 128)); err != nil {
			return err
		}
	}
	if err := e.WriteChoiceIndex(0, 7, true); err != nil {
		return err
	}
	if err := e.WriteOctetString(v.ip, FixedSize(4)); err != nil {
		return err
	}
	return e.WriteInteger(v.port, IntRange(0, 65535))
}

// TestCaptureGatekeeperConfirm decodes a message of a real H.323 stack
// and re-encodes it to the same octets.
func TestCaptureGatekeeperConfirm(t *testing.T) {
	raw, _ := hex.DecodeString(gcfFromCapture)
	d := NewDecoder(raw)
	v, err := decodeGCF(d)
	if err != nil {
		t.Fatal(err)
	}
	want := gcf{seq: 28369, proto: OID{0, 0, 8, 2250, 0, 7}, gkID: "TestGK", ip: []byte{127, 0, 0, 1}, port: 1719}
	if v.seq != want.seq || !v.proto.Equal(want.proto) || v.gkID != want.gkID || !bytes.Equal(v.ip, want.ip) || v.port != want.port {
		t.Fatalf("decoded %+v, want %+v", v, want)
	}
	if d.BitsLeft() != 0 {
		t.Errorf("%d bits left", d.BitsLeft())
	}
	var e Encoder
	if err := encodeGCF(&e, v); err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(e.Bytes()); got != gcfFromCapture {
		t.Errorf("re-encoded\n got %s\nwant %s", got, gcfFromCapture)
	}
}
