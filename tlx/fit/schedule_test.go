package fit_test

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/tlx-go/tlx/tlx/fit"
)

// Schedules are values: named, comparable by name, kept as text in a
// saved plan and read back to the same multipliers.
func TestScheduleNamesAndText(t *testing.T) {
	var zero fit.Schedule
	if zero.Name() != "constant" || zero.At(3, 10) != 1 {
		t.Errorf("zero schedule: %s, multiplier %g: want constant, 1", zero.Name(), zero.At(3, 10))
	}
	for _, s := range []fit.Schedule{fit.Constant(), fit.Cosine(0.1), fit.Cosine(0.3), fit.OneCycle()} {
		b, err := json.Marshal(fit.Stage{Name: "x", Schedule: s})
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		var back fit.Stage
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("%s: %s: %v", s, b, err)
		}
		if back.Schedule.Name() != s.Name() {
			t.Errorf("%s came back as %s", s, back.Schedule)
		}
		for step := range 50 {
			if a, b := s.At(step, 50), back.Schedule.At(step, 50); a != b {
				t.Fatalf("%s at step %d: %g, read back %g", s, step, a, b)
			}
		}
	}
	if fit.Cosine(0.1).Name() != "cosine" || fit.Cosine(0.3).Name() != "cosine(0.3)" || fit.OneCycle().Name() != "onecycle" {
		t.Errorf("names: %s %s %s", fit.Cosine(0.1), fit.Cosine(0.3), fit.OneCycle())
	}
	if _, err := fit.ParseSchedule("one-cycle"); err == nil || !strings.Contains(err.Error(), "onecycle") {
		t.Errorf("unknown schedule name: err = %v, want one listing the names", err)
	}
	half, err := fit.NewSchedule("half", func(int, int) float64 { return 0.5 })
	if err != nil || half.At(0, 1) != 0.5 {
		t.Fatalf("NewSchedule: %v %g", err, half.At(0, 1))
	}
	if _, err := json.Marshal(fit.Stage{Schedule: half}); err == nil {
		t.Error("a custom schedule saved as text: want an error (it cannot be read back)")
	}
	if _, err := fit.NewSchedule("onecycle", func(int, int) float64 { return 1 }); err == nil {
		t.Error("NewSchedule took a built-in's name")
	}
	if s := (fit.Stage{Name: "all", Epochs: 1, LR: 1e-3, Schedule: fit.OneCycle()}).String(); !strings.Contains(s, "onecycle schedule") {
		t.Errorf("stage text %q does not name its schedule", s)
	}
	if v := fit.Cosine(0).At(0, 10); math.Abs(v-1) > 1e-12 {
		t.Errorf("cosine without warm-up starts at %g, want 1", v)
	}
}

func TestOptimizerKinds(t *testing.T) {
	for _, c := range []struct {
		o    fit.Optimizer
		want string
	}{{fit.Optimizer{}, "adam"}, {fit.Adam(), "adam"}, {fit.AdamW(0.1), "adamw"}, {fit.SGD(0.9), "sgd"}} {
		if got := c.o.Kind.String(); got != c.want {
			t.Errorf("%+v: kind %s, want %s", c.o, got, c.want)
		}
	}
}
