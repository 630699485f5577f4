package main

import (
	"math"
	"testing"
)

// The counts against torchvision's model cards (1000 classes there, 10
// here: the classifier differs by under 0.01 GFLOP): ResNet-18 1.81 and
// MobileNetV2 0.30 giga multiply-adds at 224×224.
func TestGFLOPsMatchTorchvision(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"resnet18", resnetGFLOPs(224), 2 * 1.81},
		{"mobilenet_v2", mobileNetV2GFLOPs(224), 2 * 0.30},
	} {
		if math.Abs(c.got-c.want)/c.want > 0.02 {
			t.Errorf("%s at 224²: %.3f GFLOP, torchvision says %.3f (2 × its GMACs)", c.name, c.got, c.want)
		}
	}
}
