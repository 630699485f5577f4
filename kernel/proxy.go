package kernel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"

	"github.com/go-zeromq/zmq4"
)

// proxyIdentity is the ZeroMQ identity of the layer's sockets towards GoNB.
// Shell and stdin share it so that GoNB's input_request, addressed to the
// identity that sent the execute_request, reaches the layer's stdin socket.
const proxyIdentity = "tlx-kernel"

// Launch runs the kernel for Jupyter's connection file: it starts GoNB with
// gonbArgs (plus its own connection file) and forwards messages until GoNB
// exits or ctx is cancelled.
//
// Before it forwards anything from Jupyter it runs each of initCells in GoNB
// silently (their output is dropped) and fails if one fails: the cells set
// up GoNB's module for tlx.
func Launch(ctx context.Context, connectionFile string, initCells []string, gonb string, gonbArgs ...string) error {
	front, err := ReadConnectionInfo(connectionFile)
	if err != nil {
		return err
	}
	back, err := front.withFreshPorts()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "tlx-kernel-")
	if err != nil {
		return fmt.Errorf("creating GoNB connection folder: %w", err)
	}
	defer os.RemoveAll(dir)
	backFile := filepath.Join(dir, "gonb-connection.json")
	if err := back.write(backFile); err != nil {
		return fmt.Errorf("writing GoNB connection file: %w", err)
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	p := newProxy(ctx, front, back)
	if err := p.listen(); err != nil {
		return err
	}
	defer p.close()

	cmd := exec.Command(gonb, append([]string{"--kernel", backFile}, gonbArgs...)...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting GoNB (%s): %w", gonb, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	if err := p.dial(); err != nil {
		_ = cmd.Process.Kill()
		return err
	}
	if err := p.serve(initCells); err != nil {
		_ = cmd.Process.Kill()
		return err
	}

	select {
	case err := <-exited:
		if err != nil {
			return fmt.Errorf("GoNB: %w", err)
		}
		return nil
	case <-ctx.Done():
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(3 * time.Second):
			_ = cmd.Process.Kill()
		}
		return nil
	}
}

// lockedSocket serialises sends from several goroutines.
type lockedSocket struct {
	zmq4.Socket
	mu sync.Mutex
}

func (s *lockedSocket) send(frames [][]byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.Socket.SendMulti(zmq4.NewMsgFrom(frames...))
}

// execution follows one execute_request: GoNB's stderr for it, and whether
// the run-time failure (if any) has been seen on iopub.
type execution struct {
	stderr  []byte
	failure *Failure
	settled chan struct{} // closed once the error or idle status went by
	once    sync.Once
}

func (e *execution) settle() { e.once.Do(func() { close(e.settled) }) }

type proxy struct {
	ctx         context.Context
	key         []byte
	front, back *ConnectionInfo

	frontShell, frontControl, frontStdin, frontIOPub *lockedSocket
	frontHB                                          zmq4.Socket
	backShell, backControl, backStdin                *lockedSocket
	backIOPub                                        zmq4.Socket

	mu         sync.Mutex
	executions map[string]*execution
	internal   map[string]bool // msg_ids of the layer's own requests, whose output is dropped
}

func newProxy(ctx context.Context, front, back *ConnectionInfo) *proxy {
	id := zmq4.WithID(zmq4.SocketIdentity(proxyIdentity))
	// GoNB binds its sockets a few seconds after it starts: keep dialling.
	retry, patience := zmq4.WithDialerRetry(100*time.Millisecond), zmq4.WithDialerMaxRetries(1200)
	return &proxy{
		ctx: ctx, key: []byte(front.Key), front: front, back: back,
		frontShell:   &lockedSocket{Socket: zmq4.NewRouter(ctx)},
		frontControl: &lockedSocket{Socket: zmq4.NewRouter(ctx)},
		frontStdin:   &lockedSocket{Socket: zmq4.NewRouter(ctx)},
		frontIOPub:   &lockedSocket{Socket: zmq4.NewPub(ctx)},
		frontHB:      zmq4.NewRep(ctx),
		backShell:    &lockedSocket{Socket: zmq4.NewDealer(ctx, id, retry, patience)},
		backControl:  &lockedSocket{Socket: zmq4.NewDealer(ctx, id, retry, patience)},
		backStdin:    &lockedSocket{Socket: zmq4.NewDealer(ctx, id, retry, patience)},
		backIOPub:    zmq4.NewSub(ctx, retry, patience),
		executions:   map[string]*execution{},
		internal:     map[string]bool{},
	}
}

func (p *proxy) listen() error {
	for _, l := range []struct {
		s    zmq4.Socket
		port int
	}{{p.frontShell, p.front.ShellPort}, {p.frontControl, p.front.ControlPort}, {p.frontStdin, p.front.StdinPort},
		{p.frontIOPub, p.front.IOPubPort}, {p.frontHB, p.front.HBPort}} {
		if err := l.s.Listen(p.front.Endpoint(l.port)); err != nil {
			return fmt.Errorf("listening on %s: %w", p.front.Endpoint(l.port), err)
		}
	}
	return nil
}

func (p *proxy) dial() error {
	if err := p.backIOPub.SetOption(zmq4.OptionSubscribe, ""); err != nil {
		return err
	}
	for _, d := range []struct {
		s    zmq4.Socket
		port int
	}{{p.backShell, p.back.ShellPort}, {p.backControl, p.back.ControlPort}, {p.backStdin, p.back.StdinPort},
		{p.backIOPub, p.back.IOPubPort}} {
		if err := d.s.Dial(p.back.Endpoint(d.port)); err != nil {
			return fmt.Errorf("connecting to GoNB at %s: %w", p.back.Endpoint(d.port), err)
		}
	}
	return nil
}

func (p *proxy) close() {
	for _, s := range []zmq4.Socket{p.frontShell, p.frontControl, p.frontStdin, p.frontIOPub, p.frontHB,
		p.backShell, p.backControl, p.backStdin, p.backIOPub} {
		_ = s.Close()
	}
}

// serve starts one goroutine per incoming socket. Jupyter's requests are
// read only once the init cells ran.
func (p *proxy) serve(initCells []string) error {
	go p.pump("iopub", p.backIOPub, p.onIOPub)
	go p.heartbeat()
	for _, code := range initCells {
		if err := p.runInternal(code); err != nil {
			return err
		}
	}
	go p.pump("shell request", p.frontShell, p.onShellRequest)
	go p.pump("shell reply", p.backShell, p.onShellReply)
	go p.pump("control request", p.frontControl, forwardTo(p.backControl))
	go p.pump("control reply", p.backControl, forwardTo(p.frontControl))
	go p.pump("stdin reply", p.frontStdin, forwardTo(p.backStdin))
	go p.pump("stdin request", p.backStdin, forwardTo(p.frontStdin))
	return nil
}

// runInternal executes code in GoNB as a silent request of the layer's own
// and waits for its reply.
func (p *proxy) runInternal(code string) error {
	seed := &Message{Header: json.RawMessage(`{"msg_id":"","session":"tlx-kernel","msg_type":"init"}`)}
	req, err := seed.Reply("execute_request", map[string]any{
		"code": code, "silent": true, "store_history": false,
		"user_expressions": map[string]any{}, "allow_stdin": false, "stop_on_error": true,
	})
	if err != nil {
		return err
	}
	req.Identities, req.ParentHeader = nil, json.RawMessage("{}")
	var h Header
	_ = json.Unmarshal(req.Header, &h)
	p.mu.Lock()
	p.internal[h.MsgID] = true
	p.mu.Unlock()
	if err := p.backShell.send(req.Frames(p.key)); err != nil {
		return fmt.Errorf("sending set-up cell to GoNB: %w", err)
	}
	for {
		raw, err := p.backShell.Recv()
		if err != nil {
			return fmt.Errorf("waiting for GoNB to run the set-up cell: %w", err)
		}
		msg, err := ParseMessage(raw.Frames)
		if err != nil || msg.ParentID() != h.MsgID {
			continue
		}
		var c struct{ Status, Evalue string }
		_ = json.Unmarshal(msg.Content, &c)
		if c.Status != "ok" {
			return fmt.Errorf("set-up cell %q failed in GoNB: %s", code, c.Evalue)
		}
		return nil
	}
}

func forwardTo(dst *lockedSocket) func([][]byte) error {
	return func(frames [][]byte) error { return dst.send(frames) }
}

// pump receives from src until the context ends, handing each message to handle.
func (p *proxy) pump(what string, src zmq4.Socket, handle func([][]byte) error) {
	for {
		msg, err := src.Recv()
		if err != nil {
			if p.ctx.Err() == nil && !errors.Is(err, context.Canceled) && !errors.Is(err, io.EOF) {
				log.Printf("tlx-kernel: %s: %v", what, err)
			}
			return
		}
		if err := handle(msg.Frames); err != nil {
			log.Printf("tlx-kernel: %s: %v", what, err)
		}
	}
}

func (p *proxy) heartbeat() {
	for {
		msg, err := p.frontHB.Recv()
		if err != nil {
			return
		}
		if err := p.frontHB.Send(msg); err != nil {
			return
		}
	}
}

// onShellRequest answers is_complete_request itself and forwards the rest,
// opening a record for each execute_request.
func (p *proxy) onShellRequest(frames [][]byte) error {
	msg, err := ParseMessage(frames)
	if err != nil {
		return p.backShell.send(frames)
	}
	switch msg.Type() {
	case "is_complete_request":
		return p.answerIsComplete(msg)
	case "execute_request":
		var h Header
		_ = json.Unmarshal(msg.Header, &h)
		p.mu.Lock()
		p.executions[h.MsgID] = &execution{settled: make(chan struct{})}
		p.mu.Unlock()
	}
	return p.backShell.send(frames)
}

func (p *proxy) answerIsComplete(req *Message) error {
	var content struct {
		Code string `json:"code"`
	}
	if err := json.Unmarshal(req.Content, &content); err != nil {
		return fmt.Errorf("is_complete_request content: %w", err)
	}
	status, indent := IsComplete(content.Code)
	reply := map[string]string{"status": status}
	if status == "incomplete" {
		reply["indent"] = indent
	}
	if err := p.publishStatus(req, "busy"); err != nil {
		return err
	}
	out, err := req.Reply("is_complete_reply", reply)
	if err != nil {
		return err
	}
	if err := p.frontShell.send(out.Frames(p.key)); err != nil {
		return err
	}
	return p.publishStatus(req, "idle")
}

func (p *proxy) publishStatus(req *Message, state string) error {
	out, err := req.Reply("status", map[string]string{"execution_state": state})
	if err != nil {
		return err
	}
	out.Identities = [][]byte{[]byte("kernel.tlx.status")}
	return p.frontIOPub.send(out.Frames(p.key))
}

func (p *proxy) execution(parentID string) *execution {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.executions[parentID]
}

// onIOPub collects each execution's stderr, drops GoNB's echo of the exit
// status and turns GoNB's bare status error into a described Failure.
func (p *proxy) onIOPub(frames [][]byte) error {
	msg, err := ParseMessage(frames)
	if err != nil {
		return p.frontIOPub.send(frames)
	}
	p.mu.Lock()
	internal := p.internal[msg.ParentID()]
	p.mu.Unlock()
	if internal {
		return nil
	}
	exe := p.execution(msg.ParentID())
	if exe == nil {
		return p.frontIOPub.send(frames)
	}
	switch msg.Type() {
	case "stream":
		var c struct{ Name, Text string }
		if json.Unmarshal(msg.Content, &c) == nil && c.Name == "stderr" {
			if isStatusEcho(c.Text) {
				return nil
			}
			exe.stderr = append(exe.stderr, c.Text...)
		}
	case "error":
		var c struct{ Evalue string }
		if json.Unmarshal(msg.Content, &c) == nil && isRuntimeStatus(c.Evalue) {
			f := describeFailure(string(exe.stderr), c.Evalue)
			exe.failure = &f
			if err := rewriteError(msg, f); err != nil {
				return err
			}
			defer exe.settle()
			return p.frontIOPub.send(msg.Frames(p.key))
		}
		defer exe.settle()
	case "status":
		var c struct {
			State string `json:"execution_state"`
		}
		if json.Unmarshal(msg.Content, &c) == nil && c.State == "idle" {
			defer exe.settle()
		}
	}
	return p.frontIOPub.send(frames)
}

// onShellReply completes a failed execute_reply with the described Failure.
func (p *proxy) onShellReply(frames [][]byte) error {
	msg, err := ParseMessage(frames)
	if err != nil || msg.Type() != "execute_reply" {
		return p.frontShell.send(frames)
	}
	parent := msg.ParentID()
	exe := p.execution(parent)
	if exe == nil {
		return p.frontShell.send(frames)
	}
	defer func() {
		p.mu.Lock()
		delete(p.executions, parent)
		p.mu.Unlock()
	}()
	var c struct {
		Status string `json:"status"`
		Evalue string `json:"evalue"`
	}
	if json.Unmarshal(msg.Content, &c) != nil || c.Status != "error" || !isRuntimeStatus(c.Evalue) {
		return p.frontShell.send(frames)
	}
	// GoNB publishes the error on iopub before it replies, but the two
	// sockets are read by different goroutines: wait for iopub to catch up.
	var f *Failure
	select {
	case <-exe.settled: // iopub's writes to exe happened before this
		f = exe.failure
		if f == nil {
			d := describeFailure(string(exe.stderr), c.Evalue)
			f = &d
		}
	case <-time.After(3 * time.Second): // iopub may still be writing exe: do not read it
		d := describeFailure("", c.Evalue)
		f = &d
	}
	if err := rewriteError(msg, *f); err != nil {
		return err
	}
	return p.frontShell.send(msg.Frames(p.key))
}

// rewriteError replaces ename, evalue and traceback in msg's content.
func rewriteError(msg *Message, f Failure) error {
	var content map[string]any
	if err := json.Unmarshal(msg.Content, &content); err != nil {
		return fmt.Errorf("error content: %w", err)
	}
	content["ename"] = f.Name
	content["evalue"] = f.Value
	content["traceback"] = f.Traceback
	body, err := json.Marshal(content)
	if err != nil {
		return err
	}
	msg.Content = body
	return nil
}
