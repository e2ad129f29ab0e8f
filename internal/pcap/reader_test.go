package pcap

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"runtime"
	"testing"
	"time"
)

// classicFile builds a classic pcap file with one record.
func classicFile(order binary.ByteOrder, magic uint32, link LinkType, sec, frac uint32, data []byte) []byte {
	b := make([]byte, 24+16+len(data))
	order.PutUint32(b[0:4], magic)
	order.PutUint16(b[4:6], 2)
	order.PutUint16(b[6:8], 4)
	order.PutUint32(b[16:20], 65535)
	order.PutUint32(b[20:24], uint32(link))
	order.PutUint32(b[24:28], sec)
	order.PutUint32(b[28:32], frac)
	order.PutUint32(b[32:36], uint32(len(data)))
	order.PutUint32(b[36:40], uint32(len(data)+10))
	copy(b[40:], data)
	return b
}

func TestClassicHeaders(t *testing.T) {
	data := []byte{1, 2, 3, 4, 5}
	tests := []struct {
		name  string
		order binary.ByteOrder
		magic uint32
		frac  uint32
		want  time.Time
	}{
		{"little micro", binary.LittleEndian, magicMicro, 250000, time.Unix(1000, 250000000)},
		{"big micro", binary.BigEndian, magicMicro, 250000, time.Unix(1000, 250000000)},
		{"little nano", binary.LittleEndian, magicNano, 123456789, time.Unix(1000, 123456789)},
		{"big nano", binary.BigEndian, magicNano, 123456789, time.Unix(1000, 123456789)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			file := classicFile(tc.order, tc.magic, LinkRaw, 1000, tc.frac, data)
			rd, err := NewReader(bytes.NewReader(file))
			if err != nil {
				t.Fatal(err)
			}
			if rd.LinkType() != LinkRaw {
				t.Errorf("link %s", rd.LinkType())
			}
			rec, err := rd.Next()
			if err != nil {
				t.Fatal(err)
			}
			if !rec.Time.Equal(tc.want) || !bytes.Equal(rec.Data, data) || rec.OrigLen != 15 {
				t.Errorf("record %v % x orig %d", rec.Time, rec.Data, rec.OrigLen)
			}
			if _, err := rd.Next(); !errors.Is(err, io.EOF) {
				t.Errorf("after last record: %v, want EOF", err)
			}
		})
	}
}

// ngBlock builds one pcapng block.
func ngBlock(order binary.ByteOrder, typ uint32, body []byte) []byte {
	pad := (4 - len(body)%4) % 4
	total := 12 + len(body) + pad
	b := make([]byte, total)
	order.PutUint32(b[0:4], typ)
	order.PutUint32(b[4:8], uint32(total))
	copy(b[8:], body)
	order.PutUint32(b[total-4:], uint32(total))
	return b
}

func ngSHB(order binary.ByteOrder) []byte {
	body := make([]byte, 16)
	order.PutUint32(body[0:4], byteOrderMagic)
	order.PutUint16(body[4:6], 1)
	binary.LittleEndian.PutUint64(body[8:16], ^uint64(0)) // unknown section length
	return ngBlock(order, blockSHB, body)
}

func ngIDB(order binary.ByteOrder, link LinkType, tsresol byte) []byte {
	body := make([]byte, 8, 20)
	order.PutUint16(body[0:2], uint16(link))
	order.PutUint32(body[4:8], 65535)
	if tsresol != 0 {
		opt := make([]byte, 12)
		order.PutUint16(opt[0:2], optTSResol)
		order.PutUint16(opt[2:4], 1)
		opt[4] = tsresol
		body = append(body, opt...) // option, padding, opt_endofopt
	}
	return ngBlock(order, blockIDB, body)
}

func ngEPB(order binary.ByteOrder, ifc uint32, ts uint64, data []byte) []byte {
	body := make([]byte, 20+len(data))
	order.PutUint32(body[0:4], ifc)
	order.PutUint32(body[4:8], uint32(ts>>32))
	order.PutUint32(body[8:12], uint32(ts))
	order.PutUint32(body[12:16], uint32(len(data)))
	order.PutUint32(body[16:20], uint32(len(data)))
	copy(body[20:], data)
	return ngBlock(order, blockEPB, body)
}

func ngSPB(order binary.ByteOrder, data []byte) []byte {
	body := make([]byte, 4+len(data))
	order.PutUint32(body[0:4], uint32(len(data)))
	copy(body[4:], data)
	return ngBlock(order, blockSPB, body)
}

func TestPcapNG(t *testing.T) {
	le, be := binary.LittleEndian, binary.BigEndian
	var file []byte
	file = append(file, ngSHB(be)...)
	file = append(file, ngIDB(be, LinkEthernet, 0)...) // microseconds
	file = append(file, ngIDB(be, LinkRaw, 9)...)      // nanoseconds
	file = append(file, ngBlock(be, 0x0bad, []byte("skip me"))...)
	file = append(file, ngEPB(be, 0, 1_500_000, []byte{1, 2, 3})...)
	file = append(file, ngEPB(be, 1, 2_000_000_007, []byte{4})...)
	file = append(file, ngSPB(be, []byte{5, 6})...)
	// A second section in the other byte order, with 2^-10 s units.
	file = append(file, ngSHB(le)...)
	file = append(file, ngIDB(le, LinkLinuxSLL, 0x80|10)...)
	file = append(file, ngEPB(le, 0, 3*1024+512, []byte{7, 8, 9, 10, 11})...)

	rd, err := NewReader(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	if rd.Format() != FormatPcapNG {
		t.Fatalf("format %s", rd.Format())
	}
	want := []struct {
		link LinkType
		ifc  int
		time time.Time
		data []byte
	}{
		{LinkEthernet, 0, time.Unix(1, 500_000_000), []byte{1, 2, 3}},
		{LinkRaw, 1, time.Unix(2, 7), []byte{4}},
		{LinkEthernet, 0, time.Time{}, []byte{5, 6}},
		{LinkLinuxSLL, 0, time.Unix(3, 500_000_000), []byte{7, 8, 9, 10, 11}},
	}
	for i, w := range want {
		rec, err := rd.Next()
		if err != nil {
			t.Fatalf("record %d: %v", i+1, err)
		}
		if rec.LinkType != w.link || rec.Interface != w.ifc || !bytes.Equal(rec.Data, w.data) {
			t.Errorf("record %d: link %s ifc %d data % x", i+1, rec.LinkType, rec.Interface, rec.Data)
		}
		if !w.time.IsZero() && !rec.Time.Equal(w.time) {
			t.Errorf("record %d: time %v, want %v", i+1, rec.Time, w.time)
		}
	}
	if _, err := rd.Next(); !errors.Is(err, io.EOF) {
		t.Errorf("after last record: %v, want EOF", err)
	}
}

func TestReaderErrors(t *testing.T) {
	le := binary.LittleEndian
	good := classicFile(le, magicMicro, LinkEthernet, 1, 2, []byte{1, 2, 3, 4})
	huge := bytes.Clone(good)
	le.PutUint32(huge[32:36], MaxSnapLen+1)
	lying := bytes.Clone(good)
	le.PutUint32(lying[32:36], 100000)
	badVersion := bytes.Clone(good)
	le.PutUint16(badVersion[4:6], 3)
	ngNoIface := append(ngSHB(le), ngEPB(le, 0, 0, []byte{1})...)
	ngBadTrailer := append(ngSHB(le), ngIDB(le, LinkEthernet, 0)...)
	ngBadTrailer[len(ngBadTrailer)-1] ^= 0xff
	ngHugeBlock := append(ngSHB(le), 1, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f)
	ngCapOverrun := append(ngSHB(le), ngIDB(le, LinkEthernet, 0)...)
	epb := ngEPB(le, 0, 0, []byte{1, 2, 3, 4})
	le.PutUint32(epb[20:24], 200)
	ngCapOverrun = append(ngCapOverrun, epb...)
	ngBadResol := append(ngSHB(le), ngIDB(le, LinkEthernet, 20)...)

	tests := []struct {
		name string
		file []byte
	}{
		{"empty", nil},
		{"bad magic", []byte("not a capture file at all....")},
		{"short header", good[:10]},
		{"bad version", badVersion},
		{"record over max", huge},
		{"record longer than file", lying},
		{"truncated record header", good[:30]},
		{"truncated record", good[:len(good)-1]},
		{"pcapng packet before interface", ngNoIface},
		{"pcapng bad trailer", ngBadTrailer},
		{"pcapng huge block", ngHugeBlock},
		{"pcapng capture length overruns block", ngCapOverrun},
		{"pcapng bad tsresol", ngBadResol},
		{"pcapng bad byte-order magic", append([]byte{0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0}, make([]byte, 20)...)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rd, err := NewReader(bytes.NewReader(tc.file))
			if err != nil {
				return
			}
			if _, err := rd.ReadAll(); err == nil {
				t.Fatal("no error")
			}
		})
	}
}

// TestReaderAllocBound checks that a record length claiming far more bytes
// than the file holds does not allocate for the claim.
func TestReaderAllocBound(t *testing.T) {
	le := binary.LittleEndian
	file := classicFile(le, magicMicro, LinkEthernet, 1, 2, make([]byte, 10))
	le.PutUint32(file[32:36], MaxSnapLen)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range 10 {
		rd, err := NewReader(bytes.NewReader(file))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := rd.Next(); err == nil {
			t.Fatal("no error for truncated record")
		}
	}
	runtime.ReadMemStats(&after)
	if got := after.TotalAlloc - before.TotalAlloc; got > 10*16<<10 {
		t.Errorf("allocated %d bytes for 10 tiny files", got)
	}
}
