package kernel

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"time"
)

// ProtocolVersion is the Jupyter messaging protocol version in every header.
const ProtocolVersion = "5.3"

// delimiter separates the ZeroMQ routing identities from the message.
var delimiter = []byte("<IDS|MSG>")

// Wire errors. A message that fails to decode is dropped and logged.
var (
	ErrNoDelimiter  = errors.New("kernel: no <IDS|MSG> delimiter")
	ErrShortMessage = errors.New("kernel: message has fewer than 5 frames after the delimiter")
	ErrBadSignature = errors.New("kernel: bad or missing HMAC signature")
	ErrBadHeader    = errors.New("kernel: header without msg_id or msg_type")
)

// Header is a message header.
type Header struct {
	MsgID    string  `json:"msg_id"`
	Session  string  `json:"session"`
	Username string  `json:"username"`
	Date     string  `json:"date"`
	MsgType  MsgType `json:"msg_type"`
	Version  string  `json:"version"`
}

// Message is one Jupyter message as it travels on a socket.
//
// Parent and Metadata stay raw JSON: a reply echoes the request's header
// byte for byte as its parent header, whatever fields a client added.
type Message struct {
	Identities [][]byte
	Header     Header
	Parent     json.RawMessage // the parent's header, "{}" when none
	Metadata   json.RawMessage
	Content    json.RawMessage
	Buffers    [][]byte

	rawHeader json.RawMessage // the header as received
}

// signer computes and checks HMAC signatures. A zero key disables signing,
// as the spec says for an empty "key" in the connection file.
type signer struct {
	key  []byte
	hash func() hash.Hash
}

func newSigner(scheme string, key []byte) (signer, error) {
	var h func() hash.Hash
	switch scheme {
	case "", "hmac-sha256":
		h = sha256.New
	case "hmac-sha512":
		h = sha512.New
	case "hmac-sha1":
		h = sha1.New
	default:
		return signer{}, fmt.Errorf("kernel: unsupported signature_scheme %q", scheme)
	}
	return signer{key: key, hash: h}, nil
}

// sign returns the hex HMAC of the four serialized dicts, or "" without a key.
func (s signer) sign(parts ...[]byte) []byte {
	if len(s.key) == 0 {
		return []byte{}
	}
	return []byte(hex.EncodeToString(s.mac(parts)))
}

func (s signer) mac(parts [][]byte) []byte {
	m := hmac.New(s.hash, s.key)
	for _, p := range parts {
		m.Write(p)
	}
	return m.Sum(nil)
}

// verify checks sig in constant time. Without a key everything passes.
func (s signer) verify(sig []byte, parts ...[]byte) bool {
	if len(s.key) == 0 {
		return true
	}
	got := make([]byte, hex.DecodedLen(len(sig)))
	if _, err := hex.Decode(got, sig); err != nil || len(got) == 0 {
		return false
	}
	return hmac.Equal(got, s.mac(parts))
}

// decode parses and authenticates the frames of one message. It never
// panics, whatever the frames are.
func (s signer) decode(frames [][]byte) (*Message, error) {
	i := 0
	for i < len(frames) && !bytes.Equal(frames[i], delimiter) {
		i++
	}
	if i == len(frames) {
		return nil, ErrNoDelimiter
	}
	rest := frames[i+1:]
	if len(rest) < 5 {
		return nil, ErrShortMessage
	}
	sig, header, parent, metadata, content := rest[0], rest[1], rest[2], rest[3], rest[4]
	if !s.verify(sig, header, parent, metadata, content) {
		return nil, ErrBadSignature
	}
	m := &Message{
		Identities: frames[:i],
		Parent:     orEmptyObject(parent),
		Metadata:   orEmptyObject(metadata),
		Content:    orEmptyObject(content),
		Buffers:    rest[5:],
		rawHeader:  header,
	}
	if err := json.Unmarshal(header, &m.Header); err != nil {
		return nil, fmt.Errorf("kernel: header: %w", err)
	}
	if m.Header.MsgID == "" || m.Header.MsgType == "" {
		return nil, ErrBadHeader
	}
	for _, part := range []json.RawMessage{m.Parent, m.Metadata, m.Content} {
		if !json.Valid(part) {
			return nil, errors.New("kernel: a message dict is not valid JSON")
		}
	}
	return m, nil
}

// encode signs m and returns its frames, identities first.
func (s signer) encode(m *Message) [][]byte {
	header, err := json.Marshal(m.Header)
	if err != nil { // a Header of strings always marshals
		panic(err)
	}
	parent := orEmptyObject(m.Parent)
	metadata := orEmptyObject(m.Metadata)
	content := orEmptyObject(m.Content)
	frames := make([][]byte, 0, len(m.Identities)+6+len(m.Buffers))
	frames = append(frames, m.Identities...)
	frames = append(frames, delimiter, s.sign(header, parent, metadata, content), header, parent, metadata, content)
	return append(frames, m.Buffers...)
}

func orEmptyObject(b []byte) json.RawMessage {
	if len(bytes.TrimSpace(b)) == 0 {
		return json.RawMessage("{}")
	}
	return b
}

// newHeader makes a header for a message this kernel sends.
func newHeader(t MsgType, session string) Header {
	return Header{
		MsgID:    newID(),
		Session:  session,
		Username: "godl",
		Date:     time.Now().UTC().Format("2006-01-02T15:04:05.000000Z"),
		MsgType:  t,
		Version:  ProtocolVersion,
	}
}

// newID returns a random UUID (version 4).
func newID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// toJSON marshals message content. A failure (a value from the engine that
// JSON cannot hold, such as NaN) is reported instead of sent.
func toJSON(v any) (json.RawMessage, error) {
	if v == nil {
		return json.RawMessage("{}"), nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("kernel: marshal content: %w", err)
	}
	if string(b) == "null" { // a nil map: every dict on the wire is an object
		return json.RawMessage("{}"), nil
	}
	return b, nil
}
