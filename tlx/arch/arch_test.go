package arch

import (
	"slices"
	"testing"

	"github.com/tlx-go/tlx/tlx/net"
)

func TestArchitecturesGroupsAndShapes(t *testing.T) {
	for _, tc := range []struct {
		model     *net.Model
		groups    []string
		features  []int // output of the feature group, batch 2
		minParams int
	}{
		{MLP("mlp", []int{64, 32}, 10, 8, 8, 1), []string{"dense1", "dense2", "head"}, []int{2, 32}, 64*64 + 64*32 + 32*10},
		{CNN("cnn", 10, false, 28, 28, 1), []string{"block1", "block2", "dense", "head"}, []int{2, 128}, 7 * 7 * 64 * 128},
		{ResNet(ResNetConfig{Depth: 18, Width: 8, Classes: 5, SmallInput: true}, 16, 16, 3),
			[]string{"stem", "layer1", "layer2", "layer3", "layer4", "head"}, []int{2, 2, 2, 64}, 10000},
		{ResNet(ResNetConfig{Depth: 18, Width: 8, Classes: 5}, 32, 32, 3),
			[]string{"stem", "layer1", "layer2", "layer3", "layer4", "head"}, []int{2, 1, 1, 64}, 10000},
		{MobileNetV2(MobileNetV2Config{Width: 0.35, Classes: 4, SmallInput: true}, 16, 16, 3),
			[]string{"stem", "block1", "block2", "block3", "block4", "block5", "block6", "block7", "final", "head"}, []int{2, 1, 1, 1280}, 100000},
	} {
		m := tc.model
		if got := m.GroupNames(); !slices.Equal(got, tc.groups) {
			t.Errorf("%s groups = %v, want %v", m.Name, got, tc.groups)
			continue
		}
		s, err := m.Summarize()
		if err != nil {
			t.Fatalf("%s: %v", m.Name, err)
		}
		feat := s.Groups[len(s.Groups)-2].OutputShape
		if !slices.Equal(feat, tc.features) {
			t.Errorf("%s feature shape %v, want %v", m.Name, feat, tc.features)
		}
		if s.Params < tc.minParams {
			t.Errorf("%s has %d params, want at least %d", m.Name, s.Params, tc.minParams)
		}
		head := s.Groups[len(s.Groups)-1].OutputShape
		if head[1] != map[string]int{"mlp": 10, "cnn": 10}[m.Name] && head[1] != 5 && head[1] != 4 {
			t.Errorf("%s head output %v", m.Name, head)
		}
	}
}
