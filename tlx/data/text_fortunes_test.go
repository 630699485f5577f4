package data

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestReadFortunes(t *testing.T) {
	path := filepath.Join(textFixtures, "sample.fortunes")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := ReadFortunes(f, path)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"A test fixture is a quotation nobody said, spread over two lines, with an attribution. -- tlx's tests",
		"This is bold and underlined.",
		"Last one, no separator after it.",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
	if _, err := ReadFortunes(strings.NewReader("ok\n%\nbad \xff\n"), "x.fortunes"); err == nil || !strings.Contains(err.Error(), "x.fortunes: line 3") {
		t.Errorf("bad UTF-8: error %v, want it to name x.fortunes line 3", err)
	}
}

// TestFortunes reads Debian's fortunes package (installed by setup) and
// checks the set against the files themselves.
func TestFortunes(t *testing.T) {
	d, err := Fortunes()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(d.Classes, FortuneTopics) {
		t.Errorf("classes %q, want %q", d.Classes, FortuneTopics)
	}
	// Each topic keeps every quotation of its file except those filed under
	// another topic too.
	files := map[string][]string{}
	filedUnder := map[string]map[string]bool{} // quotation -> topics
	for _, topic := range FortuneTopics {
		path := filepath.Join(FortunesDir, topic)
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		files[topic], err = ReadFortunes(f, path)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range files[topic] {
			if filedUnder[q] == nil {
				filedUnder[q] = map[string]bool{}
			}
			filedUnder[q][topic] = true
		}
	}
	counts := d.Counts()
	for c, topic := range FortuneTopics {
		own := map[string]bool{}
		for _, q := range files[topic] {
			own[q] = true
		}
		shared := 0
		for q := range own {
			if len(filedUnder[q]) > 1 {
				shared++
			}
		}
		if counts[c] != len(own)-shared {
			t.Errorf("%s: %d examples, want %d distinct quotations less %d shared", topic, counts[c], len(own), shared)
		}
		if counts[c] < 100 {
			t.Errorf("%s: only %d examples", topic, counts[c])
		}
	}
	seen := map[string]int{}
	for i, s := range d.Texts {
		if strings.ContainsAny(s, "\b\n\t") || strings.Contains(s, "  ") {
			t.Fatalf("example %d not cleaned: %q", i, s)
		}
		if prev, ok := seen[s]; ok {
			t.Fatalf("example %d repeats example %d: %q", i, prev, s)
		}
		seen[s] = i
	}
	i := slices.IndexFunc(d.Texts, func(s string) bool {
		return strings.HasSuffix(s, "-- Mitch Ratcliffe") && strings.HasPrefix(s, "A computer lets you make more mistakes")
	})
	if i < 0 || d.Classes[d.Labels[i]] != "computers" {
		t.Errorf("Mitch Ratcliffe's quotation: index %d, want it filed under computers", i)
	}
	again, err := Fortunes()
	if err != nil {
		t.Fatal(err)
	}
	if again.Fingerprint() != d.Fingerprint() {
		t.Error("two loads differ")
	}
	if _, err := Fortunes("food", "../etc"); err == nil {
		t.Error("a topic with a path separator was accepted")
	}
	if _, err := Fortunes("no-such-topic"); err == nil || !strings.Contains(err.Error(), "no-such-topic") {
		t.Errorf("missing topic: error %v", err)
	}
}
