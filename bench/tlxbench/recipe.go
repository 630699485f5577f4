package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/tlx-go/tlx/tlx/arch"
	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/fit"
)

// The W8 recipe, the same on both sides (bench/torch_recipe.py): the first
// n training images of Fashion-MNIST classes 5..9 (sandal, shirt, sneaker,
// bag, ankle boot) in file order, relabelled 0..4; the first nTest such
// images of the test file for the final accuracy. Each image is resized
// bilinearly (align-corners off) to 224×224, mapped to [-1, 1] and repeated
// over three channels. Model: ResNet-18 in torchvision's layout, five
// classes, random weights: with -init, the very weights PyTorch starts from
// (torchvision's initialisers under seed 1, saved by torch_recipe.py
// --save-init), so both sides train the same network from the same point.
// Adam, batch 32, constant rates, a fresh optimizer
// per stage:
//
//	head: the head alone, backbone frozen (BatchNorm on its averages), LR 1e-3
//	top:  layer4 and the head, rates 1e-4 (layer4) and 1e-3 (head)
//	all:  every group, rates geometric from 1e-4 (stem) to 1e-3 (head)
//
// Stage epochs come from -epochs (default 3,2,2).
var recipeClasses = []int{5, 6, 7, 8, 9}

// recipeData returns the recipe's train and test images at 224×224×3.
func recipeData(n, nTest int) (train, test *data.Dataset, err error) {
	prep := func(split string, n int) (*data.Dataset, error) {
		d, err := data.FashionMNIST(split)
		if err != nil {
			return nil, err
		}
		if d, err = d.KeepClasses(recipeClasses...); err != nil { // keeps file order
			return nil, err
		}
		if n > d.Len() {
			return nil, fmt.Errorf("recipe: %d %s images asked, fashion-mnist/%s has %d of classes 5..9", n, split, split, d.Len())
		}
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		return d.Subset(idx).Resize(224, 224).Normalize([]float64{0.5}, []float64{0.5}).ToRGB(), nil
	}
	if train, err = prep("train", n); err != nil {
		return nil, nil, err
	}
	if test, err = prep("test", nTest); err != nil {
		return nil, nil, err
	}
	return train, test, nil
}

// parseEpochs reads "3,2,2" into the three stages' epochs.
func parseEpochs(s string) ([3]int, error) {
	var e [3]int
	parts := strings.Split(s, ",")
	if len(parts) != 3 {
		return e, fmt.Errorf("-epochs %q: want three counts, head,top,all", s)
	}
	for i, p := range parts {
		v, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || v <= 0 {
			return e, fmt.Errorf("-epochs %q: %q is not a positive count", s, p)
		}
		e[i] = v
	}
	return e, nil
}

// recipe runs the 3-stage recipe on this process's backend with the
// feature cache on (cold: a fresh cache folder) and returns its wall time
// (data preparation included, the final evaluation not) and the test
// accuracy. Extra breaks the time down by stage. A non-empty init names the
// start weights (safetensors in torchvision's names and layouts).
func recipe(n, nTest int, epochsFlag, init string) (result, error) {
	epochs, err := parseEpochs(epochsFlag)
	if err != nil {
		return result{}, err
	}
	dir, err := os.MkdirTemp("", "tlxbench-recipe-")
	if err != nil {
		return result{}, err
	}
	defer os.RemoveAll(dir)
	start := time.Now()
	train, test, err := recipeData(n, nTest)
	if err != nil {
		return result{}, err
	}
	prep := time.Since(start).Seconds()
	m := arch.ResNet(arch.ResNetConfig{Depth: 18, Width: 64, Classes: len(recipeClasses)}, 224, 224, 3)
	if init != "" {
		if err := arch.LoadTorchvisionResNet(m, init); err != nil {
			return result{}, fmt.Errorf("recipe: start weights: %w", err)
		}
	}
	plan := fit.Plan{
		{Name: "head", TrainLast: 1, Epochs: epochs[0], LR: 1e-3},
		{Name: "top", Train: []string{"layer4", "head"}, Epochs: epochs[1], LR: 1e-3, LRLow: 1e-4},
		{Name: "all", Epochs: epochs[2], LR: 1e-3, LRLow: 1e-4},
	}
	cfg := fit.Config{BatchSize: 32, Seed: 1, CacheDir: dir}
	var stages []string
	var cached int
	_, err = fit.RunPlan(plan, cfg, func(i int, s fit.Stage, cfg fit.Config) (*fit.History, error) {
		t := time.Now()
		h, err := fit.RunStage(m, train, s, cfg)
		stages = append(stages, fmt.Sprintf("%s %.0fs", s.Name, time.Since(t).Seconds()))
		if h != nil {
			for _, e := range h.Epochs {
				if e.Cached {
					cached++
				}
			}
		}
		return h, err
	})
	if err != nil {
		return result{}, fmt.Errorf("recipe: %w", err)
	}
	wall := time.Since(start).Seconds()
	scores, err := fit.Evaluate(m, test)
	if err != nil {
		return result{}, fmt.Errorf("recipe: evaluating on %d test images: %w", test.Len(), err)
	}
	return result{WallS: wall, Accuracy: scores.Accuracy,
		Extra: fmt.Sprintf("data %.0fs, %s; %d of %d epochs on cached features", prep, strings.Join(stages, ", "), cached, epochs[0]+epochs[1]+epochs[2])}, nil
}
