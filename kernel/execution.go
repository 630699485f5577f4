package kernel

import (
	"encoding/json"
	"fmt"
	"log"
	"strings"
	"sync"
	"time"
)

// execution follows one execute_request: GoNB's stderr for it, whether
// the run-time failure (if any) has been seen on iopub, and the cell's
// result.
type execution struct {
	stderr  []byte
	failure *Failure
	settled chan struct{} // closed once the error or idle status went by
	once    sync.Once

	// Written by the shell goroutine before the request is forwarded.
	code       string // as the user wrote it
	rewritten  bool   // whether GoNB got code with a trailing expression rewritten
	resultFile string // where the rewritten code writes the expression's value
	history    bool   // whether to record the cell (store_history and not silent)

	// Written and read by the iopub goroutine, under holdMu (which a
	// stale hold's timer takes too).
	holdMu  sync.Mutex
	hold    stderrHold
	holdGen int // counts holds, so a timer releases only its own
	count   int // execution_count, from GoNB's execute_input

	// Guarded by proxy.mu: the record is dropped once both went by.
	replied, idle bool
}

func (e *execution) settle() { e.once.Do(func() { close(e.settled) }) }

func (p *proxy) execution(parentID string) *execution {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.executions[parentID]
}

// finish marks the execute_reply (replied) or the idle status as seen and
// drops the record once both are.
func (p *proxy) finish(parentID string, replied bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	exe := p.executions[parentID]
	if exe == nil {
		return
	}
	if replied {
		exe.replied = true
	} else {
		exe.idle = true
	}
	if exe.replied && exe.idle {
		delete(p.executions, parentID)
	}
}

// onIOPub follows each execution's output: it collects stderr, holds a
// panic's report back from the stream (it becomes the error's traceback),
// drops GoNB's echo of the exit status, turns GoNB's bare status error into
// a described Failure, gives execute_input the code the user wrote, and
// publishes the cell's result before its idle status.
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
	exe.holdMu.Lock()
	defer exe.holdMu.Unlock()
	switch msg.Type() {
	case "stream":
		var c struct{ Name, Text string }
		if json.Unmarshal(msg.Content, &c) != nil || c.Name != "stderr" {
			break
		}
		if isStatusEcho(c.Text) {
			return nil
		}
		exe.stderr = append(exe.stderr, c.Text...)
		was := exe.hold.holding()
		now, err := exe.hold.add(msg, c.Text)
		if err != nil {
			return err
		}
		if !was && exe.hold.holding() {
			exe.holdGen++
			gen := exe.holdGen
			time.AfterFunc(p.holdPatience, func() { p.releaseStale(exe, gen) })
		}
		return p.publish(now...)
	case "display_data":
		// When the program dies, GoNB shows the trace's lines in the cell as
		// HTML (hover for context): a second copy of the report, which the
		// error's traceback carries, cell lines marked.
		if exe.hold.holding() && isGoNBErrorLines(msg) {
			exe.hold.keep(msg)
			return nil
		}
	case "execute_input":
		var c struct {
			Count int `json:"execution_count"`
		}
		_ = json.Unmarshal(msg.Content, &c)
		exe.count = c.Count
		if exe.rewritten {
			body, err := json.Marshal(map[string]any{"code": exe.code, "execution_count": c.Count})
			if err != nil {
				return err
			}
			msg.Content = body
			return p.publish(msg)
		}
	case "error":
		defer exe.settle()
		var c struct{ Evalue string }
		if json.Unmarshal(msg.Content, &c) == nil && isRuntimeStatus(c.Evalue) {
			f := describeFailure(string(exe.stderr), c.Evalue)
			exe.failure = &f
			exe.hold.drop() // the held report is the traceback
			if err := rewriteError(msg, f); err != nil {
				return err
			}
			return p.publish(msg)
		}
	case "status":
		var c struct {
			State string `json:"execution_state"`
		}
		if json.Unmarshal(msg.Content, &c) == nil && c.State == "idle" {
			defer p.finish(msg.ParentID(), false)
			defer exe.settle()
			if err := p.publish(exe.hold.release()...); err != nil {
				return err
			}
			return p.endExecution(exe, msg)
		}
	}
	// Other output goes by a held report: stdout and displays come through
	// their own pipes, so what the program sent before it died may arrive
	// after its trace began.
	return p.frontIOPub.send(frames)
}

// defaultHoldPatience is how long a failure report is held for the
// program's death: a Go program exits right after its trace, and GoNB reports the
// status within milliseconds. A program still running after this printed
// the report itself (a recovered panic, logged): the report is released as
// the stderr it is.
const defaultHoldPatience = 5 * time.Second

// releaseStale forwards the report held as hold number gen, if it still is.
func (p *proxy) releaseStale(exe *execution, gen int) {
	exe.holdMu.Lock()
	defer exe.holdMu.Unlock()
	if exe.holdGen != gen || !exe.hold.holding() {
		return
	}
	if err := p.publish(exe.hold.release()...); err != nil {
		log.Printf("tlx-kernel: iopub: %v", err)
	}
}

// endExecution publishes the cell's result (if its trailing expression
// wrote one), records the cell in the history and forwards idle.
func (p *proxy) endExecution(exe *execution, idle *Message) error {
	result, ok := "", false
	if exe.rewritten {
		result, ok = takeResult(exe.resultFile)
	}
	if ok {
		out, err := (&Message{Header: idle.ParentHeader}).Reply("execute_result", map[string]any{
			"execution_count": exe.count, "data": map[string]string{"text/plain": result}, "metadata": map[string]any{},
		})
		if err != nil {
			return err
		}
		out.Identities = [][]byte{[]byte("kernel.tlx.execute_result")}
		if err := p.publish(out); err != nil {
			return err
		}
	}
	if exe.history {
		p.history.Add(exe.count, exe.code, result)
	}
	return p.publish(idle)
}

// isGoNBErrorLines reports whether a display_data is GoNB's HTML view of
// the cell lines in a failed program's stderr.
func isGoNBErrorLines(msg *Message) bool {
	var c struct {
		Data map[string]any `json:"data"`
	}
	if json.Unmarshal(msg.Content, &c) != nil {
		return false
	}
	html, _ := c.Data["text/html"].(string)
	return strings.Contains(html, `class="gonb-err-location"`) || strings.Contains(html, `class="gonb-cell-line-info"`)
}

// publish sends messages on the front iopub socket, signed with the key.
func (p *proxy) publish(msgs ...*Message) error {
	for _, m := range msgs {
		if err := p.frontIOPub.send(m.Frames(p.key)); err != nil {
			return err
		}
	}
	return nil
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
	defer p.finish(parent, true)
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
