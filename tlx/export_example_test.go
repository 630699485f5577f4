package tlx_test

import (
	"fmt"
	"image"
	"image/color"
	"log"
	"os"
	"path/filepath"

	"github.com/tlx-go/tlx/tlx"
	"github.com/tlx-go/tlx/tlx/arch"
	"github.com/tlx-go/tlx/tlx/net"
)

// A model leaves tlx as an ONNX file and a serving program predicts with
// it: tlx.Load reads the class names and preprocessing back from the
// file, and tlx.Predict applies them to an image of any size.
func ExampleExport() {
	dir, err := os.MkdirTemp("", "tlx-export-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	// The notebook's side: a (fine-tuned) model with its class names.
	m := arch.CNN("shapes", 3, true, 16, 16, 1)
	m.Classes = []string{"circle", "square", "triangle"}
	m.Preprocessing = net.Preprocessing{Channels: 1, Mean: []float64{0.5}, Std: []float64{0.25}, Source: "shapes data set"}
	path := filepath.Join(dir, "shapes.onnx")
	if err := tlx.Export(m, path); err != nil {
		log.Fatal(err)
	}

	// The serving program's side: only the file.
	served, err := tlx.Load(path)
	if err != nil {
		log.Fatal(err)
	}
	img := image.NewGray(image.Rect(0, 0, 40, 40)) // resized to 16×16 by the preprocessing
	for y := 10; y < 30; y++ {
		for x := 10; x < 30; x++ {
			img.SetGray(x, y, color.Gray{Y: 255})
		}
	}
	p, err := tlx.Predict(served, img, 3)
	if err != nil {
		log.Fatal(err)
	}
	sum := 0.0
	for _, q := range p[0].Probs {
		sum += q
	}
	fmt.Println(served.Name, served.InputShape, served.Classes)
	fmt.Println(served.Preprocessing)
	fmt.Printf("%d image: %d classes ranked, probabilities summing to %.3f\n", len(p), len(p[0].Classes), sum)
	// Output:
	// shapes [16 16 1] [circle square triangle]
	// gray, (x/255 - 0.5) / 0.25
	// 1 image: 3 classes ranked, probabilities summing to 1.000
}
