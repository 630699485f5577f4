package data

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// FortunesDir is where Debian's fortunes package (fortune-mod's data
// files) puts its quotations, one file per topic. A variable so tests and
// other installs can point elsewhere.
var FortunesDir = "/usr/share/games/fortunes"

// FortuneTopics are the topics Fortunes loads when given none: five
// files whose quotations differ in subject but share a style (one-liners,
// jokes, aphorisms, attributions), so a bag of words gets part of the way
// and meaning the rest.
var FortuneTopics = []string{"computers", "food", "love", "politics", "science"}

// Fortunes loads the quotations of Debian's fortunes package (apt-get
// install fortunes; BSD licence, see docs/text-data.md) as a topic
// classification set: each quotation is one example, its class the file
// (topic) it is filed under, classes in the order given (FortuneTopics
// when none). Whitespace is collapsed to single spaces and terminal
// overstrike (x, backspace) removed; a quotation filed under two of the
// topics is dropped from both, a repeat within one topic kept once. The
// result is the same on every machine with the same package version.
func Fortunes(topics ...string) (*Text, error) {
	if len(topics) == 0 {
		topics = FortuneTopics
	}
	t := &Text{Name: "fortunes", Classes: append([]string(nil), topics...)}
	first := map[string]int{} // text -> topic it was first seen in, -1 when in two
	var texts [][]string
	for c, topic := range topics {
		if strings.ContainsAny(topic, `/\`) || topic == "" || strings.HasPrefix(topic, ".") {
			return nil, fmt.Errorf("fortunes: topic %q is not a file name in %s", topic, FortunesDir)
		}
		path := filepath.Join(FortunesDir, topic)
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("fortunes (apt-get install fortunes): topic %q: %w", topic, err)
		}
		quotes, err := ReadFortunes(f, path)
		f.Close()
		if err != nil {
			return nil, err
		}
		var kept []string
		for _, q := range quotes {
			switch prev, seen := first[q]; {
			case !seen:
				first[q] = c
				kept = append(kept, q)
			case prev != c:
				first[q] = -1
			}
		}
		texts = append(texts, kept)
	}
	for c, kept := range texts {
		for _, q := range kept {
			if first[q] == c {
				t.Texts = append(t.Texts, q)
				t.Labels = append(t.Labels, c)
			}
		}
	}
	for c, n := range t.Counts() {
		if n == 0 {
			return nil, fmt.Errorf("fortunes: topic %q has no quotations of its own", topics[c])
		}
	}
	return t, t.Check()
}

// ReadFortunes splits a fortune file (quotations separated by lines
// holding only "%") into quotations, whitespace collapsed and overstrike
// removed; empty ones are skipped. name is used in errors.
func ReadFortunes(r io.Reader, name string) ([]string, error) {
	var out []string
	var cur []string
	flush := func() {
		if q := cleanFortune(strings.Join(cur, "\n")); q != "" {
			out = append(out, q)
		}
		cur = cur[:0]
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for line := 1; sc.Scan(); line++ {
		b := sc.Bytes()
		if !utf8.Valid(b) {
			return nil, fmt.Errorf("%s: line %d: not valid UTF-8", name, line)
		}
		if string(bytes.TrimRight(b, " \t\r")) == "%" {
			flush()
			continue
		}
		cur = append(cur, string(b))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	flush()
	return out, nil
}

// cleanFortune removes overstrike (a character followed by a backspace,
// the old way of underlining and bold) and collapses whitespace.
func cleanFortune(s string) string {
	if strings.ContainsRune(s, '\b') {
		var b []rune
		for _, r := range s {
			if r == '\b' {
				if len(b) > 0 {
					b = b[:len(b)-1]
				}
				continue
			}
			b = append(b, r)
		}
		s = string(b)
	}
	return strings.Join(strings.Fields(s), " ")
}
