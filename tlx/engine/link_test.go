package engine_test

import (
	"testing"

	"google.golang.org/protobuf/reflect/protoregistry"

	_ "github.com/tlx-go/tlx/tlx/onnxnet" // onnx-gomlx, next to compute-onnx (linked by engine)
)

// compute-onnx (the ONNX Runtime backend) and onnx-gomlx (ONNX import) are
// linked into every program. On older versions both registered
// onnx-ml.proto and the program panicked at start; a test binary that gets
// here links both, and the file is registered once, under one package.
func TestONNXProtosRegisteredOnce(t *testing.T) {
	fd, err := protoregistry.GlobalFiles.FindFileByPath("onnx-ml.proto")
	if err != nil {
		t.Fatalf("onnx-ml.proto is not registered: %v", err)
	}
	if got := protoregistry.GlobalFiles.NumFilesByPackage(fd.Package()); got < 1 {
		t.Errorf("package %s: %d files", fd.Package(), got)
	}
	t.Logf("onnx-ml.proto registered once, package %s", fd.Package())
}
