package transcode

import (
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/switchyard/switchyard/call"
)

// rssBytes reads the process's resident set size.
func rssBytes(t *testing.T) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		t.Skipf("no /proc/self/statm: %v", err)
	}
	f := strings.Fields(string(b))
	pages, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return pages * int64(os.Getpagesize())
}

// cycle builds a path, runs a little media through it and closes it,
// checking that every codec context was released.
func cycle(t *testing.T, from, to call.Codec, in []timedPacket) {
	p, err := NewPath(from, to, PathOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range in {
		p.Write(&in[i].p, in[i].at)
		if _, err := p.Process(in[i].at+30*time.Millisecond, func(*rtp.Packet) error { return nil }); err != nil {
			t.Fatal(err)
		}
	}
	p.Close()
	if p.adec != nil || (p.aout != nil && (p.aout.enc != nil || p.aout.res != nil)) ||
		(p.vin != nil && p.vin.dec != nil) || (p.vout != nil && p.vout.enc != nil) {
		t.Fatal("a codec context survived Close")
	}
}

func TestNoLeaks(t *testing.T) {
	c := makeClip(t, 320, 240, 30, 4, "500k")
	video := c.rtpOf(t, h264)
	audio := sourcePackets(t, opus, 48000, 100*time.Millisecond, 1000)
	run := func(n int) {
		for range n {
			cycle(t, h264, vp8, video)
			cycle(t, h264, h263p, video)
			cycle(t, opus, pcmu, audio)
			cycle(t, opus, g722, audio)
		}
	}
	// The first paths grow the C allocator's arenas and FFmpeg's static
	// tables; after that, equal batches of paths must not keep growing
	// memory. A leaked codec context costs from hundreds of kilobytes
	// (audio) to megabytes (video) per path.
	run(15)
	measure := func() (rss int64, heap uint64) {
		debug.FreeOSMemory()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return rssBytes(t), ms.HeapInuse
	}
	rss0, heap0 := measure()
	run(30)
	rss1, heap1 := measure()
	run(30)
	rss2, heap2 := measure()
	t.Logf("per batch of 120 paths: RSS %+d KB then %+d KB; Go heap %+d KB then %+d KB",
		(rss1-rss0)>>10, (rss2-rss1)>>10, (int64(heap1)-int64(heap0))>>10, (int64(heap2)-int64(heap1))>>10)
	if rss2-rss1 > 8<<20 {
		t.Errorf("RSS grew by %d KB over the second batch of 120 paths", (rss2-rss1)>>10)
	}
	if int64(heap2)-int64(heap0) > 4<<20 {
		t.Errorf("Go heap grew by %d KB", (int64(heap2)-int64(heap0))>>10)
	}
}
