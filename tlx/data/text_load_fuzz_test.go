package data

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadText feeds arbitrary bytes to the CSV, TSV, JSONL and fortune
// readers: each returns a checked Text (or the quotations) or an error,
// never panics.
func FuzzReadText(f *testing.F) {
	for _, name := range []string{"reviews.csv", "reviews.tsv", "reviews.jsonl", "sample.fortunes"} {
		if b, err := os.ReadFile(filepath.Join("testdata", "text", name)); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("text,label\n\"a\"\"b\",x\n"))
	f.Add([]byte(`{"text": "a", "label": 3}` + "\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, read := range []func() (*Text, error){
			func() (*Text, error) { return ReadTextCSV(bytes.NewReader(b), "fuzz.csv", ',', "text", "label") },
			func() (*Text, error) { return ReadTextCSV(bytes.NewReader(b), "fuzz.tsv", '\t', "text", "label") },
			func() (*Text, error) { return ReadTextJSONL(bytes.NewReader(b), "fuzz.jsonl", "text", "label") },
		} {
			txt, err := read()
			if err != nil {
				continue
			}
			if err := txt.Check(); err != nil {
				t.Fatalf("a Text the reader accepted fails its check: %v", err)
			}
		}
		_, _ = ReadFortunes(bytes.NewReader(b), "fuzz") // an error is fine, a panic is not
	})
}
