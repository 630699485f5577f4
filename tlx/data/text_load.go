package data

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// LoadText loads a labelled text set by the file's kind: .csv and .tsv
// (ReadTextCSV, with a header naming textField and labelField), .jsonl and
// .ndjson (ReadTextJSONL, one object per line with those fields), or a
// folder of class folders of .txt files (TextFolder, one file per
// example; textField and labelField are not used).
func LoadText(path, textField, labelField string) (*Text, error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return TextFolder(path, FilePerExample)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load text: %w", err)
	}
	defer f.Close()
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".csv":
		return ReadTextCSV(f, path, ',', textField, labelField)
	case ".tsv", ".tab":
		return ReadTextCSV(f, path, '\t', textField, labelField)
	case ".jsonl", ".ndjson":
		return ReadTextJSONL(f, path, textField, labelField)
	default:
		return nil, fmt.Errorf("load text %s: unknown extension %q, want .csv, .tsv, .jsonl, .ndjson or a folder", path, ext)
	}
}

// ReadTextCSV reads a table whose first row is a header; textColumn and
// labelColumn name the columns holding the text and its class (any
// string). comma is the field separator (',' for CSV, '\t' for TSV; TSV
// fields may hold bare quotes). Classes are the distinct labels, sorted
// (numerically when all are integers). name is used in errors, which give
// the line.
func ReadTextCSV(r io.Reader, name string, comma rune, textColumn, labelColumn string) (*Text, error) {
	cr := csv.NewReader(r)
	cr.Comma = comma
	cr.LazyQuotes = comma == '\t'
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s: empty file, want a header row naming columns %q and %q", name, textColumn, labelColumn)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: header: %w", name, err)
	}
	header = slices.Clone(header)
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff") // a UTF-8 byte order mark
	}
	ti, li := slices.Index(header, textColumn), slices.Index(header, labelColumn)
	if ti < 0 || li < 0 {
		missing := textColumn
		if ti >= 0 {
			missing = labelColumn
		}
		return nil, fmt.Errorf("%s: line 1: no column %q in header %q", name, missing, header)
	}
	var texts, labels []string
	for {
		row, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("%s: line %d: %w", name, pe.StartLine, pe.Err)
			}
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		text, label := strings.TrimSpace(row[ti]), strings.TrimSpace(row[li])
		if err := checkTextField(text, label); err != nil {
			return nil, fmt.Errorf("%s: line %d: column %q/%q: %w", name, line, textColumn, labelColumn, err)
		}
		texts, labels = append(texts, text), append(labels, label)
	}
	return newText(name, texts, labels)
}

// ReadTextJSONL reads one JSON object per line (blank lines are skipped);
// textField names the text's field (a string), labelField the class's (a
// string or an integer). Classes are sorted as in ReadTextCSV. Errors give
// the line.
func ReadTextJSONL(r io.Reader, name, textField, labelField string) (*Text, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 64<<20)
	var texts, labels []string
	for line := 1; sc.Scan(); line++ {
		raw := bytes.TrimSpace(sc.Bytes())
		if len(raw) == 0 {
			continue
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil {
			return nil, fmt.Errorf("%s: line %d: not a JSON object: %w", name, line, err)
		}
		var text string
		rawText, ok := obj[textField]
		if !ok {
			return nil, fmt.Errorf("%s: line %d: no field %q", name, line, textField)
		}
		if err := json.Unmarshal(rawText, &text); err != nil {
			return nil, fmt.Errorf("%s: line %d: field %q is %s, want a string", name, line, textField, rawText)
		}
		rawLabel, ok := obj[labelField]
		if !ok {
			return nil, fmt.Errorf("%s: line %d: no field %q", name, line, labelField)
		}
		label, err := jsonLabel(rawLabel)
		if err != nil {
			return nil, fmt.Errorf("%s: line %d: field %q: %w", name, line, labelField, err)
		}
		text = strings.TrimSpace(text)
		if err := checkTextField(text, label); err != nil {
			return nil, fmt.Errorf("%s: line %d: field %q/%q: %w", name, line, textField, labelField, err)
		}
		texts, labels = append(texts, text), append(labels, label)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return newText(name, texts, labels)
}

// jsonLabel reads a class label given as a JSON string or integer.
func jsonLabel(raw json.RawMessage) (string, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return strings.TrimSpace(s), nil
	}
	var n json.Number
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&n); err == nil {
		if _, err := strconv.ParseInt(n.String(), 10, 64); err == nil {
			return n.String(), nil
		}
	}
	return "", fmt.Errorf("%s, want a string or an integer", raw)
}

// checkTextField rejects an empty text or label and invalid UTF-8.
func checkTextField(text, label string) error {
	switch {
	case text == "":
		return errors.New("empty text")
	case label == "":
		return errors.New("empty label")
	case !utf8.ValidString(text):
		return errors.New("text is not valid UTF-8")
	case !utf8.ValidString(label):
		return errors.New("label is not valid UTF-8")
	}
	return nil
}

// newText builds a Text from label strings: the classes are the distinct
// labels, sorted numerically when all are integers, else as strings.
func newText(name string, texts, labels []string) (*Text, error) {
	if len(texts) == 0 {
		return nil, fmt.Errorf("%s: no examples", name)
	}
	classes := slices.Clone(labels)
	slices.Sort(classes)
	classes = slices.Compact(classes)
	sortClasses(classes)
	index := make(map[string]int, len(classes))
	for i, c := range classes {
		index[c] = i
	}
	t := &Text{Name: name, Texts: texts, Labels: make([]int, len(labels)), Classes: classes}
	for i, l := range labels {
		t.Labels[i] = index[l]
	}
	return t, t.Check()
}

// sortClasses sorts class names numerically when all are integers ("2"
// before "10"), leaving them as they are otherwise.
func sortClasses(classes []string) {
	nums := make(map[string]int64, len(classes))
	for _, c := range classes {
		n, err := strconv.ParseInt(c, 10, 64)
		if err != nil {
			return
		}
		nums[c] = n
	}
	slices.SortFunc(classes, func(a, b string) int { return cmp.Compare(nums[a], nums[b]) })
}
