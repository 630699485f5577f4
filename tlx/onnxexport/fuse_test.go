package onnxexport_test

import (
	"os"
	"testing"

	"github.com/gomlx/compute-onnx/support/protos"
	"google.golang.org/protobuf/proto"

	"github.com/tlx-go/tlx/tlx/arch"
	"github.com/tlx-go/tlx/tlx/onnxexport"
)

// opCounts counts an ONNX file's nodes by operator.
func opCounts(t *testing.T, path string) map[string]int {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var mp protos.ModelProto
	if err := proto.Unmarshal(data, &mp); err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, n := range mp.Graph.Node {
		counts[n.OpType]++
	}
	return counts
}

// tlx's im2col convolutions become ONNX Conv: ResNet-18 has a 7×7 stem
// and 16 3×3 convolutions; its three 1×1 shortcuts and the head stay
// matrix products.
func TestConvolutionsFused(t *testing.T) {
	if os.Getenv("TLX_EXPORT_RESNET") != "" {
		m := arch.ResNet(arch.ResNetConfig{Depth: 18, Width: 64, Classes: 10}, 64, 64, 3)
		if _, err := onnxexport.Export(m, os.Getenv("TLX_EXPORT_RESNET"), onnxexport.Options{}); err != nil {
			t.Fatal(err)
		}
	}
	m := arch.ResNet(arch.ResNetConfig{Depth: 18, Width: 4, Classes: 5}, 32, 32, 3)
	path := checkInORT(t, m, 1e-5, 2)
	counts := opCounts(t, path)
	t.Logf("operators: %v", counts)
	if counts["Conv"] != 17 || counts["MatMul"] != 4 {
		t.Errorf("%d Conv, %d MatMul; want 17 and 4", counts["Conv"], counts["MatMul"])
	}
	// ReLU's zeros are not broadcast to the batch: no shape is computed.
	if counts["Shape"] != 0 || counts["Expand"] != 0 {
		t.Errorf("%d Shape and %d Expand nodes; want none", counts["Shape"], counts["Expand"])
	}
}

// tlx's depthwise convolutions become grouped ONNX Conv: MobileNetV2 has a
// 3×3 stem and one 3×3 depthwise convolution in each of its 17 blocks; no
// tap of them is left as a Slice.
func TestDepthwiseFused(t *testing.T) {
	m := arch.MobileNetV2(arch.MobileNetV2Config{Width: 0.25, Classes: 4, SmallInput: true}, 16, 16, 3)
	path := checkInORT(t, m, 1e-4, 2)
	counts := opCounts(t, path)
	t.Logf("operators: %v", counts)
	if counts["Conv"] != 18 || counts["Slice"] != 0 {
		t.Errorf("%d Conv, %d Slice; want 18 and 0", counts["Conv"], counts["Slice"])
	}
}
