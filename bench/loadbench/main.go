// Command loadbench times loading a ResNet-18 into tlx (from PyTorch's ONNX
// export and from its safetensors state_dict) against PyTorch loading its
// own .pt file in the same run, and running the first image.
//
//	go run ./bench/loadbench
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"time"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/tlx-go/tlx/tlx"
	"github.com/tlx-go/tlx/tlx/net"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "loadbench:", err)
		os.Exit(1)
	}
}

// timed returns the median of n runs of f: its load and first-image times.
func timed(n int, f func() (*net.Model, error)) (load, first time.Duration, err error) {
	var loads, firsts []time.Duration
	x := tensors.FromShape(shapes.Make(dtypes.Float32, 1, 224, 224, 3))
	for range n {
		t0 := time.Now()
		m, err := f()
		if err != nil {
			return 0, 0, err
		}
		t1 := time.Now()
		if _, err := m.Output(x, ""); err != nil {
			return 0, 0, err
		}
		loads, firsts = append(loads, t1.Sub(t0)), append(firsts, time.Since(t1))
	}
	slices.Sort(loads)
	slices.Sort(firsts)
	return loads[n/2], firsts[n/2], nil
}

func run() error {
	dir, err := os.MkdirTemp("", "tlx-loadbench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	out, err := exec.Command("/usr/bin/python3", "bench/loadbench/torch_load.py", dir).Output()
	if err != nil {
		return fmt.Errorf("PyTorch side: %w", err)
	}
	var torch struct{ LoadS, FirstS float64 }
	if err := json.Unmarshal(out, &struct {
		LoadS  *float64 `json:"load_s"`
		FirstS *float64 `json:"first_s"`
	}{&torch.LoadS, &torch.FirstS}); err != nil {
		return err
	}
	onnxLoad, onnxFirst, err := timed(3, func() (*net.Model, error) { return tlx.Load(filepath.Join(dir, "resnet18.onnx")) })
	if err != nil {
		return err
	}
	stLoad, stFirst, err := timed(3, func() (*net.Model, error) { return tlx.Load(filepath.Join(dir, "resnet18.safetensors")) })
	if err != nil {
		return err
	}
	fmt.Println("| ResNet-18 (11.7 M parameters) | load | first 224×224 image (compile + run) | load vs PyTorch |")
	fmt.Println("|---|---|---|---|")
	fmt.Printf("| PyTorch: resnet18() + load_state_dict(.pt) | %.3f s | %.3f s | 1x |\n", torch.LoadS, torch.FirstS)
	fmt.Printf("| tlx.Load(resnet18.onnx) (PyTorch export, BN folded) | %.3f s | %.3f s | %.2fx |\n", onnxLoad.Seconds(), onnxFirst.Seconds(), torch.LoadS/onnxLoad.Seconds())
	fmt.Printf("| tlx.Load(resnet18.safetensors) (into arch.ResNet) | %.3f s | %.3f s | %.2fx |\n", stLoad.Seconds(), stFirst.Seconds(), torch.LoadS/stLoad.Seconds())
	return nil
}
