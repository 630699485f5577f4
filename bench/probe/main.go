package main

import (
	"runtime/pprof"
	"os"
	"fmt"
	"time"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/shapes"
	_ "github.com/gomlx/compute/gobackend"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/layers"
	"github.com/gomlx/gomlx/ml/layers/activation"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train"
	"github.com/gomlx/gomlx/ml/train/loss"
	"github.com/gomlx/gomlx/ml/train/optimizer"
)

// im2col convolution, stride 1, same padding.
func conv(x, k *graph.Node) *graph.Node {
	kh, kw, cin, cout := k.Shape().Dimensions[0], k.Shape().Dimensions[1], k.Shape().Dimensions[2], k.Shape().Dimensions[3]
	b, h, w := x.Shape().Dimensions[0], x.Shape().Dimensions[1], x.Shape().Dimensions[2]
	ph, pw := kh/2, kw/2
	xp := graph.Pad(x, graph.ScalarZero(x.Graph(), x.DType()), graph.PadAxis{}, graph.PadAxis{Start: ph, End: kh - 1 - ph}, graph.PadAxis{Start: pw, End: kw - 1 - pw}, graph.PadAxis{})
	var cols []*graph.Node
	for i := 0; i < kh; i++ {
		for j := 0; j < kw; j++ {
			cols = append(cols, graph.Slice(xp, graph.AxisRange(), graph.AxisRange(i, i+h), graph.AxisRange(j, j+w), graph.AxisRange()))
		}
	}
	patches := graph.Concatenate(cols, -1)
	patches = graph.Reshape(patches, b*h*w, kh*kw*cin)
	out := graph.MatMul(patches, graph.Reshape(k, kh*kw*cin, cout))
	return graph.Reshape(out, b, h, w, cout)
}

func pool2(x *graph.Node) *graph.Node {
	d := x.Shape().Dimensions
	return graph.ReduceMax(graph.Reshape(x, d[0], d[1]/2, 2, d[2]/2, 2, d[3]), 2, 4)
}

var useIm2col = os.Getenv("IM2COL") != ""

func main() {
	b, err := compute.NewWithConfig("go")
	if err != nil { panic(err) }
	store := model.NewStore()
	cnn := func(scope *model.Scope, x *graph.Node) *graph.Node {
		k1 := scope.At("c1").VariableWithShape("k", shapes.Make(x.DType(), 3, 3, 1, 32)).NodeValue(x.Graph())
		if useIm2col { x = conv(x, k1) } else { x = graph.Convolve(x, k1).PadSame().Done() }
		if useIm2col { x = pool2(activation.Relu(x)) } else { x = graph.MaxPool(activation.Relu(x)).Window(2).Done() }
		k2 := scope.At("c2").VariableWithShape("k", shapes.Make(x.DType(), 3, 3, 32, 64)).NodeValue(x.Graph())
		if useIm2col { x = conv(x, k2) } else { x = graph.Convolve(x, k2).PadSame().Done() }
		if useIm2col { x = pool2(activation.Relu(x)) } else { x = graph.MaxPool(activation.Relu(x)).Window(2).Done() }
		x = graph.Reshape(x, x.Shape().Dimensions[0], -1)
		x = activation.Relu(layers.DenseWithBias(scope.At("d1"), x, 128))
		return layers.DenseWithBias(scope.At("d2"), x, 10)
	}
	tr := train.NewTrainer(b, store, cnn, loss.SparseCategoricalCrossEntropyLogits, optimizer.Adam().Done(), nil, nil)
	xs := make([]float32, 64*28*28)
	for i := range xs { xs[i] = float32(i%17) / 17 }
	ys := make([]int32, 64)
	batch := func() train.Batch {
		return train.Batch{Inputs: []*tensors.Tensor{tensors.FromFlatDataAndDimensions(xs, 64, 28, 28, 1)}, Labels: []*tensors.Tensor{tensors.FromFlatDataAndDimensions(ys, 64, 1)}}
	}
	t := time.Now()
	if _, err := tr.TrainStep(batch()); err != nil { panic(err) }
	fmt.Println("first step (compile):", time.Since(t))
	if p := os.Getenv("PROF"); p != "" {
		f, _ := os.Create(p)
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	t = time.Now()
	n := 10
	for range n { if _, err := tr.TrainStep(batch()); err != nil { panic(err) } }
	el := time.Since(t)
	fmt.Printf("train: %.1f img/s\n", float64(n*64)/el.Seconds())
	fwd, _ := model.NewExec(b, store, func(scope *model.Scope, x *graph.Node) *graph.Node { store.SetTraining(x.Graph(), true); return cnn(scope, x) })
	fwd.MustCall1(tensors.FromFlatDataAndDimensions(xs, 64, 28, 28, 1))
	t = time.Now()
	for range n { fwd.MustCall1(tensors.FromFlatDataAndDimensions(xs, 64, 28, 28, 1)) }
	fmt.Printf("forward: %.1f img/s\n", float64(n*64)/time.Since(t).Seconds())
}
