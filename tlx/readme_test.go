package tlx_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var goBlock = regexp.MustCompile("(?s)```go\n(.*?)```")

// cellProgram turns a GoNB cell into a Go program as the kernel does:
// what precedes the "%%" line is top-level code (imports, declarations),
// what follows is the body of main; other "%" magics and "!" shell lines
// are left out.
func cellProgram(cell string) string {
	var top, body []string
	inMain := false
	for _, line := range strings.Split(cell, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "%%":
			inMain = true
			continue
		case strings.HasPrefix(trimmed, "%") || strings.HasPrefix(trimmed, "!"):
			continue
		}
		if inMain {
			body = append(body, line)
		} else {
			top = append(top, line)
		}
	}
	src := "package main\n\n" + strings.Join(top, "\n") + "\n"
	if inMain {
		src += "\nfunc main() {\n" + strings.Join(body, "\n") + "\n}\n"
	}
	return src
}

// goimports finds the goimports the kernel uses (setup builds it into
// .tlx/bin), which adds the imports a cell leaves out, as GoNB does.
func goimports(t *testing.T, root string) string {
	t.Helper()
	if p := filepath.Join(root, ".tlx", "bin", "goimports"); fileExists(p) {
		return p
	}
	if p, err := exec.LookPath("goimports"); err == nil {
		return p
	}
	t.Skip("goimports is not installed (bash scripts/setup.sh builds it into .tlx/bin)")
	return ""
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// Every ```go block of README.md compiles as a notebook cell against this
// tree: the README's examples cannot rot.
func TestReadmeGoBlocksCompile(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := goBlock.FindAllStringSubmatch(string(readme), -1)
	if len(blocks) == 0 {
		t.Fatal("README.md has no ```go block")
	}
	cells := make([]string, len(blocks))
	for i, b := range blocks {
		cells[i] = b[1]
	}
	// A last cell that must not compile (a wrong argument) shows that the
	// check can fail.
	cells = append(cells, "import \"github.com/tlx-go/tlx/tlx\"\n\n%%\ntlx.Must(42)\n")
	imports := goimports(t, root)
	tmp := t.TempDir()
	overlay := map[string]string{}
	var pkgs []string
	for i, cell := range cells {
		cmd := exec.Command(imports)
		cmd.Stdin = strings.NewReader(cellProgram(cell))
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		src, err := cmd.Output()
		if err != nil {
			t.Errorf("README.md go block %d does not parse: %v\n%s\n%s", i+1, err, stderr.String(), cell)
			continue
		}
		file := filepath.Join(tmp, fmt.Sprintf("block%d.go", i+1))
		if err := os.WriteFile(file, src, 0o644); err != nil {
			t.Fatal(err)
		}
		// The program is placed, through -overlay, in a package inside the
		// module that exists only for the compiler: nothing is written to the tree.
		pkg := filepath.Join("tlx", "internal", "readmeblock", fmt.Sprintf("block%d", i+1))
		overlay[filepath.Join(root, pkg, "main.go")] = file
		pkgs = append(pkgs, "./"+pkg)
	}
	js, _ := json.Marshal(map[string]any{"Replace": overlay})
	overlayFile := filepath.Join(tmp, "overlay.json")
	if err := os.WriteFile(overlayFile, js, 0o644); err != nil {
		t.Fatal(err)
	}
	for i, pkg := range pkgs {
		cmd := exec.Command("go", "build", "-overlay", overlayFile, "-o", os.DevNull, pkg)
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		switch {
		case i == len(pkgs)-1 && err == nil:
			t.Errorf("a cell calling tlx.Must(42) compiled: the check cannot fail")
		case i < len(pkgs)-1 && err != nil:
			t.Errorf("README.md go block %d does not compile: %v\n%s\n%s", i+1, err, out, cells[i])
		}
	}
}
