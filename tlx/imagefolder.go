package tlx

import (
	"os"

	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/net"
)

// OpenImageFolder opens a folder of photos for model m (see
// data.OpenImageFolder: train/, val/ and test/ sub-folders of class
// folders, kept compressed and decoded batch by batch): each image becomes
// one of m's inputs, at m's input size, with m's preprocessing and channel
// order, so that it matches what Predict gives m for the same file. The
// options' Shape, Preprocess and BGR are set from m; a progress bar goes to
// standard output unless opts.Progress or opts.OnProgress is set.
//
//	m := tlx.Must1(tlx.Pretrained("mobilenetv2-imagenet-nsfwjs"))
//	f := tlx.Must1(tlx.OpenImageFolder("photos", m, data.ImageFolderOptions{
//		Augment: data.ImageAugment{Crop: true, Flip: true, Brightness: 0.2, Contrast: 0.2, Saturation: 0.2}}))
//	tlx.Must(m.ReplaceHead(len(f.Classes)))
//	l := tlx.Must1(tlx.NewLearner("photos", m, f.Train, f.Val, fit.Config{Seed: 1}))
func OpenImageFolder(dir string, m *net.Model, opts data.ImageFolderOptions) (*data.Folder, error) {
	opts.Shape, opts.Preprocess, opts.BGR = m.InputShape, m.Preprocessing, m.Preprocessing.BGR
	if opts.Progress == nil && opts.OnProgress == nil {
		opts.Progress = os.Stdout
	}
	return data.OpenImageFolder(dir, opts)
}
