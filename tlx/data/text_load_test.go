package data

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const textFixtures = "testdata/text"

// wantReviews is what every reviews.* fixture holds.
var wantReviews = []string{"Great film, I loved it", "Dull, slow and far too long", `A "masterpiece" of the genre`, "I want my two hours back"}

func TestLoadTextCSVAndTSV(t *testing.T) {
	for _, file := range []string{"reviews.csv", "reviews.tsv"} {
		d, err := LoadText(filepath.Join(textFixtures, file), "review", "sentiment")
		if err != nil {
			t.Fatal(err)
		}
		if d.Len() != 5 || !slices.Equal(d.Texts[:4], wantReviews) {
			t.Errorf("%s: texts %q", file, d.Texts)
		}
		if !slices.Equal(d.Classes, []string{"neg", "pos"}) || !slices.Equal(d.Labels, []int{1, 0, 1, 0, 1}) {
			t.Errorf("%s: classes %q labels %v", file, d.Classes, d.Labels)
		}
		if !strings.HasPrefix(d.Texts[4], "Moving.") || !strings.HasSuffix(d.Texts[4], "Funny, too.") {
			t.Errorf("%s: last text %q", file, d.Texts[4])
		}
	}
}

func TestLoadTextJSONL(t *testing.T) {
	d, err := LoadText(filepath.Join(textFixtures, "reviews.jsonl"), "review", "stars")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(d.Texts[:4], wantReviews) || d.Texts[4] != "Moving.\nFunny, too." {
		t.Errorf("texts %q", d.Texts)
	}
	// Integer labels sort as numbers: "10" after "5".
	if !slices.Equal(d.Classes, []string{"1", "5", "10"}) || !slices.Equal(d.Labels, []int{1, 0, 1, 0, 2}) {
		t.Errorf("classes %q labels %v", d.Classes, d.Labels)
	}
}

func TestTextFolderModes(t *testing.T) {
	d, err := TextFolder(filepath.Join(textFixtures, "folder"), FilePerExample)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"The striker scored twice in the second half.", "Heavy snow closed the mountain passes.", "Rain all week,\nthen sun on Sunday."}
	if !slices.Equal(d.Texts, want) || !slices.Equal(d.Labels, []int{0, 1, 1}) || !slices.Equal(d.Classes, []string{"sport", "weather"}) {
		t.Errorf("file per example: %q %v %q", d.Texts, d.Labels, d.Classes)
	}
	d, err = TextFolder(filepath.Join(textFixtures, "lines"), LinePerExample)
	if err != nil {
		t.Fatal(err)
	}
	want = []string{"The striker scored twice.", "The keeper saved a penalty.", "Rain all week.", "Sun on Sunday.", "Snow in the passes."}
	if !slices.Equal(d.Texts, want) || !slices.Equal(d.Labels, []int{0, 0, 1, 1, 1}) {
		t.Errorf("line per example: %q %v", d.Texts, d.Labels)
	}
}

// TestTextLoadErrors checks that a bad file gives an error naming the
// file, the line and the field at fault.
func TestTextLoadErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct {
		path, text, label string
		want              []string
	}{
		{write("nocol.csv", "text,label\na,b\n"), "review", "label", []string{"nocol.csv", "line 1", `"review"`}},
		{write("nolabel.csv", "text,label\na,b\n"), "text", "class", []string{"nolabel.csv", `"class"`}},
		{write("short.csv", "text,label\na,b\nc\n"), "text", "label", []string{"short.csv", "line 3"}},
		{write("emptytext.csv", "text,label\na,b\n  ,b\n"), "text", "label", []string{"emptytext.csv", "line 3", "empty text"}},
		{write("badutf.csv", "text,label\na\xff,b\n"), "text", "label", []string{"badutf.csv", "line 2", "UTF-8"}},
		{write("empty.csv", ""), "text", "label", []string{"empty.csv", "header"}},
		{write("quote.csv", "text,label\n\"open,b\n"), "text", "label", []string{"quote.csv", "line 2"}},
		{write("bad.jsonl", "{\"t\": \"a\", \"l\": 1}\n{\"t\": \"b\"\n"), "t", "l", []string{"bad.jsonl", "line 2", "JSON"}},
		{write("nofield.jsonl", "{\"t\": \"a\", \"l\": 1}\n\n{\"t\": \"b\"}\n"), "t", "l", []string{"nofield.jsonl", "line 3", `"l"`}},
		{write("float.jsonl", "{\"t\": \"a\", \"l\": 1.5}\n"), "t", "l", []string{"float.jsonl", "line 1", `"l"`, "1.5"}},
		{write("numtext.jsonl", "{\"t\": 3, \"l\": 1}\n"), "t", "l", []string{"numtext.jsonl", "line 1", `"t"`, "string"}},
		{write("ext.txt", "x"), "t", "l", []string{"ext.txt", ".txt"}},
	}
	for _, c := range cases {
		_, err := LoadText(c.path, c.text, c.label)
		if err == nil {
			t.Errorf("%s: loaded without error", filepath.Base(c.path))
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not say %q", filepath.Base(c.path), err, w)
			}
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "folder", "a"), 0o755); err != nil {
		t.Fatal(err)
	}
	bad := write("folder/a/bad.txt", "ok\n\xfe\n")
	if _, err := TextFolder(filepath.Join(dir, "folder"), LinePerExample); err == nil || !strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("bad UTF-8 line: error %v, want it to name %s line 2", err, bad)
	}
	if _, err := TextFolder(filepath.Join(dir, "folder"), FilePerExample); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("bad UTF-8 file: error %v, want it to name %s", err, bad)
	}
	if _, err := TextFolder(filepath.Join(textFixtures, "folder", "sport"), FilePerExample); err == nil || !strings.Contains(err.Error(), "no class sub-folders") {
		t.Errorf("folder without classes: error %v", err)
	}
}
