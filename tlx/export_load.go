package tlx

import (
	"github.com/tlx-go/tlx/tlx/net"
	"github.com/tlx-go/tlx/tlx/onnxexport"
	"github.com/tlx-go/tlx/tlx/onnxnet"
)

// loadONNX is Load for an .onnx file. A file that tlx exported takes tlx's
// own input layout (no NCHW transposition) and gives back the model's
// name, class names and preprocessing from its metadata.
func loadONNX(path string, o LoadOptions) (*net.Model, error) {
	// A file that does not parse is onnxnet.Load's to report.
	md, _ := onnxexport.ReadMetadata(path)
	opts := onnxnet.Options{Output: o.Output, InputShape: o.InputShape, ChannelsFirst: o.ChannelsFirst}
	if md.InputShape != nil {
		opts.ChannelsFirst = true
		if opts.InputShape == nil {
			opts.InputShape = md.InputShape
		}
	}
	m, err := onnxnet.Load(path, opts)
	if err != nil {
		return nil, err
	}
	if md.Model != "" {
		m.Name = md.Model
	}
	if len(md.Classes) > 0 {
		m.Classes = md.Classes
	}
	if md.Preprocessing != nil {
		m.Preprocessing = *md.Preprocessing
	}
	return m, nil
}
