package codecommit

import (
	"bytes"
	"testing"
)

func FuzzParseUploadRequest(f *testing.F) {
	f.Add([]byte("0032want 83402f2cb52193caa59fa9573ede124ad381e00e\n0000"))
	f.Add([]byte("0054want 83402f2cb52193caa59fa9573ede124ad381e00e multi_ack_detailed side-band-64k\n000cdeepen 1000000032have 83402f2cb52193caa59fa9573ede124ad381e00e\n0009done\n"))
	f.Add([]byte("0034shallow 83402f2cb52193caa59fa9573ede124ad381e00e\n0000"))
	f.Add([]byte("zzzz"))
	f.Fuzz(func(t *testing.T, b []byte) {
		req, err := parseUploadRequest(bytes.NewReader(b))
		if err == nil && req == nil {
			t.Fatal("nil request without error")
		}
	})
}

func FuzzParseReceiveRequest(f *testing.F) {
	f.Add([]byte("00770000000000000000000000000000000000000000 83402f2cb52193caa59fa9573ede124ad381e00e refs/heads/main\x00report-status ofs-delta\n0000PACK"))
	f.Add([]byte("006383402f2cb52193caa59fa9573ede124ad381e00e 0000000000000000000000000000000000000000 refs/heads/x\n0000"))
	f.Add([]byte("0000"))
	f.Fuzz(func(t *testing.T, b []byte) {
		req, err := parseReceiveRequest(bytes.NewReader(b))
		if err == nil && req == nil {
			t.Fatal("nil request without error")
		}
	})
}
