package tfjs

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// Some npm packages (nsfwjs, for one) ship a layers model as browserify
// bundles instead of files: model.min.js holds `h.exports={format:...,
// modelTopology:...,weightsManifest:...}` as a JavaScript object literal,
// and each group1-shardNofM.min.js holds `h.exports="BASE64"`. Unbundle
// turns them back into model.json and the binary shards, reading the
// literals without running any JavaScript.

// exportsRe finds the module's value: `X.exports=` followed by an object
// or a string (the UMD wrapper's `module.exports=e()` is a call, skipped).
var exportsRe = regexp.MustCompile(`[A-Za-z_$][\w$]*\.exports=([{"])`)

// Unbundle reads a bundled layers model (modelJS, with each shard the
// manifest lists next to it as NAME.min.js) and writes model.json and the
// binary shards (NAME.bin) into dir. It returns the paths written, model.json
// first.
func Unbundle(modelJS, dir string) ([]string, error) {
	src, err := os.ReadFile(modelJS)
	if err != nil {
		return nil, err
	}
	lit, err := exportedLiteral(src, '{')
	if err != nil {
		return nil, fmt.Errorf("%s: %w", modelJS, err)
	}
	js, err := literalToJSON(lit)
	if err != nil {
		return nil, fmt.Errorf("%s: the model literal: %w", modelJS, err)
	}
	var mf map[string]json.RawMessage
	if err := json.Unmarshal(js, &mf); err != nil {
		return nil, fmt.Errorf("%s: the model literal is not a JSON object once converted: %w", modelJS, err)
	}
	var manifest []map[string]json.RawMessage
	if err := json.Unmarshal(mf["weightsManifest"], &manifest); err != nil {
		return nil, fmt.Errorf("%s: weightsManifest: %w", modelJS, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var written []string
	for gi, group := range manifest {
		var paths []string
		if err := json.Unmarshal(group["paths"], &paths); err != nil {
			return nil, fmt.Errorf("%s: weightsManifest[%d].paths: %w", modelJS, gi, err)
		}
		var out []string
		for _, p := range paths {
			base := strings.TrimSuffix(strings.TrimSuffix(filepath.Base(p), ".bin"), ".min.js")
			if base == "" || base != filepath.Base(base) || strings.ContainsAny(base, `/\`) {
				return nil, fmt.Errorf("%s: weightsManifest[%d]: shard path %q", modelJS, gi, p)
			}
			shardJS := filepath.Join(filepath.Dir(modelJS), base+".min.js")
			b, err := os.ReadFile(shardJS)
			if err != nil {
				return nil, fmt.Errorf("shard of %s: %w", modelJS, err)
			}
			s, err := exportedLiteral(b, '"')
			if err != nil {
				return nil, fmt.Errorf("%s: %w", shardJS, err)
			}
			raw, err := base64.StdEncoding.DecodeString(string(s[1 : len(s)-1]))
			if err != nil {
				return nil, fmt.Errorf("%s: the shard string is not base64: %w", shardJS, err)
			}
			name := base + ".bin"
			if err := os.WriteFile(filepath.Join(dir, name), raw, 0o644); err != nil {
				return nil, err
			}
			out = append(out, name)
			written = append(written, filepath.Join(dir, name))
		}
		group["paths"], _ = json.Marshal(out)
	}
	mf["weightsManifest"], _ = json.Marshal(manifest)
	if _, ok := mf["format"]; !ok {
		mf["format"] = json.RawMessage(`"layers-model"`)
	}
	model, err := json.Marshal(mf)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, "model.json")
	if err := os.WriteFile(path, model, 0o644); err != nil {
		return nil, err
	}
	return append([]string{path}, written...), nil
}

// exportedLiteral returns the object or string literal assigned to
// `X.exports` (the one that starts with open).
func exportedLiteral(src []byte, open byte) ([]byte, error) {
	for _, loc := range exportsRe.FindAllSubmatchIndex(src, -1) {
		start := loc[2]
		if src[start] != open {
			continue
		}
		end, err := literalEnd(src, start)
		if err != nil {
			return nil, err
		}
		return src[start:end], nil
	}
	if open == '"' {
		return nil, fmt.Errorf("no `exports=\"...\"` string: not a bundled TF.js weight shard")
	}
	return nil, fmt.Errorf("no `exports={...}` object: not a bundled TF.js model")
}

// literalEnd returns the offset just past the literal that starts at i:
// a string, or brackets balanced outside strings.
func literalEnd(src []byte, i int) (int, error) {
	depth := 0
	for j := i; j < len(src); j++ {
		switch c := src[j]; c {
		case '"', '\'':
			k, err := stringEnd(src, j)
			if err != nil {
				return 0, err
			}
			if depth == 0 {
				return k, nil
			}
			j = k - 1
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return j + 1, nil
			}
		}
	}
	return 0, fmt.Errorf("the literal at byte %d never ends", i)
}

// stringEnd returns the offset just past the quoted string at i.
func stringEnd(src []byte, i int) (int, error) {
	q := src[i]
	for j := i + 1; j < len(src); j++ {
		switch src[j] {
		case '\\':
			j++
		case q:
			return j + 1, nil
		}
	}
	return 0, fmt.Errorf("the string at byte %d never ends", i)
}

// literalToJSON rewrites a minified JavaScript object literal as JSON:
// bare keys quoted, single-quoted strings double-quoted, !0/!1 as
// true/false, void 0 and undefined as null, numbers such as .5, -.5 and
// 1e-3 in JSON's form. Anything else (calls, names) is an error.
func literalToJSON(lit []byte) ([]byte, error) {
	var out bytes.Buffer
	for i := 0; i < len(lit); {
		c := lit[i]
		switch {
		case c == '"' || c == '\'':
			j, err := stringEnd(lit, i)
			if err != nil {
				return nil, err
			}
			s := lit[i:j]
			if c == '\'' {
				u, err := strconv.Unquote(`"` + strings.ReplaceAll(strings.ReplaceAll(string(s[1:len(s)-1]), `\'`, `'`), `"`, `\"`) + `"`)
				if err != nil {
					return nil, fmt.Errorf("string %s: %w", s, err)
				}
				s, _ = json.Marshal(u)
			}
			out.Write(s)
			i = j
		case strings.IndexByte("{}[]:,", c) >= 0:
			out.WriteByte(c)
			i++
		case c == ' ' || c == '\n' || c == '\t' || c == '\r':
			i++
		case c == '!' && i+1 < len(lit) && (lit[i+1] == '0' || lit[i+1] == '1'):
			out.WriteString(map[byte]string{'0': "true", '1': "false"}[lit[i+1]])
			i += 2
		case c == '-' || c == '.' || (c >= '0' && c <= '9'):
			j := i + 1
			for j < len(lit) && strings.IndexByte("0123456789.eE+-", lit[j]) >= 0 {
				j++
			}
			f, err := strconv.ParseFloat(string(lit[i:j]), 64)
			if err != nil {
				return nil, fmt.Errorf("number %q at byte %d: %w", lit[i:j], i, err)
			}
			out.WriteString(strconv.FormatFloat(f, 'g', -1, 64))
			i = j
		case c == '_' || c == '$' || (c|0x20 >= 'a' && c|0x20 <= 'z'):
			j := i + 1
			for j < len(lit) && (lit[j] == '_' || lit[j] == '$' || (lit[j] >= '0' && lit[j] <= '9') || (lit[j]|0x20 >= 'a' && lit[j]|0x20 <= 'z')) {
				j++
			}
			word := string(lit[i:j])
			k := j
			for k < len(lit) && lit[k] == ' ' {
				k++
			}
			switch {
			case k < len(lit) && lit[k] == ':':
				out.WriteString(strconv.Quote(word)) // a bare key
			case word == "true" || word == "false" || word == "null":
				out.WriteString(word)
			case word == "undefined":
				out.WriteString("null")
			case word == "void" && strings.HasPrefix(string(lit[k:]), "0"):
				out.WriteString("null")
				j = k + 1
			default:
				return nil, fmt.Errorf("%q at byte %d: not a literal value", word, i)
			}
			i = j
		default:
			return nil, fmt.Errorf("character %q at byte %d: not part of a literal", c, i)
		}
	}
	return out.Bytes(), nil
}
