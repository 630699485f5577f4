package browser_test

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"testing"
)

// chartDiv is the element a tlx chart draws into.
var chartDiv = regexp.MustCompile(`<div [^>]*\bid="tlx-chart-`)

// savedNotebook is a notebook file as Jupyter saved it.
type savedNotebook map[string]any

func readNotebook(t *testing.T, path string) savedNotebook {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var nb savedNotebook
	if err := json.Unmarshal(data, &nb); err != nil {
		t.Fatalf("%s: not a notebook: %v", path, err)
	}
	return nb
}

// charts counts the chart outputs saved in code cells' text/html.
func (nb savedNotebook) charts() int {
	n := 0
	cells, _ := nb["cells"].([]any)
	for _, c := range cells {
		outs, _ := c.(map[string]any)["outputs"].([]any)
		for _, o := range outs {
			data, _ := o.(map[string]any)["data"].(map[string]any)
			html := fmt.Sprint(data["text/html"])
			n += len(chartDiv.FindAllString(html, -1))
		}
	}
	return n
}

// writeCopy saves the notebook to path with a note in its metadata, so its
// content differs from what Jupyter signed.
func (nb savedNotebook) writeCopy(path, note string) error {
	meta, _ := nb["metadata"].(map[string]any)
	if meta == nil {
		return fmt.Errorf("saved notebook has no metadata object")
	}
	meta["tlx_note"] = note
	data, err := json.MarshalIndent(nb, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}
