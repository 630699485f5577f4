package data

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"
)

// TextFolderMode says what one example is in a TextFolder.
type TextFolderMode int

const (
	// FilePerExample makes each .txt file one example (its whole text).
	FilePerExample TextFolderMode = iota
	// LinePerExample makes each non-blank line of a .txt file one example.
	LinePerExample
)

// TextFolder loads a folder with one sub-folder per class (the class
// names, sorted) of .txt files (UTF-8), read in name order. mode says
// whether a file or a line is one example. Errors name the file (and the
// line).
func TextFolder(dir string, mode TextFolderMode) (*Text, error) {
	if mode != FilePerExample && mode != LinePerExample {
		return nil, fmt.Errorf("TextFolder(%s): mode %d, want FilePerExample or LinePerExample", dir, mode)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("TextFolder: %w", err)
	}
	t := &Text{Name: filepath.Base(dir)}
	for _, e := range entries {
		if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			t.Classes = append(t.Classes, e.Name())
		}
	}
	sort.Strings(t.Classes)
	if len(t.Classes) == 0 {
		return nil, fmt.Errorf("TextFolder(%s): no class sub-folders", dir)
	}
	for label, class := range t.Classes {
		files, err := os.ReadDir(filepath.Join(dir, class))
		if err != nil {
			return nil, fmt.Errorf("TextFolder: %w", err)
		}
		for _, f := range files {
			if f.IsDir() || strings.ToLower(filepath.Ext(f.Name())) != ".txt" {
				continue
			}
			texts, err := readTextFile(filepath.Join(dir, class, f.Name()), mode)
			if err != nil {
				return nil, err
			}
			for _, s := range texts {
				t.Texts = append(t.Texts, s)
				t.Labels = append(t.Labels, label)
			}
		}
	}
	if t.Len() == 0 {
		return nil, fmt.Errorf("TextFolder(%s): no non-empty .txt files in %d class folders", dir, len(t.Classes))
	}
	return t, t.Check()
}

// readTextFile returns a file's text as one example, or its non-blank
// lines as examples.
func readTextFile(path string, mode TextFolderMode) ([]string, error) {
	if mode == FilePerExample {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("TextFolder: %w", err)
		}
		if !utf8.Valid(b) {
			return nil, fmt.Errorf("%s: not valid UTF-8", path)
		}
		s := strings.TrimSpace(strings.TrimPrefix(string(b), "\ufeff"))
		if s == "" {
			return nil, nil
		}
		return []string{s}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("TextFolder: %w", err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 64<<20)
	for line := 1; sc.Scan(); line++ {
		s := sc.Text()
		if line == 1 {
			s = strings.TrimPrefix(s, "\ufeff")
		}
		if !utf8.ValidString(s) {
			return nil, fmt.Errorf("%s: line %d: not valid UTF-8", path, line)
		}
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}
