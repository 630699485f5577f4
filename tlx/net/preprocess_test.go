package net

import (
	"math"
	"testing"
)

func TestPreprocessingApply(t *testing.T) {
	for _, tc := range []struct {
		name  string
		p     Preprocessing
		c     int
		pixel uint8
		want  float64
	}{
		{"unit", Unit, 0, 255, 1},
		{"symmetric low", SymmetricUnit, 2, 0, -1},
		{"symmetric high", SymmetricUnit, 1, 255, 1},
		{"imagenet green", ImageNet, 1, 128, (128.0/255 - 0.456) / 0.224},
	} {
		if got := tc.p.Apply(tc.c, tc.pixel); math.Abs(float64(got)-tc.want) > 1e-6 {
			t.Errorf("%s: Apply(%d, %d) = %g, want %g", tc.name, tc.c, tc.pixel, got, tc.want)
		}
	}
}

func TestPreprocessingValidate(t *testing.T) {
	if err := ImageNet.Validate(3); err != nil {
		t.Errorf("ImageNet on 3 channels: %v", err)
	}
	if err := ImageNet.Validate(1); err == nil {
		t.Error("ImageNet on 1 channel: no error")
	}
	if err := (Preprocessing{Mean: []float64{0, 0}}).Validate(3); err == nil {
		t.Error("2 means for 3 channels: no error")
	}
	if err := (Preprocessing{Std: []float64{0}}).Validate(1); err == nil {
		t.Error("std 0: no error")
	}
	if got := SymmetricUnit.String(); got != "RGB, (x/255 - 0.5) / 0.5" {
		t.Errorf("String() = %q", got)
	}
}
