// Command imagefolder measures the memory of training on a folder of
// real-size JPEGs (issue 15 item 4): it writes a reproducible folder of
// Fashion-MNIST images upscaled to 224×224 RGB JPEGs, then trains a tiny
// CNN for one epoch over it, reading the folder lazily
// (data.OpenImageFolder: compressed bytes in memory, decoded and augmented
// batch by batch) or eagerly (data.ImageFolder: every image as float32),
// and prints one Markdown table row with the process's maximum resident
// set size. bench/imagefolder.sh runs the comparison.
//
//	go run ./bench/imagefolder -gen /tmp/photos -n 10000
//	go run ./bench/imagefolder -dir /tmp/photos -mode lazy
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/fit"
	"github.com/tlx-go/tlx/tlx/net"
	"github.com/tlx-go/tlx/tlx/nn"
)

func main() {
	gen := flag.String("gen", "", "write a folder of JPEGs here (train/ and val/, 10% val) and exit")
	n := flag.Int("n", 10000, "with -gen: number of images")
	size := flag.Int("size", 224, "with -gen: image height and width")
	dir := flag.String("dir", "", "the folder to train on")
	mode := flag.String("mode", "lazy", "lazy (data.OpenImageFolder) or eager (data.ImageFolder)")
	epochs := flag.Int("epochs", 1, "epochs to train")
	flag.Parse()
	var err error
	switch {
	case *gen != "":
		err = generate(*gen, *n, *size)
	case *dir != "":
		err = run(*dir, *mode, *epochs)
	default:
		err = fmt.Errorf("give -gen DIR or -dir DIR")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "imagefolder:", err)
		os.Exit(1)
	}
}

// generate writes n Fashion-MNIST training images (a stratified seeded
// subset), grey repeated into RGB and resized bilinearly to size², as JPEG
// quality 90: the same bytes on every run.
func generate(dir string, n, size int) error {
	d, err := data.FashionMNIST("train")
	if err != nil {
		return err
	}
	train, val := d.Take(n, 1).ToRGB().Split(0.1, 1)
	start := time.Now()
	if err := data.WriteImageFolder(dir, map[string]*data.Dataset{"train": train, "val": val},
		data.FolderOptions{Height: size, Width: size}); err != nil {
		return err
	}
	var bytes int64
	filepath.Walk(dir, func(_ string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			bytes += info.Size()
		}
		return nil
	})
	fmt.Printf("wrote %d + %d images of %d² to %s in %.0fs (%.1f MB of files)\n", train.Len(), val.Len(), size, dir, time.Since(start).Seconds(), float64(bytes)/1e6)
	return nil
}

// tiny is a small CNN for 224² inputs: its compute is small next to the
// decoding, so the run measures the data path.
func tiny(shape []int, classes int) *net.Model {
	conv := func(filters, k, s int) net.Layer {
		return func(c *nn.Ctx, x *graph.Node) *graph.Node {
			return nn.ReLU(nn.Bias(c.In("conv"), nn.Conv2D(c.In("conv"), x, filters, k, s)))
		}
	}
	return net.New("tiny", shape...).
		Add("stem", conv(8, 3, 4)).
		Add("block", conv(16, 3, 2)).
		Add("pool", func(_ *nn.Ctx, x *graph.Node) *graph.Node { return nn.GlobalAvgPool(x) }).
		Add(net.HeadName, net.Classifier(classes))
}

func run(dir, mode string, epochs int) error {
	shape := []int{224, 224, 3}
	start := time.Now()
	var train, val *data.Dataset
	compressed := 0.0
	switch mode {
	case "lazy":
		f, err := data.OpenImageFolder(dir, data.ImageFolderOptions{Shape: shape, Progress: os.Stderr,
			Augment: data.ImageAugment{Crop: true, CropScale: [2]float64{0.35, 1}, Flip: true, Brightness: 0.2, Contrast: 0.2, Saturation: 0.2}})
		if err != nil {
			return err
		}
		train, val, compressed = f.Train, f.Val, float64(f.Bytes)/1e6
	case "eager":
		var err error
		if train, err = data.ImageFolder(filepath.Join(dir, "train"), 224, 224, 3); err != nil {
			return err
		}
		if val, err = data.ImageFolder(filepath.Join(dir, "val"), 224, 224, 3); err != nil {
			return err
		}
	default:
		return fmt.Errorf("mode %q: want lazy or eager", mode)
	}
	opened := time.Since(start)
	m := tiny(shape, len(train.Classes))
	start = time.Now()
	h, err := fit.Fit(m, train, fit.Config{Epochs: epochs, BatchSize: 32, LR: 1e-3, Seed: 1, Val: val, FeatureCache: fit.CacheOff})
	if err != nil {
		return err
	}
	trained := time.Since(start)
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	last := h.Last()
	fmt.Printf("| %s | %d + %d | %.1f | %.0f s | %.0f s (%.0f img/s) | %.3f | %.0f MB |\n", mode, train.Len(), val.Len(), compressed,
		opened.Seconds(), trained.Seconds(), float64(epochs*(train.Len()+val.Len()))/trained.Seconds(), last.ValAccuracy, float64(ru.Maxrss)/1024)
	return nil
}
