package text

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// Config is what tlx reads of a Hugging Face BERT config.json.
type Config struct {
	ModelType        string  `json:"model_type"`
	VocabSize        int     `json:"vocab_size"`
	HiddenSize       int     `json:"hidden_size"`
	Layers           int     `json:"num_hidden_layers"`
	Heads            int     `json:"num_attention_heads"`
	IntermediateSize int     `json:"intermediate_size"`
	MaxPositions     int     `json:"max_position_embeddings"`
	TypeVocabSize    int     `json:"type_vocab_size"`
	LayerNormEps     float64 `json:"layer_norm_eps"`
	HiddenAct        string  `json:"hidden_act"`
	HiddenDropout    float64 `json:"hidden_dropout_prob"`
	AttentionDropout float64 `json:"attention_probs_dropout_prob"`
	PadTokenID       int     `json:"pad_token_id"`
	PositionType     string  `json:"position_embedding_type"`
}

// ReadConfig reads and checks dir/config.json: tlx builds BERT encoders
// (model_type "bert", absolute positions, GELU).
func ReadConfig(dir string) (*Config, error) {
	path := filepath.Join(dir, "config.json")
	js, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("text: %w", err)
	}
	var c Config
	if err := json.Unmarshal(js, &c); err != nil {
		return nil, fmt.Errorf("text: %s: %w", path, err)
	}
	switch {
	case c.ModelType != "bert":
		return nil, fmt.Errorf("text: %s: model_type %q, want \"bert\"", path, c.ModelType)
	case c.HiddenAct != "gelu":
		return nil, fmt.Errorf("text: %s: hidden_act %q, want \"gelu\"", path, c.HiddenAct)
	case c.PositionType != "" && c.PositionType != "absolute":
		return nil, fmt.Errorf("text: %s: position_embedding_type %q, want \"absolute\"", path, c.PositionType)
	case c.HiddenSize <= 0 || c.Heads <= 0 || c.HiddenSize%c.Heads != 0:
		return nil, fmt.Errorf("text: %s: hidden_size %d is not a positive multiple of num_attention_heads %d", path, c.HiddenSize, c.Heads)
	case c.Layers <= 0 || c.VocabSize <= 0 || c.IntermediateSize <= 0 || c.MaxPositions <= 0:
		return nil, fmt.Errorf("text: %s: want positive num_hidden_layers, vocab_size, intermediate_size and max_position_embeddings", path)
	}
	if c.TypeVocabSize <= 0 {
		c.TypeVocabSize = 2
	}
	if c.LayerNormEps == 0 {
		c.LayerNormEps = 1e-12
	}
	return &c, nil
}
