package kernel

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/gofrs/uuid"
)

// delimiter separates routing identities from the message proper.
var delimiter = []byte("<IDS|MSG>")

// Message is one Jupyter wire-protocol message, split into its frames.
// Header, ParentHeader, Metadata and Content stay raw JSON so that messages
// the layer does not change are forwarded byte for byte.
type Message struct {
	Identities   [][]byte
	Signature    []byte
	Header       json.RawMessage
	ParentHeader json.RawMessage
	Metadata     json.RawMessage
	Content      json.RawMessage
	Buffers      [][]byte
}

// Header is the part of a message header the layer reads or writes.
type Header struct {
	MsgID    string `json:"msg_id"`
	Session  string `json:"session"`
	Username string `json:"username"`
	Date     string `json:"date"`
	MsgType  string `json:"msg_type"`
	Version  string `json:"version"`
}

// ParseMessage splits raw ZeroMQ frames into a Message.
func ParseMessage(frames [][]byte) (*Message, error) {
	i := 0
	for i < len(frames) && !bytes.Equal(frames[i], delimiter) {
		i++
	}
	if i == len(frames) {
		return nil, fmt.Errorf("jupyter message: no %q delimiter in %d frames", delimiter, len(frames))
	}
	if len(frames) < i+6 {
		return nil, fmt.Errorf("jupyter message: want 5 frames after the delimiter, got %d", len(frames)-i-1)
	}
	return &Message{
		Identities:   frames[:i],
		Signature:    frames[i+1],
		Header:       frames[i+2],
		ParentHeader: frames[i+3],
		Metadata:     frames[i+4],
		Content:      frames[i+5],
		Buffers:      frames[i+6:],
	}, nil
}

// Frames assembles the message back into ZeroMQ frames, signing it with key
// (no signature when key is empty, as the protocol allows).
func (m *Message) Frames(key []byte) [][]byte {
	frames := make([][]byte, 0, len(m.Identities)+6+len(m.Buffers))
	frames = append(frames, m.Identities...)
	frames = append(frames, delimiter, m.sign(key), m.Header, m.ParentHeader, m.Metadata, m.Content)
	return append(frames, m.Buffers...)
}

func (m *Message) sign(key []byte) []byte {
	if len(key) == 0 {
		return []byte{}
	}
	mac := hmac.New(sha256.New, key)
	for _, part := range [][]byte{m.Header, m.ParentHeader, m.Metadata, m.Content} {
		mac.Write(part)
	}
	return []byte(hex.EncodeToString(mac.Sum(nil)))
}

// Verify reports whether the message carries a valid signature for key.
func (m *Message) Verify(key []byte) bool {
	if len(key) == 0 {
		return true
	}
	return hmac.Equal(m.sign(key), m.Signature)
}

// Type returns the header's msg_type ("" if the header does not parse).
func (m *Message) Type() string {
	var h Header
	_ = json.Unmarshal(m.Header, &h)
	return h.MsgType
}

// ParentID returns the msg_id of the request this message answers.
func (m *Message) ParentID() string {
	var h Header
	_ = json.Unmarshal(m.ParentHeader, &h)
	return h.MsgID
}

// Reply builds a new message of msgType answering m, with the given content.
func (m *Message) Reply(msgType string, content any) (*Message, error) {
	var parent Header
	if err := json.Unmarshal(m.Header, &parent); err != nil {
		return nil, fmt.Errorf("reading header of request: %w", err)
	}
	id, err := uuid.NewV4()
	if err != nil {
		return nil, err
	}
	header, err := json.Marshal(Header{
		MsgID:    id.String(),
		Session:  parent.Session,
		Username: "tlx",
		Date:     time.Now().UTC().Format(time.RFC3339Nano),
		MsgType:  msgType,
		Version:  "5.3",
	})
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(content)
	if err != nil {
		return nil, fmt.Errorf("encoding %s content: %w", msgType, err)
	}
	return &Message{
		Identities:   m.Identities,
		Header:       header,
		ParentHeader: m.Header,
		Metadata:     json.RawMessage("{}"),
		Content:      body,
	}, nil
}
