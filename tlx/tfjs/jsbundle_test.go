package tfjs

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A minified literal as bundlers write it becomes the JSON it stands for.
func TestLiteralToJSON(t *testing.T) {
	got, err := literalToJSON([]byte(`{format:"layers-model",a:!0,b:!1,c:.5,d:-.25,e:1e-3,f:10875285170186544e-22,g:null,h:[1,2,{"q":'it\'s'}],i:void 0}`))
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := json.Unmarshal(got, &v); err != nil {
		t.Fatalf("%s is not JSON: %v", got, err)
	}
	want := map[string]any{"format": "layers-model", "a": true, "b": false, "c": 0.5, "d": -0.25, "e": 0.001, "f": 1.0875285170186544e-06, "g": nil}
	for k, w := range want {
		if v[k] != w {
			t.Errorf("%s = %v, want %v", k, v[k], w)
		}
	}
	if h := v["h"].([]any); h[2].(map[string]any)["q"] != "it's" {
		t.Errorf("h = %v", h)
	}
	for _, bad := range []string{`{a:foo()}`, `{a:window.x}`, `{a:"unterminated}`} {
		if _, err := literalToJSON([]byte(bad)); err == nil {
			t.Errorf("%s was accepted", bad)
		}
	}
}

// Unbundle writes model.json and the shard bytes that the bundle's
// modules hold, renaming the manifest's shard paths.
func TestUnbundle(t *testing.T) {
	src := t.TempDir()
	shard := []byte{1, 2, 3, 250}
	umd := `!function(e){"object"==typeof exports&&"undefined"!=typeof module?module.exports=e():window.m=e()}(function(){return function e(a,n,i){}({1:[function(e,h,n){h.exports=%s},{}]},{},[1])(1)});`
	model := `{format:"layers-model",modelTopology:{class_name:"Sequential",config:{name:"tiny",layers:[]}},weightsManifest:[{paths:["group1-shard1of1.bin"],weights:[{name:"w",shape:[4],dtype:"float32",quantization:{min:-.5,scale:.01,dtype:"uint8"}}]}]}`
	if err := os.WriteFile(filepath.Join(src, "model.min.js"), []byte(strings.Replace(umd, "%s", model, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "group1-shard1of1.min.js"), []byte(strings.Replace(umd, "%s", `"`+base64.StdEncoding.EncodeToString(shard)+`"`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	files, err := Unbundle(filepath.Join(src, "model.min.js"), out)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 || filepath.Base(files[0]) != "model.json" || filepath.Base(files[1]) != "group1-shard1of1.bin" {
		t.Fatalf("wrote %v", files)
	}
	b, _ := os.ReadFile(files[1])
	if string(b) != string(shard) {
		t.Errorf("shard bytes %v, want %v", b, shard)
	}
	mf, _, err := readModel(files[0])
	if err != nil {
		t.Fatalf("model.json does not read back: %v", err)
	}
	if mf.WeightsManifest[0].Weights[0].Quantization.DType != "uint8" || mf.WeightsManifest[0].Paths[0] != "group1-shard1of1.bin" {
		t.Errorf("manifest %+v", mf.WeightsManifest)
	}
	if _, err := Unbundle(filepath.Join(src, "group1-shard1of1.min.js"), t.TempDir()); err == nil {
		t.Error("a shard was accepted as a model bundle")
	}
}
