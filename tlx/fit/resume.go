package fit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/net"
	"github.com/tlx-go/tlx/tlx/safetensors"
)

// resumeFormat versions the training-state file and its key.
const resumeFormat = "tlx-resume-v1"

// ResumePath is the training-state file kept next to a checkpoint:
// "ckpt.safetensors" → "ckpt.resume.safetensors". It holds every variable
// of the model's store (weights, BatchNorm statistics, optimizer moments and
// step, the graph RNG's state) and the loop's position; see Config.Checkpoint.
func ResumePath(checkpoint string) string {
	ext := filepath.Ext(checkpoint)
	return strings.TrimSuffix(checkpoint, ext) + ".resume" + ext
}

// position is where the loop stands: epochs finished, steps of the next
// epoch finished, and that epoch's order and running sums once drawn.
type position struct {
	epoch, step      int
	order            []int
	lossSum, correct float64
	seconds          float64 // spent in the unfinished epoch
}

// resumeState is the loop's part of a training-state file (its metadata).
type resumeState struct {
	Key        string   `json:"key"`
	Stage      string   `json:"stage,omitempty"`
	Epochs     int      `json:"epochs"`
	Steps      int      `json:"steps_per_epoch"`
	Epoch      int      `json:"epoch"`
	Step       int      `json:"step"`
	Order      []int    `json:"order,omitempty"`
	LossSum    float64  `json:"loss_sum"`
	Correct    float64  `json:"correct"`
	Seconds    float64  `json:"seconds"`
	RNG        []byte   `json:"rng"`
	ExtraOrder []int    `json:"extra_order,omitempty"`
	ExtraPos   int      `json:"extra_pos"`
	Best       float64  `json:"best"`
	BestEpoch  int      `json:"best_epoch"`
	Done       bool     `json:"done"`
	History    *History `json:"history"`
	// Fixed lists the variables that are not trainable, so that a new
	// process creates them so (the optimizer's state, the RNG state).
	Fixed []string `json:"fixed,omitempty"`
}

// resumeKey names one training: a checkpoint is resumed only by a Fit with
// the same key. It covers Config.ResumeKey, or (when that is empty) the
// model's starting weights and the data, and always the settings the loop
// sees: epochs, batch size, learning rate, schedule (sampled), optimizer,
// augmentation, seed, the groups' frozen flags, multipliers and BatchNorm.
func resumeKey(m *net.Model, train *data.Dataset, cfg Config) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%s|%s|%v|", resumeFormat, m.Name, m.InputShape)
	if cfg.ResumeKey != "" {
		fmt.Fprintf(h, "key=%s|", cfg.ResumeKey)
	} else {
		start, err := m.WeightsHash()
		if err != nil {
			return "", fmt.Errorf("checkpoint key: %w", err)
		}
		fmt.Fprintf(h, "start=%s|train=%s|", start, train.Fingerprint())
		if cfg.Val != nil {
			fmt.Fprintf(h, "val=%s|", cfg.Val.Fingerprint())
		}
		if cfg.Extra != nil {
			fmt.Fprintf(h, "extra=%s|", cfg.Extra.Fingerprint())
		}
	}
	steps := train.Len() / cfg.BatchSize
	total := steps * cfg.Epochs
	fmt.Fprintf(h, "epochs=%d batch=%d n=%d lr=%g opt=%+v augment=%+v patience=%d seed=%d stage=%q tag=%q cache=%d penalty=%q objective=%q|",
		cfg.Epochs, cfg.BatchSize, train.Len(), cfg.LR, cfg.Optimizer, cfg.Augment, cfg.Patience, cfg.Seed, cfg.Stage, cfg.Tag,
		cfg.FeatureCache, keyOf(cfg.Penalty), keyOf(cfg.Objective))
	for i := 0; i < total; i += max(1, total/64) {
		fmt.Fprintf(h, "%g,", cfg.Schedule.At(i, total))
	}
	for _, g := range m.Groups {
		fmt.Fprintf(h, "|%s frozen=%v lr=%g bn=%v", g.Name, g.Frozen, g.LR(), g.BN)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// safetensors dtype names of the store's variable types.
var stDTypes = map[dtypes.DType]string{
	dtypes.Float32: "F32", dtypes.Float64: "F64", dtypes.Int32: "I32", dtypes.Int64: "I64", dtypes.Int16: "I16",
	dtypes.Int8: "I8", dtypes.Uint8: "U8", dtypes.Uint16: "U16", dtypes.Uint32: "U32", dtypes.Uint64: "U64", dtypes.Bool: "BOOL",
}

func encodeTensor(t *tensors.Tensor) (safetensors.Tensor, error) {
	name, ok := stDTypes[t.DType()]
	if !ok {
		return safetensors.Tensor{}, fmt.Errorf("dtype %s not supported in a checkpoint", t.DType())
	}
	var data []byte
	if err := t.ConstBytes(func(b []byte) { data = slices.Clone(b) }); err != nil {
		return safetensors.Tensor{}, err
	}
	return safetensors.Tensor{DType: name, Shape: slices.Clone(t.Shape().Dimensions), Data: data}, nil
}

func decodeTensor(st safetensors.Tensor) (*tensors.Tensor, error) {
	for dt, name := range stDTypes {
		if name != st.DType {
			continue
		}
		t := tensors.FromShape(shapes.Make(dt, st.Shape...))
		var err error
		if merr := t.MutableBytes(func(b []byte) {
			if len(b) != len(st.Data) {
				err = fmt.Errorf("%d bytes for shape %v %s", len(st.Data), st.Shape, st.DType)
				return
			}
			copy(b, st.Data)
		}); merr != nil {
			return nil, merr
		}
		return t, err
	}
	return nil, fmt.Errorf("dtype %s not supported in a checkpoint", st.DType)
}

// saveState writes the training state (every variable of the store, the
// best weights so far when they are not the current ones, and st) to path,
// atomically: a reader sees the old file or the new one, never half.
func saveState(store *model.Store, best map[string]*tensors.Tensor, st resumeState, path string) error {
	out := map[string]safetensors.Tensor{}
	for v := range store.IterVariables() {
		if !v.HasValue() {
			continue
		}
		t, err := v.Value()
		if err != nil {
			return fmt.Errorf("variable %s: %w", v.Path(), err)
		}
		if out["var:"+v.Path()], err = encodeTensor(t); err != nil {
			return fmt.Errorf("variable %s: %w", v.Path(), err)
		}
		if !v.Trainable {
			st.Fixed = append(st.Fixed, v.Path())
		}
	}
	for p, t := range best {
		var err error
		if out["best:"+p], err = encodeTensor(t); err != nil {
			return fmt.Errorf("best weights %s: %w", p, err)
		}
	}
	if math.IsInf(st.Best, 0) {
		st.Best = 0 // JSON has no infinity; BestEpoch 0 says there is none
	}
	meta, err := json.Marshal(st)
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".tmp-"+filepath.Base(path))
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	err = safetensors.Write(tmp, out, map[string]string{"format": resumeFormat, "state": string(meta)})
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// readState reads a training-state file; ok is false when there is none.
func readState(path string) (file *safetensors.File, st resumeState, ok bool, err error) {
	file, err = safetensors.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, st, false, nil
	}
	if err != nil {
		return nil, st, false, err
	}
	if file.Metadata["format"] != resumeFormat {
		return nil, st, false, fmt.Errorf("format %q, want %q", file.Metadata["format"], resumeFormat)
	}
	if err := json.Unmarshal([]byte(file.Metadata["state"]), &st); err != nil {
		return nil, st, false, fmt.Errorf("training state: %w", err)
	}
	if st.History == nil {
		return nil, st, false, errors.New("training state without a history")
	}
	return file, st, true, nil
}

// restoreVariables puts the file's variables into the store, creating the
// ones the store does not have yet (the optimizer's, which the training
// graph then finds). Every shape is checked before anything is set, so a
// file that does not fit leaves the store as it was.
func restoreVariables(store *model.Store, file *safetensors.File, fixed []string) error {
	values := map[string]*tensors.Tensor{}
	for name, st := range file.Tensors {
		p, ok := strings.CutPrefix(name, "var:")
		if !ok {
			continue
		}
		t, err := decodeTensor(st)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		if v := store.GetVariable(p); v != nil && !v.Shape().Equal(t.Shape()) {
			return fmt.Errorf("%s is %s in the checkpoint, %s in the model", p, t.Shape(), v.Shape())
		}
		values[p] = t
	}
	for p, t := range values {
		if v := store.GetVariable(p); v != nil {
			if err := v.SetValue(t); err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
			continue
		}
		v, err := store.CreateVariable(p, t)
		if err != nil {
			return err
		}
		if slices.Contains(fixed, p) {
			v.SetTrainable(false)
		}
	}
	return nil
}

// bestWeights reads the "best:" tensors of a training-state file.
func bestWeights(file *safetensors.File) (map[string]*tensors.Tensor, error) {
	var out map[string]*tensors.Tensor
	for name, st := range file.Tensors {
		if p, ok := strings.CutPrefix(name, "best:"); ok {
			t, err := decodeTensor(st)
			if err != nil {
				return nil, fmt.Errorf("best weights %s: %w", p, err)
			}
			if out == nil {
				out = map[string]*tensors.Tensor{}
			}
			out[p] = t
		}
	}
	return out, nil
}
