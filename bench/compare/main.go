// Command compare runs tlx's benchmark against PyTorch: every workload on
// every side — PyTorch 2.x from PyPI (bench/torch-env.sh), Debian's PyTorch
// 1.13, tlx on each backend — interleaved (one run of each side, then the
// next repetition), each run a fresh process, and prints Markdown tables of
// medians: images per second with the ratio of the best tlx backend to
// PyTorch 2.x, the first step's time (compilation included, kept out of the
// per-step median), peak memory and the CPU time other processes used
// during the runs; and for the end-to-end recipe (W8) wall time and test
// accuracy side by side. bench/run.sh calls it.
//
//	go run ./bench/compare -tlx .tlx/bin/tlxbench -reps 3 -out bench/RESULTS.md
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// side is one column: a PyTorch or a tlx backend.
type side struct {
	name string
	// args returns the command for workload w, or nil where the side does
	// not run it; env is added to the process's environment.
	args func(w string) []string
	env  func(w string) []string
}

var descriptions = map[string]string{
	"W1a": "small CNN 28×28×1 forward, batch 64",
	"W1b": "small CNN train step (Adam), batch 64",
	"W1c": "small CNN head-only train step, batch 64",
	"W2a": "ResNet-18 64×64×3 forward, batch 32",
	"W2b": "ResNet-18 64×64×3 train step, batch 32",
	"W3":  "MLP 784-512-256-10 train step, batch 256",
	"W4":  "fine-tuning epoch, head only, feature cache on vs off (tlx go only)",
	"W5":  "head-only Fit building the feature cache: prefix on the Go backend (go column) vs on ONNX Runtime (onnx:cpu column), training on go",
	"W6a": "ResNet-18 224×224×3 forward, batch 32",
	"W6b": "ResNet-18 224² train step, whole network (Adam), batch 32",
	"W6c": "ResNet-18 224² train step, layer4 + head, batch 32",
	"W7a": "MobileNetV2 224×224×3 forward, batch 32",
	"W7b": "MobileNetV2 224² train step, whole network (Adam), batch 32",
	"W7c": "MobileNetV2 224² train step, block7 + final + head, batch 32",
}

func main() {
	reps := flag.Int("reps", 3, "interleaved repetitions per workload")
	iters := flag.Int("iters", 10, "timed iterations per run (after the first step and one warm-up)")
	only := flag.String("workloads", "W6a,W6b,W6c,W7a,W7b,W7c,W8", "comma-separated workloads (W1a..W7c per step, W8 the recipe)")
	torch2 := flag.String("torch2", ".tlx/bench-torch/bin/python", "python of PyPI's PyTorch 2.x (bench/torch-env.sh); empty: skip")
	torch1 := flag.String("torch1", "/usr/bin/python3", "python of Debian's PyTorch 1.13; empty: skip")
	ortLib := flag.String("ort", "", "libonnxruntime.so.1 for the onnx:cpu backend")
	backends := flag.String("backends", "go,onnx:cpu,xla:cpu", "tlx backends (GOMLX_BACKEND values)")
	recipeBackends := flag.String("recipe-backends", "xla:cpu", "tlx backends that run the W8 recipe")
	n := flag.Int("n", 2000, "W8: training images")
	nTest := flag.Int("test", 1000, "W8: test images")
	epochs := flag.String("epochs", "3,2,2", "W8: epochs of the stages head,top,all")
	out := flag.String("out", "", "append the results to this Markdown file")
	partial := flag.String("partial", "", "rewrite this file with the tables so far after each workload")
	tlxBin := flag.String("tlx", "", "tlxbench binary (built by run.sh)")
	flag.Parse()
	if *tlxBin == "" {
		fmt.Fprintln(os.Stderr, "compare: -tlx (the tlxbench binary) is required")
		os.Exit(2)
	}
	recipeArgs := []string{"-n", strconv.Itoa(*n), "-test", strconv.Itoa(*nTest), "-epochs", *epochs}
	var initPath string // W8's shared start weights, made by PyTorch 2.x below
	startWeights := "each side's own random initialisers"
	if _, err := os.Stat(*torch2); err == nil && strings.Contains(","+*only+",", ",W8,") {
		if initPath, err = recipeInit(*torch2); err != nil {
			fmt.Fprintln(os.Stderr, "compare:", err)
			os.Exit(1)
		}
		startWeights = "both sides from the same random start weights, torchvision's initialisers under seed 1"
		recipeArgs = append(recipeArgs, "-init", initPath)
	}
	var torchSides, tlxSides []side
	for _, py := range []struct{ name, bin string }{{"PyTorch 2.x", *torch2}, {"PyTorch 1.13", *torch1}} {
		if py.bin == "" {
			continue
		}
		if _, err := os.Stat(py.bin); err != nil {
			fmt.Fprintf(os.Stderr, "compare: skipping %s: %v (bench/torch-env.sh makes .tlx/bench-torch)\n", py.name, err)
			continue
		}
		bin, recipe := py.bin, py.name == "PyTorch 2.x"
		torchSides = append(torchSides, side{name: py.name, env: func(string) []string { return nil },
			args: func(w string) []string {
				switch {
				case w == "W8" && recipe:
					args := []string{bin, "bench/torch_recipe.py", "--n", strconv.Itoa(*n), "--test", strconv.Itoa(*nTest), "--epochs", *epochs}
					if initPath != "" {
						args = append(args, "--init", initPath)
					}
					return args
				case w == "W8" || w == "W4" || w == "W5":
					return nil
				}
				return []string{bin, "bench/torch_bench.py", w, strconv.Itoa(*iters)}
			}})
	}
	for _, b := range strings.Split(*backends, ",") {
		tlxSides = append(tlxSides, side{name: "tlx " + b,
			args: func(w string) []string {
				switch {
				case w == "W8" && !strings.Contains(","+*recipeBackends+",", ","+b+","):
					return nil
				case w == "W8":
					return append([]string{*tlxBin, "-workload", w}, recipeArgs...)
				case w == "W4" && b != "go", w == "W5" && b == "xla:cpu":
					return nil
				}
				return []string{*tlxBin, "-workload", w, "-iters", strconv.Itoa(*iters)}
			},
			env: func(w string) []string {
				var env []string
				if *ortLib != "" {
					env = append(env, "ONNXRUNTIME_SHARED_LIBRARY_PATH="+*ortLib)
				}
				switch {
				case w == "W5" && b == "go": // the Go backend computes its own prefix
					return append(env, "GOMLX_BACKEND=go", "TLX_PREFIX_BACKEND=same")
				case w == "W5": // the Go backend trains, ORT computes the prefix
					return append(env, "GOMLX_BACKEND=go", "TLX_PREFIX_BACKEND="+b)
				}
				return append(env, "GOMLX_BACKEND="+b)
			}})
	}
	sides := append(torchSides, tlxSides...)

	start := time.Now().UTC()
	load0 := loadAverage()
	runs := map[string][][]result{} // workload → side → repetitions
	var order []string
	report := func() string {
		return header(start, *reps, *iters, load0, loadAverage(), sides, runs) +
			stepTable(order, sides, len(torchSides), runs) +
			recipeTable(order, sides, runs, *n, *nTest, *epochs, startWeights)
	}
	for _, w := range strings.Split(*only, ",") {
		runs[w] = make([][]result, len(sides))
		order = append(order, w)
		for rep := range *reps {
			for i, s := range sides {
				args := s.args(w)
				if args == nil {
					continue
				}
				r := measure(args, s.env(w))
				if want, ok := strings.CutPrefix(s.name, "tlx "); ok && r.Err == nil && w != "W5" && fellBack(want, r.Backend) {
					r.Err = fmt.Errorf("asked for backend %s, ran on %q (engine fell back)", want, r.Backend)
				}
				if r.Err != nil {
					fmt.Fprintf(os.Stderr, "compare: %s on %s, repetition %d: %v\n", w, s.name, rep+1, r.Err)
				}
				runs[w][i] = append(runs[w][i], r)
			}
		}
		if *partial != "" { // the tables so far, for a run cut short
			if err := os.WriteFile(*partial, []byte(report()), 0o644); err != nil {
				fmt.Fprintf(os.Stderr, "compare: %v\n", err)
			}
		}
		fmt.Fprintf(os.Stderr, "%s done\n", w)
	}
	text := report()
	fmt.Print(text)
	if *out != "" {
		f, err := os.OpenFile(*out, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err == nil {
			_, err = f.WriteString(text)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "compare: appending to %s: %v\n", *out, err)
			os.Exit(1)
		}
	}
}

// recipeInit writes W8's start weights — torchvision's ResNet-18 with five
// classes under seed 1 — with PyTorch 2.x (python) into .tlx/bench and
// returns the file's path; both sides of the recipe load it.
func recipeInit(python string) (string, error) {
	dir := filepath.Join(".tlx", "bench")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("W8 start weights: %w", err)
	}
	path, err := filepath.Abs(filepath.Join(dir, "w8-resnet18-init.safetensors"))
	if err != nil {
		return "", err
	}
	out, err := exec.Command(python, "bench/torch_recipe.py", "--save-init", path).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("W8 start weights (%s bench/torch_recipe.py --save-init): %v\n%s", python, err, out)
	}
	return path, nil
}

// fellBack says whether a run asked for backend want (a GOMLX_BACKEND value)
// ran on another: tlx falls back to Go when a backend cannot start. The
// backends name themselves "Go Backend", "onnxruntime" and "xla".
func fellBack(want, got string) bool {
	return !strings.HasPrefix(strings.ToLower(got), strings.Split(want, ":")[0])
}
