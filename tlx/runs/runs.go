// Package runs keeps named experiments on disk so that they survive
// between notebook cells (each GoNB cell is a new process): a stage that
// already ran with the same starting weights, data and settings is
// restored instead of trained again.
//
//	run, err := runs.Open("fmnist-resnet")       // ./tlx-runs/fmnist-resnet (or $TLX_RUNS/...)
//	h, err := run.FineTune(m, train, plan, fit.Config{Val: val})
//	// re-running the cell loads each finished stage's weights and history
//	h, err = run.History()                        // a later cell: plot it
//	err = run.Restore(m)                          // ... or continue from the last weights
//	err = run.Reset()                             // start over: deletes the run's folder
//
// Layout: DIR/stages/NN-NAME-KEY/{weights,optimizer}.safetensors,
// history.json, stage.json; DIR/features/ (the feature cache); DIR/latest.json;
// DIR/checkpoint.safetensors (the weights after the last epoch, or at an
// interrupt) and DIR/checkpoint.resume.safetensors (the whole training
// state of the stage in progress, keyed by the stage's key). Stage folders
// are never overwritten: a changed stage gets a new key.
//
// A stage that was interrupted (the stop button, a crash, a killed kernel)
// is resumed, not restarted, when the cell runs again, with the optimizer's
// moments, the learning-rate schedule and the order of the batches where
// they were (see fit.Config.Checkpoint): Fit notes "resumed stage NAME
// after epoch N of M (...)" (tlx.FineTune shows it), trains only what is
// left, and the run logs "stage NAME resumed after epoch N of M, trained
// and saved in ...". A stage that finished is restored and trains nothing
// ("stage NAME restored from ..."); a checkpoint of another plan, data or
// settings is not resumed.
package runs

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/fit"
	"github.com/tlx-go/tlx/tlx/manifest"
	"github.com/tlx-go/tlx/tlx/net"
)

// Version keys the stage cache: a change in how tlx trains invalidates it.
const Version = "tlx-run-v1"

// Run is a named experiment on disk.
type Run struct {
	Name string
	Dir  string
	// Log receives one line per stage trained or restored (default: none).
	Log func(string)

	lastStageDir string
}

var validName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// Root is where runs live: $TLX_RUNS, else tlx-runs in the current folder
// (the notebook's folder, in a notebook).
func Root() string {
	if d := os.Getenv("TLX_RUNS"); d != "" {
		return d
	}
	return "tlx-runs"
}

// Open opens (creating if needed) the run called name under Root.
func Open(name string) (*Run, error) {
	if !validName.MatchString(name) {
		return nil, fmt.Errorf("run name %q: use letters, digits, '.', '_' and '-' (no slashes)", name)
	}
	dir, err := filepath.Abs(filepath.Join(Root(), name))
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("opening run %s: %w", name, err)
	}
	return &Run{Name: name, Dir: dir}, nil
}

// Reset deletes everything the run saved.
func (r *Run) Reset() error {
	if err := os.RemoveAll(r.Dir); err != nil {
		return fmt.Errorf("resetting run %s: %w", r.Name, err)
	}
	return os.MkdirAll(r.Dir, 0o755)
}

func (r *Run) log(format string, args ...any) {
	if r.Log != nil {
		r.Log(fmt.Sprintf(format, args...))
	}
}

// stageRecord is what stage.json says about a finished stage.
type stageRecord struct {
	Stage     string `json:"stage"`
	Key       string `json:"key"`
	Model     string `json:"model"`
	Train     string `json:"train"`
	Val       string `json:"val,omitempty"`
	StartHash string `json:"start_weights_sha256"`
	EndHash   string `json:"end_weights_sha256"`
	Settings  string `json:"settings"`
}

type latest struct {
	Stage   string       `json:"stage_dir"`
	History *fit.History `json:"history"`
}

// settings lists what, besides the stage itself, changes a stage's result.
// extra is Config.Extra's fingerprint, hashed once per plan with the rest.
// A penalty or objective names itself and its parameters (its Key).
func settings(cfg fit.Config, extra string) string {
	var penalty, objective string
	if cfg.Penalty != nil {
		penalty = cfg.Penalty.Key()
	}
	if cfg.Objective != nil {
		objective = cfg.Objective.Key()
	}
	return fmt.Sprintf("batch=%d opt=%+v augment=%+v patience=%d seed=%d cache=%d penalty=%q objective=%q extra=%s tag=%q",
		cfg.BatchSize, cfg.Optimizer, cfg.Augment, cfg.Patience, cfg.Seed, cfg.FeatureCache, penalty, objective, extra, cfg.Tag)
}

// SaveValue keeps v (anything JSON can hold: a cell's results) under key
// in the run, for later cells: a cell is a new process.
func (r *Run) SaveValue(key string, v any) error {
	if !validName.MatchString(key) {
		return fmt.Errorf("run %s: value name %q: use letters, digits, '.', '_' and '-'", r.Name, key)
	}
	dir := filepath.Join(r.Dir, "values")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return writeJSON(filepath.Join(dir, key+".json"), v)
}

// LoadValue reads what SaveValue kept under key into v.
func (r *Run) LoadValue(key string, v any) error {
	if err := readJSON(filepath.Join(r.Dir, "values", key+".json"), v); err != nil {
		return fmt.Errorf("run %s: value %q (run the cell that saves it first): %w", r.Name, key, err)
	}
	return nil
}

// FineTune runs the plan through fit.RunPlan, fit.FineTune's stage loop,
// restoring every stage that already finished with the same inputs and
// saving every stage it trains.
func (r *Run) FineTune(m *net.Model, train *data.Dataset, plan fit.Plan, cfg fit.Config) (*fit.History, error) {
	if cfg.CacheDir == "" {
		cfg.CacheDir = filepath.Join(r.Dir, "features")
	}
	if cfg.Checkpoint == "" {
		cfg.Checkpoint = filepath.Join(r.Dir, "checkpoint.safetensors")
	}
	// What keys every stage but its starting weights is hashed once; each
	// stage starts from the weights the one before it ended with.
	in := stageInputs{train: train.Fingerprint()}
	if cfg.Val != nil {
		in.val = cfg.Val.Fingerprint()
	}
	if cfg.Extra != nil {
		in.extra = cfg.Extra.Fingerprint()
	}
	h, err := fit.RunPlan(plan, cfg, func(i int, stage fit.Stage, cfg fit.Config) (*fit.History, error) {
		sh, end, err := r.stage(i, m, train, stage, cfg, in)
		in.start = end // the next stage starts from these weights ("" after an interrupt: hashed again)
		return sh, err
	})
	if err != nil {
		return h, fmt.Errorf("run %s, %w", r.Name, err)
	}
	if err := writeJSON(filepath.Join(r.Dir, "latest.json"), latest{Stage: r.lastStageDir, History: h}); err != nil {
		return h, err
	}
	if in.start != "" {
		manifest.Record("weights", "run "+r.Name+" final weights", in.start)
	}
	return h, nil
}

// stageInputs are the hashes that key a stage: the data's fingerprints and
// the starting weights ("" when not known yet).
type stageInputs struct {
	train, val, extra, start string
}

// stage trains or restores one stage and returns the hash of the weights it
// ends with ("" when interrupted).
func (r *Run) stage(i int, m *net.Model, train *data.Dataset, stage fit.Stage, cfg fit.Config, in stageInputs) (*fit.History, string, error) {
	start := in.start
	if start == "" {
		var err error
		if start, err = m.WeightsHash(); err != nil {
			return nil, "", err
		}
	}
	rec := stageRecord{Stage: stage.String(), Model: m.Name + strings.Join(m.GroupNames(), ","), Train: in.train,
		Val: in.val, StartHash: start, Settings: settings(cfg, in.extra)}
	sum := sha256.Sum256([]byte(Version + "|" + rec.Stage + "|" + rec.Model + "|" + rec.Train + "|" + rec.Val + "|" + rec.StartHash + "|" + rec.Settings))
	rec.Key = hex.EncodeToString(sum[:])
	dir := filepath.Join(r.Dir, "stages", fmt.Sprintf("%02d-%s-%s", i+1, safe(stage.Name), rec.Key[:12]))
	r.lastStageDir = dir

	if h, end, ok := r.restore(dir, m, stage); ok {
		return h, end, nil
	}
	cfg.ResumeKey = rec.Key // an interrupted stage resumes; another stage's checkpoint is not taken up
	h, err := fit.RunStage(m, train, stage, cfg)
	if err != nil {
		return h, "", err
	}
	if h.Interrupted {
		r.log("stage %s interrupted: its weights and training state are in %s; running it again resumes there", stage.Name, fit.ResumePath(cfg.Checkpoint))
		return h, "", nil
	}
	end, err := m.WeightsHash()
	if err != nil {
		return h, "", err
	}
	rec.EndHash = end
	if err := r.save(dir, m, h, rec); err != nil {
		return h, "", err
	}
	switch res := h.Resumed; { // Fit noted a resume when it happened (a callback's OnNote)
	case res != nil && res.Done:
		r.log("stage %s had finished in its checkpoint: saved in %s (not retrained)", stage.Name, dir)
	case res != nil:
		r.log("stage %s resumed after epoch %d of %d, trained and saved in %s", stage.Name, res.Epoch, res.Epochs, dir)
	default:
		r.log("stage %s trained and saved in %s", stage.Name, dir)
	}
	return h, end, nil
}

// restore loads a finished stage and returns its history and end hash; ok
// is false when there is none to load. A stage that fails to load leaves
// the model's weights as they were, so it trains again from its real start.
func (r *Run) restore(dir string, m *net.Model, stage fit.Stage) (h *fit.History, end string, ok bool) {
	h = &fit.History{}
	if err := readJSON(filepath.Join(dir, "history.json"), h); err != nil {
		return nil, "", false
	}
	var rec stageRecord
	if err := readJSON(filepath.Join(dir, "stage.json"), &rec); err != nil {
		return nil, "", false
	}
	if err := stage.Apply(m); err != nil {
		return nil, "", false
	}
	before, err := m.Values()
	if err != nil {
		return nil, "", false
	}
	if err := m.LoadWeights(filepath.Join(dir, "weights.safetensors")); err != nil {
		r.log("stage %s: cannot restore (%v): training it again", stage.Name, err)
		_ = m.SetValues(before)
		return nil, "", false
	}
	if got, err := m.WeightsHash(); err != nil || got != rec.EndHash {
		r.log("stage %s: restored weights do not match the record: training it again", stage.Name)
		_ = m.SetValues(before)
		return nil, "", false
	}
	r.log("stage %s restored from %s (not retrained)", stage.Name, dir)
	h.Notes = append(h.Notes, fmt.Sprintf("stage %s restored from disk", stage.Name))
	return h, rec.EndHash, true
}

func (r *Run) save(dir string, m *net.Model, h *fit.History, rec stageRecord) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := m.SaveWeights(filepath.Join(dir, "weights.safetensors")); err != nil {
		return err
	}
	if err := fit.SaveOptimizerState(m, filepath.Join(dir, "optimizer.safetensors")); err != nil {
		return err
	}
	if err := writeJSON(filepath.Join(dir, "stage.json"), rec); err != nil {
		return err
	}
	return writeJSON(filepath.Join(dir, "history.json"), h) // written last: marks the stage finished
}

// History returns the history of the run's last FineTune, from disk.
func (r *Run) History() (*fit.History, error) {
	var l latest
	if err := readJSON(filepath.Join(r.Dir, "latest.json"), &l); err != nil {
		return nil, fmt.Errorf("run %s has no finished training yet: %w", r.Name, err)
	}
	return l.History, nil
}

// Restore loads the weights after the run's last finished stage into m.
func (r *Run) Restore(m *net.Model) error {
	var l latest
	if err := readJSON(filepath.Join(r.Dir, "latest.json"), &l); err != nil {
		return fmt.Errorf("run %s has no finished training yet: %w", r.Name, err)
	}
	return m.LoadWeights(filepath.Join(l.Stage, "weights.safetensors"))
}

func safe(s string) string {
	return strings.Map(func(c rune) rune {
		if c == '/' || c == '\\' || c == ' ' || c == ':' {
			return '_'
		}
		return c
	}, s)
}

func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
