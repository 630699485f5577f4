// Command backendorder times one workload on the process's backend
// (GOMLX_BACKEND) and prints a JSON line: the time to the end of the first
// step (graph building and compilation included), and the median of the
// timed steps after it. bench/backendorder.sh runs it for every backend,
// interleaved, a fresh process per run; tlx's default backend order was
// chosen from its output (see tlx/engine/doc.go).
//
//	GOMLX_BACKEND=xla:cpu go run ./bench/backendorder -model resnet18 -size 224 -mode train
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"time"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/tlx-go/tlx/tlx/arch"
	"github.com/tlx-go/tlx/tlx/engine"
	"github.com/tlx-go/tlx/tlx/fit"
	"github.com/tlx-go/tlx/tlx/net"
)

// Result is one run's JSON line.
type Result struct {
	Backend string  `json:"backend"`
	Model   string  `json:"model"`
	Size    int     `json:"size"`
	Mode    string  `json:"mode"`
	Batch   int     `json:"batch"`
	FirstS  float64 `json:"first_s"`   // start of the process's work to the end of the first step
	StepS   float64 `json:"step_s"`    // median of the timed steps
	ImgPerS float64 `json:"img_per_s"` // Batch / StepS
}

func main() {
	modelName := flag.String("model", "cnn", "cnn or resnet18")
	size := flag.Int("size", 64, "image side (the input is size×size×3)")
	mode := flag.String("mode", "train", "forward or train (one Adam step of the whole network)")
	batch := flag.Int("batch", 16, "batch size")
	iters := flag.Int("iters", 3, "timed steps after the first")
	flag.Parse()
	r, err := run(*modelName, *size, *mode, *batch, *iters)
	if err != nil {
		fmt.Fprintln(os.Stderr, "backendorder:", err)
		os.Exit(1)
	}
	out, _ := json.Marshal(r)
	fmt.Println(string(out))
}

func run(modelName string, size int, mode string, batch, iters int) (Result, error) {
	r := Result{Model: modelName, Size: size, Mode: mode, Batch: batch}
	start := time.Now()
	b, err := engine.Backend()
	if err != nil {
		return r, err
	}
	r.Backend = os.Getenv("GOMLX_BACKEND")
	if r.Backend == "" {
		r.Backend = b.Name()
	}
	var m *net.Model
	switch modelName {
	case "cnn":
		m = arch.CNN("cnn", 10, true, size, size, 3)
	case "resnet18":
		m = arch.ResNet(arch.ResNetConfig{Depth: 18, Width: 64, Classes: 10}, size, size, 3)
	default:
		return r, fmt.Errorf("-model %q: want cnn or resnet18", modelName)
	}
	if _, err := m.Init(); err != nil {
		return r, err
	}
	m.ApplyTrainable()
	rng := rand.New(rand.NewPCG(1, 2))
	xs := make([]float32, batch*size*size*3)
	for i := range xs {
		xs[i] = rng.Float32()
	}
	ys := make([]int32, batch)
	for i := range ys {
		ys[i] = int32(rng.IntN(10))
	}
	x := func() *tensors.Tensor { return tensors.FromFlatDataAndDimensions(xs, batch, size, size, 3) }
	y := func() *tensors.Tensor { return tensors.FromFlatDataAndDimensions(ys, batch) }
	var step func() error
	switch mode {
	case "forward":
		e, err := m.RangeExec("", "")
		if err != nil {
			return r, err
		}
		step = func() error {
			out, err := e.Call1(x())
			if err == nil {
				out.Value() // reading the logits waits for the backend
			}
			return err
		}
	case "train":
		ts, err := fit.NewTrainStep(m, fit.Adam(), 1e-3)
		if err != nil {
			return r, err
		}
		step = func() error { _, err := ts.Step(x(), y()); return err }
	default:
		return r, fmt.Errorf("-mode %q: want forward or train", mode)
	}
	if err := step(); err != nil {
		return r, err
	}
	r.FirstS = time.Since(start).Seconds()
	times := make([]float64, iters)
	for i := range times {
		t0 := time.Now()
		if err := step(); err != nil {
			return r, err
		}
		times[i] = time.Since(t0).Seconds()
	}
	slices.Sort(times)
	r.StepS = times[len(times)/2]
	r.ImgPerS = float64(batch) / r.StepS
	return r, nil
}
