package fit

import "testing"

// Outputs and the feature cache run 128 small examples at once, and fewer
// large ones, so a batch's input stays within 16 MB.
func TestOutputBatch(t *testing.T) {
	for _, c := range []struct{ size, want int }{
		{28 * 28, 128}, {64, 128}, {224 * 224 * 3, 27}, {299 * 299 * 3, 15}, {64 << 20, 1}, {0, 128},
	} {
		if got := outputBatch(c.size); got != c.want {
			t.Errorf("outputBatch(%d) = %d, want %d", c.size, got, c.want)
		}
		if got := outputBatch(c.size); c.size > 0 && got > 1 && got*c.size > 4<<20 {
			t.Errorf("outputBatch(%d) = %d: %d values per batch", c.size, got, got*c.size)
		}
	}
}
