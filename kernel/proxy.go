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
	"sync/atomic"
	"time"

	"github.com/go-zeromq/zmq4"
)

// proxyIdentity is the ZeroMQ identity of the layer's sockets towards GoNB.
// Shell and stdin share it so that GoNB's input_request, addressed to the
// identity that sent the execute_request, reaches the layer's stdin socket.
const proxyIdentity = "tlx-kernel"

// Launch runs the kernel for Jupyter's connection file: it starts GoNB with
// gonbArgs (plus its own connection file) and forwards messages until GoNB
// exits or ctx is cancelled. root is the tlx working tree, where inspect
// requests are answered with go doc.
//
// Before it forwards anything from Jupyter it runs each of initCells in GoNB
// silently (their output is dropped) and fails if one fails: the cells set
// up GoNB's module for tlx.
func Launch(ctx context.Context, connectionFile, root string, initCells []string, gonb string, gonbArgs ...string) error {
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
	p.inspector = Inspector{Root: root}
	p.resultDir = dir
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

	history   History      // the cells executed, for history_request
	inspector Inspector    // go doc, for inspect_request
	resultDir string       // where cells' trailing expressions write their values
	results   atomic.Int64 // numbers the result files

	holdPatience time.Duration // see defaultHoldPatience
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
		holdPatience: defaultHoldPatience,
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

// onShellRequest answers is_complete_request, inspect_request,
// history_request and complete_request for package members itself and
// forwards the rest, opening a record for each
// execute_request (whose trailing expression it may rewrite).
func (p *proxy) onShellRequest(frames [][]byte) error {
	msg, err := ParseMessage(frames)
	if err != nil {
		return p.backShell.send(frames)
	}
	switch msg.Type() {
	case "is_complete_request":
		return p.answerIsComplete(msg)
	case "history_request":
		return p.answerHistory(msg)
	case "inspect_request":
		go func() { // go doc takes a moment: do not hold up the shell
			if err := p.answerInspect(msg); err != nil {
				log.Printf("tlx-kernel: inspect: %v", err)
			}
		}()
		return nil
	case "complete_request":
		go func() { // go list takes a moment: do not hold up the shell
			if err := p.answerComplete(msg, frames); err != nil {
				log.Printf("tlx-kernel: complete: %v", err)
			}
		}()
		return nil
	case "execute_request":
		return p.forwardExecute(msg)
	}
	return p.backShell.send(frames)
}

// forwardExecute records an execute_request and forwards it to GoNB, with
// the cell's trailing expression rewritten to save its value.
func (p *proxy) forwardExecute(msg *Message) error {
	var h Header
	_ = json.Unmarshal(msg.Header, &h)
	var content map[string]any
	if err := json.Unmarshal(msg.Content, &content); err != nil {
		return fmt.Errorf("execute_request content: %w", err)
	}
	code, _ := content["code"].(string)
	silent, _ := content["silent"].(bool)
	store, _ := content["store_history"].(bool)
	exe := &execution{settled: make(chan struct{}), code: code, history: store && !silent}
	if !silent {
		// Numbered, not named by msg_id: the client chooses msg_id.
		exe.resultFile = filepath.Join(p.resultDir, fmt.Sprintf("result-%d", p.results.Add(1)))
		var rewritten string
		if rewritten, exe.rewritten = withResultFile(code, exe.resultFile); exe.rewritten {
			content["code"] = rewritten
			body, err := json.Marshal(content)
			if err != nil {
				return err
			}
			msg.Content = body
		}
	}
	p.mu.Lock()
	p.executions[h.MsgID] = exe
	p.mu.Unlock()
	return p.backShell.send(msg.Frames(p.key))
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
	return p.replyShell(req, "is_complete_reply", reply)
}

// replyShell answers req with one shell reply between busy and idle status
// messages, as a kernel does for every request.
func (p *proxy) replyShell(req *Message, msgType string, content any) error {
	if err := p.publishStatus(req, "busy"); err != nil {
		return err
	}
	out, err := req.Reply(msgType, content)
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
