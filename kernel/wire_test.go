package kernel

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
)

func testSigner() signer {
	s, _ := newSigner("hmac-sha256", []byte("secret"))
	return s
}

func validFrames(s signer) [][]byte {
	h := newHeader(MsgExecuteRequest, "session")
	m := &Message{
		Identities: [][]byte{[]byte("client-id")},
		Header:     h,
		Parent:     json.RawMessage(`{}`),
		Content:    json.RawMessage(`{"code":"print hi"}`),
		Buffers:    [][]byte{[]byte("buf")},
	}
	return s.encode(m)
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	s := testSigner()
	frames := validFrames(s)
	m, err := s.decode(frames)
	if err != nil {
		t.Fatal(err)
	}
	if m.Header.MsgType != MsgExecuteRequest || m.Header.Version != ProtocolVersion || string(m.Identities[0]) != "client-id" {
		t.Errorf("decoded %+v", m.Header)
	}
	if string(m.Content) != `{"code":"print hi"}` || len(m.Buffers) != 1 || string(m.Buffers[0]) != "buf" {
		t.Errorf("content %s buffers %q", m.Content, m.Buffers)
	}
	// The reply's parent is the request header, byte for byte.
	if !bytes.Equal(m.rawHeader, frames[3]) {
		t.Error("raw header not kept")
	}
}

func TestSignatureChecks(t *testing.T) {
	s := testSigner()
	frames := validFrames(s)
	for i := 3; i < 7; i++ { // header, parent, metadata, content
		f := clone(frames)
		f[i] = append(bytes.Clone(f[i][:len(f[i])-1]), ' ', '}')
		if _, err := s.decode(f); !errors.Is(err, ErrBadSignature) {
			t.Errorf("frame %d tampered: err %v", i, err)
		}
	}
	f := clone(frames)
	f[2] = nil
	if _, err := s.decode(f); !errors.Is(err, ErrBadSignature) {
		t.Errorf("missing signature: err %v", err)
	}
	// Without a key nothing is signed or checked.
	none, _ := newSigner("hmac-sha256", nil)
	f = none.encode(&Message{Header: newHeader(MsgKernelInfoRequest, "s")})
	if len(f[1]) != 0 {
		t.Errorf("unsigned signature %q", f[1])
	}
	if _, err := none.decode(f); err != nil {
		t.Error(err)
	}
	if _, err := newSigner("hmac-md5", []byte("k")); err == nil {
		t.Error("unknown scheme accepted")
	}
}

func clone(frames [][]byte) [][]byte {
	out := make([][]byte, len(frames))
	for i, f := range frames {
		out[i] = bytes.Clone(f)
	}
	return out
}

// Every truncation of a message, by frames and within each frame, is an
// error and never a panic.
func TestDecodeTruncatedFrames(t *testing.T) {
	s := testSigner()
	frames := validFrames(s)
	for n := 0; n < len(frames)-1; n++ { // the buffer is optional
		if _, err := s.decode(frames[:n]); err == nil && n < 7 {
			t.Errorf("%d frames decoded", n)
		}
	}
	for i := range frames {
		for cut := 0; cut < len(frames[i]); cut++ {
			f := clone(frames)
			f[i] = f[i][:cut]
			_, _ = s.decode(f) // must not panic
			_, _ = (signer{hash: s.hash}).decode(f)
		}
	}
}

func FuzzDecode(f *testing.F) {
	s := testSigner()
	frames := validFrames(s)
	f.Add(bytes.Join(frames, []byte{0}), uint8(0))
	f.Add([]byte("<IDS|MSG>"), uint8(1))
	f.Add([]byte{}, uint8(2))
	f.Fuzz(func(t *testing.T, data []byte, mode uint8) {
		parts := bytes.Split(data, []byte{0})
		for _, sg := range []signer{s, {hash: s.hash}} {
			m, err := sg.decode(parts)
			if err == nil && (m.Header.MsgID == "" || m.Header.MsgType == "") {
				t.Fatal("accepted a header without id or type")
			}
		}
	})
}

func TestNewIDIsUUID(t *testing.T) {
	a, b := newID(), newID()
	if a == b || len(a) != 36 || a[14] != '4' {
		t.Errorf("ids %s %s", a, b)
	}
}
