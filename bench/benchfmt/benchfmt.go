// Package benchfmt is the JSON line each benchmark side prints
// (bench/tlxbench, bench/torch_bench.py) and bench/compare reads.
package benchfmt

// Result is one side's measurement of one workload.
type Result struct {
	Side      string  `json:"side"` // "tlx" or "pytorch"
	Workload  string  `json:"workload"`
	Backend   string  `json:"backend"`
	ImgPerS   float64 `json:"img_per_s"`    // median over the timed iterations
	FirstStep float64 `json:"first_step_s"` // compilation included
	PeakRSSMB float64 `json:"peak_rss_mb"`
	Extra     string  `json:"extra,omitempty"`
	// WallS and Accuracy are the end-to-end recipe's (W8): its wall time and
	// the final test accuracy.
	WallS    float64 `json:"wall_s,omitempty"`
	Accuracy float64 `json:"accuracy,omitempty"`
}
