// Command tlxbench times one workload on tlx (GoMLX backend) and prints a
// JSON line: images per second (median over timed iterations), the first
// step's time (compilation included) and the peak resident memory.
// bench/run.sh runs it interleaved with bench/torch_bench.py.
//
//	go run ./bench/tlxbench -workload W1b -iters 20
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/tlx-go/tlx/bench/benchfmt"
	"github.com/tlx-go/tlx/tlx/arch"
	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/engine"
	"github.com/tlx-go/tlx/tlx/fit"
	"github.com/tlx-go/tlx/tlx/net"
)

type result = benchfmt.Result

func main() {
	workload := flag.String("workload", "W1a", "W1a W1b W1c W2a W2b W3 W4 W5 W6a W6b W6c W7a W7b W7c W8")
	iters := flag.Int("iters", 20, "timed iterations")
	n := flag.Int("n", 2000, "W8: training images")
	nTest := flag.Int("test", 1000, "W8: test images")
	epochs := flag.String("epochs", "3,2,2", "W8: epochs of the stages head,top,all")
	devices := flag.Int("devices", 1, "training workloads: data-parallel over this many devices of the backend (fit.DataParallelStep), batch 32 per device")
	init := flag.String("init", "", "W8: start weights, a torchvision ResNet-18 state_dict as safetensors (bench/torch_recipe.py --save-init); empty: tlx's own initialisers")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the run to this file (go tool pprof)")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "tlxbench: -cpuprofile:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	var r result
	var err error
	if *workload == "W8" {
		r, err = recipe(*n, *nTest, *epochs, *init)
	} else {
		r, err = run(*workload, *iters, *devices)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "tlxbench:", err)
		exit(1)
	}
	r.Side, r.Workload, r.PeakRSSMB = "tlx", *workload, peakRSS()
	if b, err := engine.Backend(); err == nil {
		r.Backend = b.Name()
	}
	out, _ := json.Marshal(r)
	fmt.Println(string(out))
}

// exit ends the process after stopping a CPU profile (deferred calls do
// not run through os.Exit).
func exit(code int) {
	pprof.StopCPUProfile()
	os.Exit(code)
}

// modes224 are the 224² workloads' variants: forward, a training step of
// the whole network, a training step of the top block + head.
var modes224 = map[string]string{"a": "forward", "b": "train", "c": "top"}

// topGroups are the groups the "top" mode trains (torch_bench.py's top()).
var topGroups = map[string][]string{"W6c": {"layer4", "head"}, "W7c": {"block7", "final", "head"}}

// spec returns the model, batch size and whether the workload trains.
func spec(w string) (m *net.Model, batch int, mode string, err error) {
	switch w {
	case "W1a", "W1b", "W1c":
		m = arch.CNN("cnn", 10, false, 28, 28, 1)
		mode = map[string]string{"W1a": "forward", "W1b": "train", "W1c": "head"}[w]
		return m, 64, mode, nil
	case "W2a", "W2b":
		m = arch.ResNet(arch.ResNetConfig{Depth: 18, Width: 64, Classes: 10}, 64, 64, 3)
		return m, 32, map[string]string{"W2a": "forward", "W2b": "train"}[w], nil
	case "W6a", "W6b", "W6c": // torchvision's ResNet-18 layout at 224²
		m = arch.ResNet(arch.ResNetConfig{Depth: 18, Width: 64, Classes: 10}, 224, 224, 3)
		return m, 32, modes224[w[2:]], nil
	case "W7a", "W7b", "W7c": // torchvision's MobileNetV2 layout at 224²
		m = arch.MobileNetV2(arch.MobileNetV2Config{Classes: 10}, 224, 224, 3)
		return m, 32, modes224[w[2:]], nil
	case "W3":
		return arch.MLP("mlp", []int{512, 256}, 10, 784), 256, "train", nil
	}
	return nil, 0, "", fmt.Errorf("unknown workload %q", w)
}

func run(w string, iters, devices int) (result, error) {
	if w == "W4" {
		return epochCache(iters)
	}
	if w == "W5" {
		return mixedPrefix()
	}
	m, batch, mode, err := spec(w)
	if err != nil {
		return result{}, err
	}
	if devices > 1 {
		if mode == "forward" {
			return result{}, fmt.Errorf("workload %s: -devices applies to the training workloads", w)
		}
		batch *= devices // the same batch per device: images per second should grow with the devices
	}
	if _, err := m.Init(); err != nil {
		return result{}, err
	}
	if mode == "head" {
		if err := m.FreezeTo(-1); err != nil {
			return result{}, err
		}
	}
	if mode == "top" {
		if err := m.Freeze(); err != nil {
			return result{}, err
		}
		if err := m.Unfreeze(topGroups[w]...); err != nil {
			return result{}, fmt.Errorf("workload %s: %w", w, err)
		}
	}
	m.ApplyTrainable()
	rng := rand.New(rand.NewPCG(1, 2))
	size := batch
	for _, d := range m.InputShape {
		size *= d
	}
	xs := make([]float32, size)
	for i := range xs {
		xs[i] = rng.Float32()
	}
	ys := make([]int32, batch)
	for i := range ys {
		ys[i] = int32(rng.IntN(10))
	}
	x := func() *tensors.Tensor {
		return tensors.FromFlatDataAndDimensions(xs, append([]int{batch}, m.InputShape...)...)
	}
	y := func() *tensors.Tensor { return tensors.FromFlatDataAndDimensions(ys, batch) }

	var step func()
	if mode == "forward" {
		e, err := m.RangeExec("", "")
		if err != nil {
			return result{}, err
		}
		step = func() { e.MustCall1(x()).Value() } // reading the logits waits for an accelerator
	} else if devices > 1 {
		ts, err := fit.NewDataParallelStep(m, fit.Adam(), 1e-3, devices)
		if err != nil {
			return result{}, err
		}
		step = func() {
			if _, err := ts.Step(x(), y()); err != nil {
				panic(err)
			}
		}
	} else {
		ts, err := fit.NewTrainStep(m, fit.Adam(), 1e-3)
		if err != nil {
			return result{}, err
		}
		step = func() { ts.MustStep(x(), y()) }
	}
	start := time.Now()
	step()
	first := time.Since(start).Seconds()
	step() // a second warm-up
	times := make([]float64, iters)
	for i := range times {
		t := time.Now()
		step()
		times[i] = time.Since(t).Seconds()
	}
	slices.Sort(times)
	res := result{ImgPerS: float64(batch) / times[len(times)/2], FirstStep: first}
	gflops := map[string]float64{"W2a": resnetGFLOPs(64), "W2b": resnetGFLOPs(64), "W6a": resnetGFLOPs(224), "W6b": resnetGFLOPs(224),
		"W7a": mobileNetV2GFLOPs(224), "W7b": mobileNetV2GFLOPs(224)}
	if g := gflops[w]; g > 0 {
		gflop := g * float64(batch)
		if mode == "train" {
			gflop *= 3
		}
		res.Extra = fmt.Sprintf("%.2f GFLOP/s", gflop/times[len(times)/2])
	}
	if devices > 1 {
		res.Extra = strings.TrimPrefix(res.Extra+fmt.Sprintf("; data-parallel over %d devices, batch %d", devices, batch), "; ")
	}
	return res, nil
}

// resnetGFLOPs counts the multiply-adds ×2 of ResNet-18's convolutions and
// classifier for one image of side px (forward pass).
func resnetGFLOPs(px int) float64 {
	var macs float64
	conv := func(h, w, k, cin, cout, s int) (int, int) {
		oh, ow := (h+s-1)/s, (w+s-1)/s
		macs += float64(oh * ow * k * k * cin * cout)
		return oh, ow
	}
	h, w := conv(px, px, 7, 3, 64, 2)
	h, w = (h+1)/2, (w+1)/2 // max-pool
	cin := 64
	for stage, cout := range []int{64, 128, 256, 512} {
		for b := range 2 {
			s := 1
			if b == 0 && stage > 0 {
				s = 2
			}
			nh, nw := conv(h, w, 3, cin, cout, s)
			conv(nh, nw, 3, cout, cout, 1)
			if s != 1 || cin != cout {
				conv(h, w, 1, cin, cout, s)
			}
			h, w, cin = nh, nw, cout
		}
	}
	macs += 512 * 10
	return 2 * macs / 1e9
}

// epochCache times head-only fine-tuning epochs of the flagship setup
// (ResNet-18 width 8 on 28×28 Fashion-MNIST, 2,000 examples) with the
// feature cache off and on; the result is epochs per second with the cache
// and the ratio in Extra.
func epochCache(epochs int) (result, error) {
	d, err := data.FashionMNIST("train")
	if err != nil {
		return result{}, err
	}
	d = d.Take(2000, 1)
	dir, err := os.MkdirTemp("", "tlxbench-cache-")
	if err != nil {
		return result{}, err
	}
	defer os.RemoveAll(dir)
	epochTime := func(mode fit.CacheMode, n int) (perEpoch, firstEpoch float64, err error) {
		m := arch.ResNet(arch.ResNetConfig{Depth: 18, Width: 8, Classes: 10, SmallInput: true}, 28, 28, 1)
		if err := m.FreezeTo(-1); err != nil {
			return 0, 0, err
		}
		h, err := fit.Fit(m, d, fit.Config{Epochs: n, FeatureCache: mode, CacheDir: dir})
		if err != nil {
			return 0, 0, err
		}
		var rest []float64
		for _, e := range h.Epochs[1:] {
			rest = append(rest, e.Seconds)
		}
		slices.Sort(rest)
		return rest[len(rest)/2], h.Epochs[0].Seconds, nil
	}
	off, _, err := epochTime(fit.CacheOff, 3)
	if err != nil {
		return result{}, err
	}
	on, _, err := epochTime(fit.CacheAuto, max(epochs, 3))
	if err != nil {
		return result{}, err
	}
	return result{ImgPerS: float64(d.Len()) / on, FirstStep: 0,
		Extra: fmt.Sprintf("epoch %.3fs cached vs %.2fs full: %.0fx", on, off, off/on)}, nil
}

// mixedPrefix times a head-only Fit of one epoch whose feature cache is
// built from scratch: the frozen ResNet prefix run on this process's
// backend, or on the backend named by TLX_PREFIX_BACKEND (mixed
// execution). ImgPerS counts images through the whole Fit.
func mixedPrefix() (result, error) {
	d, err := data.FashionMNIST("train")
	if err != nil {
		return result{}, err
	}
	d = d.Take(2000, 1)
	dir, err := os.MkdirTemp("", "tlxbench-prefix-")
	if err != nil {
		return result{}, err
	}
	defer os.RemoveAll(dir)
	m := arch.ResNet(arch.ResNetConfig{Depth: 18, Width: 8, Classes: 10, SmallInput: true}, 28, 28, 1)
	if err := m.FreezeTo(-1); err != nil {
		return result{}, err
	}
	if _, err := m.Init(); err != nil {
		return result{}, err
	}
	start := time.Now()
	h, err := fit.Fit(m, d, fit.Config{Epochs: 1, CacheDir: dir})
	if err != nil {
		return result{}, err
	}
	secs := time.Since(start).Seconds()
	prefix := "same backend"
	if p := os.Getenv("TLX_PREFIX_BACKEND"); p != "" {
		prefix = p
	}
	return result{ImgPerS: float64(d.Len()) / secs, Extra: fmt.Sprintf("prefix on %s: %.2fs for 2,000 images (%s)", prefix, secs, h.Notes[0][:40])}, nil
}

// peakRSS reads the process's peak resident set (VmHWM) in MB.
func peakRSS() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

// mobileNetV2GFLOPs counts the multiply-adds ×2 of MobileNetV2's (width 1)
// convolutions and classifier for one image of side px (forward pass).
func mobileNetV2GFLOPs(px int) float64 {
	var macs float64
	h := (px + 1) / 2
	macs += float64(h*h) * 9 * 3 * 32 // stem, stride 2
	in := 32
	for _, st := range [7][4]int{{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}} {
		for r := range st[2] {
			s := 1
			if r == 0 {
				s = st[3]
			}
			hidden := in * st[0]
			if st[0] != 1 {
				macs += float64(h*h*in) * float64(hidden) // 1×1 expansion
			}
			h = (h + s - 1) / s
			macs += float64(h*h*hidden) * 9              // 3×3 depthwise
			macs += float64(h*h*hidden) * float64(st[1]) // 1×1 projection
			in = st[1]
		}
	}
	macs += float64(h*h) * 320 * 1280 // final 1×1
	macs += 1280 * 10
	return 2 * macs / 1e9
}
