package kernel

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"
)

// iopubRig is a proxy whose front iopub socket is real and listened to by
// a subscriber, as Jupyter would; messages from "GoNB" are handed to
// onIOPub directly.
type iopubRig struct {
	t   *testing.T
	p   *proxy
	got chan *Message   // what the subscriber received
	req json.RawMessage // the execute_request header the messages answer
}

func newIOPubRig(t *testing.T, patience time.Duration) *iopubRig {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	front := &ConnectionInfo{Transport: "tcp", IP: "127.0.0.1", Key: "secret", SignatureScheme: "hmac-sha256", IOPubPort: port}
	p := newProxy(ctx, front, front)
	p.holdPatience = patience
	if err := p.frontIOPub.Listen(front.Endpoint(port)); err != nil {
		t.Fatal(err)
	}
	sub := zmq4.NewSub(ctx)
	t.Cleanup(func() { sub.Close(); p.frontIOPub.Close() })
	if err := sub.Dial(front.Endpoint(port)); err != nil {
		t.Fatal(err)
	}
	if err := sub.SetOption(zmq4.OptionSubscribe, ""); err != nil {
		t.Fatal(err)
	}
	r := &iopubRig{t: t, p: p, got: make(chan *Message, 100), req: json.RawMessage(`{"msg_id":"req-1","session":"s","msg_type":"execute_request"}`)}
	go func() {
		defer close(r.got)
		for {
			raw, err := sub.Recv()
			if err != nil {
				return
			}
			if m, err := ParseMessage(raw.Frames); err == nil {
				r.got <- m
			}
		}
	}()
	p.executions["req-1"] = &execution{settled: make(chan struct{})}
	// A subscription takes a moment to reach the publisher: probe until one arrives.
	for deadline := time.Now().Add(10 * time.Second); ; {
		probe, _ := (&Message{Header: json.RawMessage(`{"msg_id":"probe","session":"s","msg_type":"x"}`)}).Reply("probe", map[string]any{})
		if err := p.frontIOPub.send(probe.Frames(p.key)); err != nil {
			t.Fatal(err)
		}
		if _, ok := r.next(200 * time.Millisecond); ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("subscriber never received the publisher's messages")
		}
	}
	return r
}

// fromGoNB hands onIOPub a message of msgType with content, answering the request.
func (r *iopubRig) fromGoNB(msgType string, content any) {
	r.t.Helper()
	m, err := (&Message{Header: r.req}).Reply(msgType, content)
	if err != nil {
		r.t.Fatal(err)
	}
	if err := r.p.onIOPub(m.Frames(r.p.key)); err != nil {
		r.t.Fatal(err)
	}
}

// next returns the next message the subscriber got within wait, skipping probes.
func (r *iopubRig) next(wait time.Duration) (*Message, bool) {
	select {
	case m, ok := <-r.got:
		return m, ok
	case <-time.After(wait):
		return nil, false
	}
}

// received collects messages until idle (or wait passes without one), as "type[:text]" lines.
func (r *iopubRig) received(wait time.Duration) []string {
	var out []string
	for {
		m, ok := r.next(wait)
		if !ok {
			return out
		}
		if m.Type() == "probe" {
			continue
		}
		if !m.Verify(r.p.key) {
			r.t.Errorf("%s message not signed with the connection key", m.Type())
		}
		var c struct{ Text, Ename, Evalue, ExecutionState string }
		_ = json.Unmarshal(m.Content, &c)
		switch m.Type() {
		case "stream":
			out = append(out, "stream:"+c.Text)
		case "error":
			out = append(out, fmt.Sprintf("error:%s:%s", c.Ename, c.Evalue))
		default:
			out = append(out, m.Type())
		}
		if m.Type() == "status" {
			return out
		}
	}
}

func stream(name, text string) map[string]string {
	return map[string]string{"name": name, "text": text}
}

// A program that dies of a panic: the report and GoNB's HTML view of it go
// only into the error; stdout that arrives during the report goes through.
func TestIOPubPanicIsOneError(t *testing.T) {
	r := newIOPubRig(t, time.Minute)
	r.fromGoNB("stream", stream("stderr", "loading\npanic: boom\n\n"))
	r.fromGoNB("stream", stream("stdout", "printed before\n"))
	r.fromGoNB("stream", stream("stderr", "goroutine 1 [running]:\nmain.main()\n"))
	r.fromGoNB("display_data", map[string]any{"data": map[string]string{"text/html": `<span class="gonb-err-location">main.go:11</span>`}, "metadata": map[string]any{}})
	r.fromGoNB("stream", stream("stderr", "exit status 2\n"))
	r.fromGoNB("error", map[string]any{"ename": "ERROR", "evalue": "exit status 2", "traceback": []string{"exit status 2"}})
	r.fromGoNB("status", map[string]string{"execution_state": "idle"})
	got := r.received(2 * time.Second)
	want := []string{"stream:loading\n", "stream:printed before\n", "error:panic:boom", "status"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("front end got %q, want %q", got, want)
	}
}

// stderr that only looks like a report is released when the cell ends, or
// after the patience while the program goes on.
func TestIOPubLookalikeReportIsReleased(t *testing.T) {
	r := newIOPubRig(t, 300*time.Millisecond)
	r.fromGoNB("stream", stream("stderr", "panic: only words\n"))
	start := time.Now()
	m, ok := r.next(5 * time.Second)
	for ok && m.Type() == "probe" {
		m, ok = r.next(5 * time.Second)
	}
	if !ok || m.Type() != "stream" {
		t.Fatalf("held stderr not released after the patience (got %v)", m)
	}
	if waited := time.Since(start); waited < 250*time.Millisecond {
		t.Errorf("released after %v, before the patience of 300ms", waited)
	}
	r.fromGoNB("stream", stream("stderr", "panic: again\n"))
	r.fromGoNB("status", map[string]string{"execution_state": "idle"})
	if got := r.received(2 * time.Second); fmt.Sprint(got) != fmt.Sprint([]string{"stream:panic: again\n", "status"}) {
		t.Errorf("at the cell's end the front end got %q, want the held stderr, then idle", got)
	}
}
