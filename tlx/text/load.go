package text

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/tlx-go/tlx/tlx/net"
	"github.com/tlx-go/tlx/tlx/safetensors"
)

// Options adjust Load; the zero value gives sequences of 128 tokens and
// the dropout of the model's config.json while training.
type Options struct {
	// SeqLen is the number of token ids in one example (the model's input
	// shape); 0 means 128. At most the config's max_position_embeddings.
	SeqLen int `json:"seq_len,omitempty"`
	// NoDropout turns dropout off while training too (for exact
	// comparisons with a reference in eval mode).
	NoDropout bool `json:"no_dropout,omitempty"`
}

// DefaultSeqLen is the sequence length a model gets when Options.SeqLen is 0.
const DefaultSeqLen = 128

// bert holds what the groups of one encoder share.
type bert struct {
	cfg       *Config
	padID     int
	normalize bool // sentence-transformers' Normalize module follows pooling
	noDropout bool
}

func (b *bert) dropout(rate float64) float64 {
	if b.noDropout {
		return 0
	}
	return rate
}

// Encoder is a loaded text encoder: the tlx model and its tokenizer.
type Encoder struct {
	Model     *net.Model
	Tokenizer *Tokenizer
	Config    *Config
	Dir       string
}

// builder is the net.Recipe builder of encoders made by Load.
const builder = "text.Load"

type loadArgs struct {
	Dir     string  `json:"dir"`
	Options Options `json:"options"`
}

func init() {
	net.RegisterBuilder(builder, func(js json.RawMessage) (*net.Model, error) {
		var a loadArgs
		if err := json.Unmarshal(js, &a); err != nil {
			return nil, fmt.Errorf("%s recipe arguments: %w", builder, err)
		}
		e, err := Load(a.Dir, a.Options)
		if err != nil {
			return nil, err
		}
		return e.Model, nil
	})
}

// IsModelDir says whether dir looks like a Hugging Face BERT folder Load
// reads: config.json, model.safetensors and tokenizer.json.
func IsModelDir(dir string) bool {
	for _, f := range []string{"config.json", "model.safetensors", "tokenizer.json"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.IsDir() {
			return false
		}
	}
	return true
}

// Load reads a Hugging Face BERT model folder (config.json,
// model.safetensors, tokenizer.json; a sentence-transformers folder's
// modules.json adds mean pooling and normalisation, which tlx always
// applies and normalises when the Normalize module is listed) as a tlx
// model of groups embeddings, layer0 … layerN-1, pooling, head. The head
// passes the pooled embedding through until ReplaceHead puts a classifier
// there. The model's input is [SeqLen] token ids as float32, padded with
// the tokenizer's pad id.
func Load(dir string, opts ...Options) (*Encoder, error) {
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	cfg, err := ReadConfig(dir)
	if err != nil {
		return nil, err
	}
	tok, err := LoadTokenizer(dir)
	if err != nil {
		return nil, err
	}
	seq := o.SeqLen
	if seq == 0 {
		seq = DefaultSeqLen
	}
	if seq < 2 || seq > cfg.MaxPositions {
		return nil, fmt.Errorf("text: Options.SeqLen %d, want 2..%d (the model's max_position_embeddings)", seq, cfg.MaxPositions)
	}
	if tok.PadID != cfg.PadTokenID {
		return nil, fmt.Errorf("text: %s: tokenizer's [PAD] is %d but config.json's pad_token_id is %d", dir, tok.PadID, cfg.PadTokenID)
	}
	b := &bert{cfg: cfg, padID: tok.PadID, normalize: hasNormalize(dir), noDropout: o.NoDropout}
	m := net.New(filepath.Base(dir), seq)
	if filepath.Base(dir) == "model" { // a package's model/ folder: name it after the package
		m.Name = filepath.Base(filepath.Dir(dir))
	}
	m.Add("embeddings", b.embeddings)
	for i := range cfg.Layers {
		m.Add(fmt.Sprintf("layer%d", i), b.layer)
	}
	m.Add("pooling", b.pooling)
	m.Add(net.HeadName, identity)
	m.Preprocessing = net.Preprocessing{Source: "token ids of " + tok.Path + " (float32, padded with " + fmt.Sprint(tok.PadID) + ")"}
	if err := loadWeights(m, filepath.Join(dir, "model.safetensors")); err != nil {
		return nil, err
	}
	m.Recipe = net.NewRecipe(builder, loadArgs{Dir: dir, Options: o})
	e := &Encoder{Model: m, Tokenizer: tok, Config: cfg, Dir: dir}
	m.Origin = e // TokenizerOf finds the tokenizer of a model from tlx.Load or the zoo
	return e, nil
}

// TokenizerOf returns the tokenizer of a text encoder made by Load (also
// through tlx.Load, the zoo and net.Rebuild), or an error for other models.
func TokenizerOf(m *net.Model) (*Tokenizer, error) {
	if e, ok := m.Origin.(*Encoder); ok {
		return e.Tokenizer, nil
	}
	return nil, fmt.Errorf("text: model %s is not a text encoder made by text.Load (no tokenizer known)", m.Name)
}

// hasNormalize says whether dir's modules.json lists sentence-transformers'
// Normalize module.
func hasNormalize(dir string) bool {
	js, err := os.ReadFile(filepath.Join(dir, "modules.json"))
	if err != nil {
		return false
	}
	var mods []struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(js, &mods) != nil {
		return false
	}
	for _, m := range mods {
		if strings.HasSuffix(m.Type, ".Normalize") {
			return true
		}
	}
	return false
}

var layerName = regexp.MustCompile(`^encoder\.layer\.(\d+)\.(.+)$`)

// layerParts maps the parts of a Hugging Face BERT layer to tlx's names.
var layerParts = map[string]string{
	"attention.self.query":       "attention/query",
	"attention.self.key":         "attention/key",
	"attention.self.value":       "attention/value",
	"attention.output.dense":     "attention/output",
	"attention.output.LayerNorm": "attention/norm",
	"intermediate.dense":         "ffn/in",
	"output.dense":               "ffn/out",
	"output.LayerNorm":           "ffn/norm",
}

// tlxName maps a Hugging Face BERT tensor name to its tlx variable path
// (without the leading "/") and says whether it is a dense kernel that
// needs transposing ([out, in] → [in, out]). It returns "" for tensors
// tlx does not use (the pooler, position_ids).
func tlxName(name string) (path string, transpose bool) {
	name = strings.TrimPrefix(name, "bert.")
	switch name {
	case "embeddings.word_embeddings.weight":
		return "embeddings/word/table", false
	case "embeddings.position_embeddings.weight":
		return "embeddings/position/table", false
	case "embeddings.token_type_embeddings.weight":
		return "embeddings/token_type/table", false
	case "embeddings.LayerNorm.weight":
		return "embeddings/norm/gamma", false
	case "embeddings.LayerNorm.bias":
		return "embeddings/norm/beta", false
	}
	sm := layerName.FindStringSubmatch(name)
	if sm == nil {
		return "", false
	}
	dot := strings.LastIndex(sm[2], ".")
	part, field := sm[2][:dot], sm[2][dot+1:]
	target, ok := layerParts[part]
	if !ok {
		return "", false
	}
	prefix := "layer" + sm[1] + "/" + target + "/"
	switch {
	case strings.HasSuffix(part, "LayerNorm") && field == "weight":
		return prefix + "gamma", false
	case strings.HasSuffix(part, "LayerNorm") && field == "bias":
		return prefix + "beta", false
	case field == "weight":
		return prefix + "weights", true
	case field == "bias":
		return prefix + "bias", false
	}
	return "", false
}

// unused are tensors of a BERT checkpoint that a sentence encoder leaves out.
func unused(name string) bool {
	name = strings.TrimPrefix(name, "bert.")
	return strings.HasPrefix(name, "pooler.") || name == "embeddings.position_ids"
}

// loadWeights fills every variable of m's groups from a Hugging Face BERT
// safetensors file.
func loadWeights(m *net.Model, path string) error {
	file, err := safetensors.ReadFile(path)
	if err != nil {
		return fmt.Errorf("text: %w", err)
	}
	if _, err := m.Init(); err != nil {
		return fmt.Errorf("text: building %s: %w", m.Name, err)
	}
	filled := map[string]bool{}
	for name, t := range file.Tensors {
		target, transpose := tlxName(name)
		if target == "" {
			if unused(name) {
				continue
			}
			return fmt.Errorf("text: %s: tensor %q has no place in a BERT encoder", path, name)
		}
		v := m.Store.GetVariable("/" + target)
		if v == nil {
			return fmt.Errorf("text: %s: tensor %q maps to %s, which model %s lacks (more layers than config.json says?)", path, name, target, m.Name)
		}
		values, err := t.Float32s()
		if err != nil {
			return fmt.Errorf("text: %s: tensor %q: %w", path, name, err)
		}
		shape := t.Shape
		if transpose {
			if len(shape) != 2 {
				return fmt.Errorf("text: %s: tensor %q has shape %v, want [out, in]", path, name, shape)
			}
			values, shape = transposed(values, shape[0], shape[1]), []int{shape[1], shape[0]}
		}
		if fmt.Sprint(shape) != fmt.Sprint(v.Shape().Dimensions) {
			return fmt.Errorf("text: %s: tensor %q becomes %v, but %s is %v", path, name, shape, target, v.Shape().Dimensions)
		}
		if err := v.SetValue(tensors.FromFlatDataAndDimensions(values, shape...)); err != nil {
			return fmt.Errorf("text: setting %s: %w", target, err)
		}
		filled[target] = true
	}
	for _, g := range m.Groups {
		for _, v := range m.Variables(g.Name) {
			if !filled[strings.TrimPrefix(v.Path(), "/")] {
				return fmt.Errorf("text: %s has no tensor for %s", path, v.Path())
			}
		}
	}
	return nil
}

// transposed returns the [cols, rows] transpose of a row-major [rows, cols] array.
func transposed(v []float32, rows, cols int) []float32 {
	out := make([]float32, len(v))
	for r := range rows {
		for c := range cols {
			out[c*rows+r] = v[r*cols+c]
		}
	}
	return out
}
