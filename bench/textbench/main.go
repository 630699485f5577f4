// Command textbench times all-MiniLM-L6-v2 (tlx/text) on the backend that
// GOMLX_BACKEND names: a forward pass and a full fine-tuning step (every
// layer trained: cross-entropy of a 2-class head, gradients, an SGD
// update) at sequence length 128, batch 32, every position a real token
// (windows of the GPL-3 text Debian ships). It prints one JSON line;
// bench/text.sh runs it next to PyTorch.
//
//	GOMLX_BACKEND=go go run ./bench/textbench -mode train -iters 5
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"slices"
	"syscall"
	"time"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/support/exceptions"

	"github.com/tlx-go/tlx/tlx/manifest"
	"github.com/tlx-go/tlx/tlx/text"
)

var (
	mode  = flag.String("mode", "forward", "forward or train")
	iters = flag.Int("iters", 5, "timed steps after one untimed warm-up step")
	batch = flag.Int("batch", 32, "sequences per step")
	seq   = flag.Int("seq", 128, "tokens per sequence")
	text_ = flag.String("text", "/usr/share/common-licenses/GPL-3", "text the sequences are cut from")
	ids   = flag.String("ids", "", "write the batch's token ids to this JSON file (for the PyTorch side) and exit")
)

func main() {
	flag.Parse()
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "textbench:", err)
		os.Exit(1)
	}
}

// windows cuts the file's word pieces into batch sequences of seq ids
// ([CLS], seq-2 pieces, [SEP]), as float32.
func windows(tok *text.Tokenizer) ([]float32, error) {
	raw, err := os.ReadFile(*text_)
	if err != nil {
		return nil, err
	}
	pieces := tok.Encode(string(raw), 0)
	pieces = pieces[1 : len(pieces)-1]
	n := *seq - 2
	if len(pieces) < n {
		return nil, fmt.Errorf("%s has %d word pieces, want at least %d", *text_, len(pieces), n)
	}
	x := make([]float32, 0, *batch**seq)
	for b := range *batch {
		start := (b * n) % (len(pieces) - n)
		x = append(x, float32(tok.CLSID))
		for _, id := range pieces[start : start+n] {
			x = append(x, float32(id))
		}
		x = append(x, float32(tok.SEPID))
	}
	return x, nil
}

// cpuSeconds is the CPU time (user + system) this process used so far:
// on a machine shared with other jobs it says what a step costs when the
// wall clock does not.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

func run() error {
	enc, err := text.MiniLM(text.Options{SeqLen: *seq, NoDropout: true})
	if err != nil {
		return err
	}
	m := enc.Model
	if err := m.ReplaceHead(2); err != nil {
		return err
	}
	if _, err := m.Init(); err != nil {
		return err
	}
	x, err := windows(enc.Tokenizer)
	if err != nil {
		return err
	}
	if *ids != "" {
		rows := make([][]int, *batch)
		for i := range rows {
			for _, v := range x[i**seq : (i+1)**seq] {
				rows[i] = append(rows[i], int(v))
			}
		}
		js, err := json.Marshal(map[string]any{"dir": enc.Dir, "ids": rows})
		if err != nil {
			return err
		}
		return os.WriteFile(*ids, js, 0o644)
	}
	backend, err := m.Backend()
	if err != nil {
		return err
	}
	input := tensors.FromFlatDataAndDimensions(x, *batch, *seq)
	labels := make([]float32, *batch*2)
	for i := range *batch {
		labels[i*2+i%2] = 1
	}
	y := tensors.FromFlatDataAndDimensions(labels, *batch, 2)

	var step func() error
	switch *mode {
	case "forward":
		step = func() error { _, err := m.Output(input, ""); return err }
	case "train":
		e, err := model.NewExec(backend, m.Store, func(scope *model.Scope, x, y *graph.Node) *graph.Node {
			m.Store.SetTraining(x.Graph(), true)
			logits := m.Forward(scope, x, true, "")
			maxL := graph.StopGradient(graph.ReduceAndKeep(logits, graph.ReduceMax, -1))
			lse := graph.Add(graph.Log(graph.ReduceAndKeep(graph.Exp(graph.Sub(logits, maxL)), graph.ReduceSum, -1)), maxL)
			loss := graph.ReduceAllMean(graph.ReduceSum(graph.Mul(y, graph.Sub(lse, logits)), -1))
			var vars []*model.Variable
			var nodes []*graph.Node
			for _, g := range m.Groups {
				for _, v := range m.Variables(g.Name) {
					vars = append(vars, v)
					nodes = append(nodes, v.NodeValue(x.Graph()))
				}
			}
			for i, g := range graph.Gradient(loss, nodes...) {
				vars[i].SetNodeValue(graph.Sub(nodes[i], graph.MulScalar(g, 1e-4)))
			}
			return loss
		})
		if err != nil {
			return err
		}
		step = func() error {
			return exceptions.TryCatch[error](func() { e.MustCall(input, y) })
		}
	default:
		return fmt.Errorf("-mode %q: want forward or train", *mode)
	}
	t0 := time.Now()
	if err := step(); err != nil {
		return err
	}
	first := time.Since(t0)
	var times, cpus []float64
	for range *iters {
		t, c := time.Now(), cpuSeconds()
		if err := step(); err != nil {
			return err
		}
		times = append(times, time.Since(t).Seconds())
		cpus = append(cpus, cpuSeconds()-c)
	}
	slices.Sort(times)
	slices.Sort(cpus)
	med := times[len(times)/2]
	return json.NewEncoder(os.Stdout).Encode(map[string]any{
		"impl": "tlx " + backend.Name(), "cpu": manifest.CPUModel(), "mode": *mode, "batch": *batch, "seq": *seq,
		"step_s": med, "cpu_s": cpus[len(cpus)/2], "first_s": first.Seconds(), "tokens_per_s": float64(*batch**seq) / med,
		"simd": manifest.SIMDPath(),
	})
}
