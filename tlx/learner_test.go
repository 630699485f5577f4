package tlx

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/tlx-go/tlx/tlx/arch"
	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/fit"
	"github.com/tlx-go/tlx/tlx/net"
	"github.com/tlx-go/tlx/tlx/nn"
	"github.com/tlx-go/tlx/tlx/zoo"
)

// testZooModel is a zoo recipe small enough to train in a test: an MLP on
// the 8×8 digits. The child process of the learner test registers it too
// (it is the same test binary).
const testZooModel = "test-mlp-digits-learner"

func init() {
	zoo.Register(zoo.Recipe{
		Name:        testZooModel,
		Description: "tiny MLP on digits (test only)",
		Build:       func() *net.Model { return arch.MLP("mlp", []int{24}, 10, 8, 8, 1) },
		Data: func() (*data.Dataset, *data.Dataset, error) {
			d, err := data.Digits()
			if err != nil {
				return nil, nil, err
			}
			tr, va := d.Split(0.2, 3)
			return tr, va, nil
		},
		Plan: fit.Plan{{Name: "train", Epochs: 3, LR: 1e-2}},
		Seed: 3,
	})
}

// reopened is what the child process reports about the learner it opened.
type reopened struct {
	Predictions   Predictions
	WeightsHash   string
	Epochs        int
	Classes       []string
	Preprocessing net.Preprocessing
	Frozen        []bool
	ValFinger     string
	TrainExamples int
	Recipe        string
}

func describe(t *testing.T, l *Learner, png string) reopened {
	t.Helper()
	p, err := l.Predict(png)
	if err != nil {
		t.Fatal(err)
	}
	h, err := l.Model.WeightsHash()
	if err != nil {
		t.Fatal(err)
	}
	r := reopened{Predictions: p, WeightsHash: h, Epochs: len(l.History.Epochs), Classes: l.Model.Classes,
		Preprocessing: l.Model.Preprocessing, Recipe: l.Model.Recipe.String()}
	for _, g := range l.Model.Groups {
		r.Frozen = append(r.Frozen, g.Frozen)
	}
	if l.Val != nil {
		r.ValFinger = l.Val.Fingerprint()
	}
	if l.Train != nil {
		r.TrainExamples = l.Train.Len()
	}
	return r
}

// A learner made from a zoo model with a new head, fine-tuned, is opened
// again by name in a fresh process (this test binary run again): the model
// is rebuilt from its recipe with the same weights, classes,
// preprocessing, group settings, history and data, and predicts on a PNG
// file exactly as the process that trained it did, naming the true class.
func TestLearnerOutlivesItsProcess(t *testing.T) {
	if os.Getenv("TLX_LEARNER_CHILD") != "" {
		t.Skip("in the child process")
	}
	t.Setenv("TLX_CACHE", t.TempDir())
	t.Setenv("TLX_RUNS", t.TempDir())
	zoo.Progress = io.Discard
	d, err := data.Digits()
	if err != nil {
		t.Fatal(err)
	}
	d, err = d.KeepClasses(0, 1, 7)
	if err != nil {
		t.Fatal(err)
	}
	train, val := d.Split(0.25, 5)
	m, err := Pretrained(testZooModel)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Classes) != 10 || m.Recipe == nil || m.Recipe.Builder != zoo.Builder {
		t.Fatalf("zoo model: classes %v, recipe %v", m.Classes, m.Recipe)
	}
	if _, err := NewLearner("digits017", m, train, val); err == nil || !strings.Contains(err.Error(), "ReplaceHead(3)") {
		t.Errorf("a 10-class head for 3 classes: %v", err)
	}
	if err := m.ReplaceHead(len(train.Classes)); err != nil {
		t.Fatal(err)
	}
	l, err := NewLearner("digits017", m, train, val, fit.Config{Seed: 2, BatchSize: 32})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.FineTune(2, 1e-2); err != nil {
		t.Fatal(err)
	}
	if len(l.History.Stages) != 2 || !l.History.Epochs[0].Cached || len(l.History.Epochs) != 3 {
		t.Errorf("FineTune's history: stages %+v, epochs %d, first cached %v", l.History.Stages, len(l.History.Epochs), l.History.Epochs[0].Cached)
	}
	if err := l.Freeze("dense1"); err != nil {
		t.Fatal(err)
	}
	i := slices.Index(val.Y, 2) // the first 7 of the validation set
	png := filepath.Join(t.TempDir(), "seven.png")
	if err := data.SavePNG(png, val.Example(i), val.Shape); err != nil {
		t.Fatal(err)
	}
	want := describe(t, l, png)
	if got := want.Predictions[0].Class(); got != "7" {
		t.Errorf("the trained model calls a 7 %q (%v)", got, want.Predictions)
	}

	cmd := exec.Command(os.Args[0], "-test.run=^TestLearnerChild$", "-test.v")
	cmd.Env = append(os.Environ(), "TLX_LEARNER_CHILD="+png)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child process: %v\n%s", err, out)
	}
	_, js, ok := strings.Cut(string(out), "REOPENED ")
	if !ok {
		t.Fatalf("child process printed no result:\n%s", out)
	}
	var got reopened
	if err := json.Unmarshal([]byte(strings.SplitN(js, "\n", 2)[0]), &got); err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(want)
	b, _ := json.Marshal(got)
	if string(a) != string(b) {
		t.Errorf("the reopened learner differs:\n  trained: %s\n reopened: %s", a, b)
	}

	// Exported, the model keeps its class names: Load reads them back.
	onnx := filepath.Join(t.TempDir(), "digits017.onnx")
	if err := l.Export(onnx); err != nil {
		t.Fatal(err)
	}
	back, err := Load(onnx)
	if err != nil {
		t.Fatal(err)
	}
	if p, err := Predict(back, png, 3); err != nil || p[0].Class() != "7" || !slices.Equal(back.Classes, train.Classes) {
		t.Errorf("the exported model: classes %v, predicts %v (%v)", back.Classes, p, err)
	}
}

// TestLearnerChild is the fresh process of TestLearnerOutlivesItsProcess.
func TestLearnerChild(t *testing.T) {
	png := os.Getenv("TLX_LEARNER_CHILD")
	if png == "" {
		t.Skip("run by TestLearnerOutlivesItsProcess")
	}
	zoo.Progress = io.Discard
	l, err := OpenLearner("digits017")
	if err != nil {
		t.Fatal(err)
	}
	js, err := json.Marshal(describe(t, l, png))
	if err != nil {
		t.Fatal(err)
	}
	os.Stdout.WriteString("REOPENED " + string(js) + "\n")
}

// A model assembled by hand cannot be rebuilt: OpenLearner says so and
// names OpenLearnerWith, which reopens onto the model built again.
func TestOpenLearnerOfHandBuiltModel(t *testing.T) {
	t.Setenv("TLX_RUNS", t.TempDir())
	build := func() *net.Model {
		return net.New("hand", 8, 8, 1).
			Add("body", func(c *nn.Ctx, x *graph.Node) *graph.Node { return nn.ReLU(nn.Dense(c, nn.Flatten(x), 6)) }).
			Add(net.HeadName, net.Classifier(10))
	}
	d, err := data.Digits()
	if err != nil {
		t.Fatal(err)
	}
	train, val := d.Take(200, 1).Split(0.5, 1)
	l, err := NewLearner("hand", build(), train, val)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := OpenLearner("hand"); err == nil || !strings.Contains(err.Error(), "OpenLearnerWith") {
		t.Errorf("OpenLearner of a hand-built model: %v", err)
	}
	again, err := OpenLearnerWith("hand", build())
	if err != nil {
		t.Fatal(err)
	}
	h1, _ := l.Model.WeightsHash()
	h2, _ := again.Model.WeightsHash()
	if h1 != h2 || !slices.Equal(again.Model.Classes, train.Classes) || again.Val.Fingerprint() != val.Fingerprint() {
		t.Errorf("reopened: weights %s vs %s, classes %v", h1[:12], h2[:12], again.Model.Classes)
	}
	other := net.New("other", 8, 8, 1).Add(net.HeadName, net.Classifier(10))
	if _, err := OpenLearnerWith("hand", other); err == nil || !strings.Contains(err.Error(), "groups") {
		t.Errorf("a model of other groups: %v", err)
	}
	if _, err := OpenLearner("nothing-here"); err == nil || !strings.Contains(err.Error(), "NewLearner") {
		t.Errorf("no learner: %v", err)
	}
}

// MostConfused ranks the off-diagonal counts.
func TestMostConfused(t *testing.T) {
	got := MostConfused([][]int{{5, 1, 3}, {0, 7, 2}, {4, 0, 9}}, []string{"a", "b", "c"}, 2)
	if len(got) != 2 || got[0] != (Confused{"c", "a", 4}) || got[1] != (Confused{"a", "c", 3}) {
		t.Errorf("most confused: %v", got)
	}
}

// A learner's seed draws the new head of an initialised (pretrained-like)
// model: two seeds give two heads, the same seed the same head, and the
// body the model already held is untouched.
func TestNewLearnerSeedDrawsTheHead(t *testing.T) {
	t.Setenv("TLX_RUNS", t.TempDir())
	d, err := data.Digits()
	if err != nil {
		t.Fatal(err)
	}
	train, val := d.Take(100, 1).Split(0.5, 1)
	heads := map[uint64]string{}
	var body string
	for _, seed := range []uint64{1, 2, 1} {
		m := arch.MLP("mlp", []int{12}, 10, 8, 8, 1)
		if _, err := m.Init(); err != nil {
			t.Fatal(err)
		}
		if err := m.ReplaceHead(len(train.Classes)); err != nil {
			t.Fatal(err)
		}
		l, err := NewLearner("seeded", m, train, val, fit.Config{Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		vals, err := l.Model.Values()
		if err != nil {
			t.Fatal(err)
		}
		var head, rest []string
		for path, v := range vals {
			entry := path + fmt.Sprint(v)
			if strings.HasPrefix(path, "/"+net.HeadName+"/") {
				head = append(head, entry)
			} else {
				rest = append(rest, entry)
			}
		}
		slices.Sort(head)
		slices.Sort(rest)
		if len(head) == 0 || len(rest) == 0 {
			t.Fatalf("seed %d: head %d variables, body %d", seed, len(head), len(rest))
		}
		h, b := strings.Join(head, ";"), strings.Join(rest, ";")
		if prev, ok := heads[seed]; ok && prev != h {
			t.Errorf("seed %d drew two different heads", seed)
		}
		heads[seed] = h
		if body == "" {
			body = b
		} else if body != b {
			t.Errorf("seed %d changed the weights the model already held", seed)
		}
	}
	if heads[1] == heads[2] {
		t.Error("seeds 1 and 2 drew the same head")
	}
}
