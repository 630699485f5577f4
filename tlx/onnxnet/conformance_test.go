package onnxnet

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/gomlx/compute-onnx/support/protos"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/dtypes/bfloat16"
	"github.com/gomlx/compute/dtypes/float16"
	"github.com/gomlx/gomlx/core/tensors"
	"google.golang.org/protobuf/proto"
)

// suiteDir is where Debian's libonnx-testdata puts the ONNX backend tests.
const suiteDir = "/usr/share/libonnx-testdata/data"

// caseResult is one suite test's outcome.
type caseResult struct {
	suite, name string
	ops         []string
	err         error
}

// runCase runs one test directory's model on test_data_set_0.
func runCase(dir string) (ops []string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	data, err := os.ReadFile(filepath.Join(dir, "model.onnx"))
	if err != nil {
		return nil, err
	}
	var mp protos.ModelProto
	if err := proto.Unmarshal(data, &mp); err != nil {
		return nil, err
	}
	for _, n := range mp.GetGraph().GetNode() {
		if !slices.Contains(ops, n.OpType) {
			ops = append(ops, n.OpType)
		}
	}
	set := filepath.Join(dir, "test_data_set_0")
	var inputs, want []*tensors.Tensor
	for i := 0; ; i++ {
		t, err := ReadTensor(filepath.Join(set, fmt.Sprintf("input_%d.pb", i)))
		if os.IsNotExist(err) {
			break
		} else if err != nil {
			return ops, err
		}
		inputs = append(inputs, t)
	}
	for i := 0; ; i++ {
		t, err := ReadTensor(filepath.Join(set, fmt.Sprintf("output_%d.pb", i)))
		if os.IsNotExist(err) {
			break
		} else if err != nil {
			return ops, err
		}
		want = append(want, t)
	}
	got, err := evalBytes(data, dir, inputs)
	if err != nil {
		return ops, err
	}
	if len(got) != len(want) {
		return ops, fmt.Errorf("%d outputs, want %d", len(got), len(want))
	}
	for i := range want {
		if err := allClose(got[i], want[i]); err != nil {
			return ops, fmt.Errorf("output %d: %w", i, err)
		}
	}
	return ops, nil
}

// allClose compares like numpy.testing.assert_allclose(rtol=1e-3, atol=1e-5),
// exactly for integers and booleans.
func allClose(got, want *tensors.Tensor) error {
	if !slices.Equal(got.Shape().Dimensions, want.Shape().Dimensions) || got.DType() != want.DType() {
		return fmt.Errorf("shape %s, want %s", got.Shape(), want.Shape())
	}
	if !want.DType().IsFloat() {
		var a, b []byte
		got.ConstBytes(func(d []byte) { a = slices.Clone(d) })
		want.ConstBytes(func(d []byte) { b = slices.Clone(d) })
		if !slices.Equal(a, b) {
			return fmt.Errorf("values differ")
		}
		return nil
	}
	g := floats(got)
	w := floats(want)
	for i := range w {
		if math.IsNaN(w[i]) && math.IsNaN(g[i]) {
			continue
		}
		if math.IsInf(w[i], 0) && g[i] == w[i] {
			continue
		}
		if math.Abs(g[i]-w[i]) > 1e-5+1e-3*math.Abs(w[i]) {
			return fmt.Errorf("element %d is %g, want %g", i, g[i], w[i])
		}
	}
	return nil
}

func floats(t *tensors.Tensor) []float64 {
	var out []float64
	switch t.DType() {
	case dtypes.Float64:
		out = tensors.MustCopyFlatData[float64](t)
	case dtypes.Float16:
		for _, v := range tensors.MustCopyFlatData[float16.Float16](t) {
			out = append(out, float64(v.Float32()))
		}
	case dtypes.BFloat16:
		for _, v := range tensors.MustCopyFlatData[bfloat16.BFloat16](t) {
			out = append(out, float64(v.Float32()))
		}
	default:
		for _, v := range tensors.MustCopyFlatData[float32](t) {
			out = append(out, float64(v))
		}
	}
	return out
}

// The ONNX backend test suite through tlx's ONNX path: pass rates per
// folder are logged (and written to $TLX_CONFORMANCE_REPORT when set); the
// node tests of the CNN/transformer set (setOps) pass at >= setFloor, and
// each that fails is listed in knownFailures with its reason.
func TestConformance(t *testing.T) {
	if _, err := os.Stat(suiteDir); err != nil {
		t.Fatalf("ONNX test suite missing (apt-get install libonnx-testdata): %v", err)
	}
	var results []caseResult
	for _, suite := range []string{"node", "pytorch-converted", "pytorch-operator", "simple"} {
		entries, err := os.ReadDir(filepath.Join(suiteDir, suite))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			dir := filepath.Join(suiteDir, suite, e.Name())
			ops, err := runCase(dir)
			results = append(results, caseResult{suite: suite, name: e.Name(), ops: ops, err: err})
		}
	}
	report := setReport(results) + "\n## Every folder\n\n" + conformanceReport(results)
	t.Log("\n" + report)
	if path := os.Getenv("TLX_CONFORMANCE_REPORT"); path != "" {
		if err := os.WriteFile(path, []byte(report), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	passed := map[string]int{}
	for _, r := range results {
		if r.err == nil {
			passed[r.suite]++
		}
	}
	// Floors at the rates measured when the suite was last brought up
	// (docs/onnx-conformance.md): a drop is a regression.
	for suite, floor := range map[string]int{"node": 665, "pytorch-converted": 82, "pytorch-operator": 35, "simple": 7} {
		if passed[suite] < floor {
			t.Errorf("%s: %d tests pass, fewer than the %d recorded", suite, passed[suite], floor)
		}
	}
	setPassed, setTotal := 0, 0
	for _, r := range results {
		if r.suite == "node" && inSet(r.ops) {
			setTotal++
			if r.err == nil {
				setPassed++
			}
		}
	}
	t.Logf("CNN/transformer set: %d of %d node tests pass (%.1f%%)", setPassed, setTotal, 100*float64(setPassed)/float64(setTotal))
	if float64(setPassed) < setFloor*float64(setTotal) {
		t.Errorf("CNN/transformer set: %d of %d node tests pass, below %.0f%%", setPassed, setTotal, 100*setFloor)
	}
	for _, r := range results {
		if r.suite != "node" || !inSet(r.ops) {
			continue
		}
		if reason, known := knownFailures[r.name]; known {
			if r.err == nil {
				t.Errorf("%s now passes: remove it from knownFailures (%s)", r.name, reason)
			}
			continue
		}
		if r.err != nil {
			t.Errorf("%s/%s (%s) fails and is not in knownFailures: %s", r.suite, r.name, strings.Join(r.ops, ","), shortError(r.err))
		}
	}
}

// conformanceReport is the Markdown summary: pass rate per folder, the
// operators whose tests fail, and each failure.
func conformanceReport(results []caseResult) string {
	var b strings.Builder
	b.WriteString("| folder | passed | total | rate |\n|---|---|---|---|\n")
	suites := []string{}
	pass, total := map[string]int{}, map[string]int{}
	failedOps := map[string]int{}
	for _, r := range results {
		if !slices.Contains(suites, r.suite) {
			suites = append(suites, r.suite)
		}
		total[r.suite]++
		if r.err == nil {
			pass[r.suite]++
			continue
		}
		for _, op := range r.ops {
			failedOps[op]++
		}
	}
	for _, s := range suites {
		fmt.Fprintf(&b, "| %s | %d | %d | %.1f%% |\n", s, pass[s], total[s], 100*float64(pass[s])/float64(total[s]))
	}
	var ops []string
	for op := range failedOps {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	b.WriteString("\nOperators in failing tests (number of tests): ")
	for i, op := range ops {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s (%d)", op, failedOps[op])
	}
	b.WriteString("\n\nFailures:\n")
	for _, r := range results {
		if r.err != nil {
			msg := shortError(r.err)
			if len(msg) > 160 {
				msg = msg[:160] + "..."
			}
			fmt.Fprintf(&b, "- %s/%s [%s]: %s\n", r.suite, r.name, strings.Join(r.ops, ","), msg)
		}
	}
	return b.String()
}

// compilePrefix is GoMLX's wrapping of a panic while building a graph.
var compilePrefix = regexp.MustCompile(`^.*panicked: `)

// shortError is an error on one line without GoMLX's wrapping.
func shortError(err error) string {
	return compilePrefix.ReplaceAllString(strings.ReplaceAll(err.Error(), "\n", " "), "")
}
