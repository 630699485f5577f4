package charts

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
)

// libraryMarker opens the script that carries the echarts library; a page
// that contains it already has the library (see InlineLibrary).
const libraryMarker = `<script data-tlx-echarts="`

// libraryBlock wraps the echarts bundle in one inline script that installs
// window.echarts once per page and then draws the charts queued before it
// arrived. The bundle is UMD: on a page with RequireJS (classic Notebook,
// VS Code's renderers, nbconvert) it would register with define and leave
// window.echarts unset, and under a CommonJS shim it would fill exports; so
// it runs in a function whose define, exports and module parameters hide
// the page's.
func libraryBlock(echartsJS []byte) ([]byte, error) {
	if len(bytes.TrimSpace(echartsJS)) == 0 {
		return nil, fmt.Errorf("echarts library is empty")
	}
	for _, bad := range []string{"</script", "<!--", "<script"} {
		if bytes.Contains(bytes.ToLower(echartsJS), []byte(bad)) {
			return nil, fmt.Errorf("echarts library contains %q and cannot be inlined in a <script>", bad)
		}
	}
	var b bytes.Buffer
	b.WriteString(libraryMarker + `library">/* tlx: the echarts library, once per page */` + "\n")
	b.WriteString("if (!(window.echarts && window.echarts.init)) { (function (define, exports, module) {\n")
	b.Write(echartsJS)
	b.WriteString("\n}).call(window); }\n")
	b.WriteString(`(function () {
  var queue = window.__tlxQueue || [];
  window.__tlxQueue = [];
  for (var i = 0; i < queue.length; i++) {
    try { queue[i](window.echarts); } catch (e) { if (window.console) { console.error("tlx chart:", e); } }
  }
})();
</script>
`)
	return b.Bytes(), nil
}

// EchartsPath is where setup installs the echarts bundle:
// $TLX_ROOT/.tlx/npm/node_modules/echarts/dist/echarts.min.js.
func EchartsPath() (string, error) {
	modules := echartsModules()
	if modules == "" {
		return "", fmt.Errorf("no echarts under $TLX_ROOT/.tlx/npm/node_modules (TLX_ROOT=%q): run scripts/setup.sh", os.Getenv("TLX_ROOT"))
	}
	return filepath.Join(modules, "echarts", "dist", "echarts.min.js"), nil
}

// library caches the library's script once it was read (a failure is not
// kept: setup may install echarts while a process runs).
var library struct {
	sync.Mutex
	html string
}

func loadLibrary() (string, error) {
	library.Lock()
	defer library.Unlock()
	if library.html != "" {
		return library.html, nil
	}
	path, err := EchartsPath()
	if err != nil {
		return "", err
	}
	js, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("reading the echarts library: %w", err)
	}
	block, err := libraryBlock(js)
	if err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	library.html = string(block)
	return library.html, nil
}

// Library returns the echarts library as HTML: one inline script (about
// 1 MB) that defines window.echarts on a page that lacks it, even one with
// RequireJS, and then draws the charts that were waiting for it. Any chart
// on the same page draws with it, before or after it in the page.
func Library() (string, error) { return loadLibrary() }

// sentHere records, outside a notebook, that this process already wrote
// the library (its output is one stream).
var sentHere atomic.Bool

// sessionMarker is the file, in GoNB's per-kernel temporary folder, that
// records which output carried the library in this kernel session.
const sessionMarker = "tlx-echarts-sent"

// SessionLibrary returns the echarts library (see Library) if this kernel
// session has not sent it yet, and "" if it has.
//
// A GoNB cell is a fresh process, so the record lives outside it: a file in
// the folder GoNB makes once per kernel and passes to every cell as
// $GONB_TMP_DIR (a restarted kernel gets a new one, and sends the library
// again). carrier names the output that takes the library (a chart's id, a
// live view's title): when a later cell renders the same carrier again —
// the cell that carried the library is being re-run, which replaces its
// output — the library is sent again, so the saved notebook keeps a copy.
// Outside a notebook the library is included once per process. When the
// library cannot be read (setup not run) it returns "": charts then show
// their static previews with a note.
func SessionLibrary(carrier string) string {
	lib, err := Library()
	if err != nil {
		return ""
	}
	dir := os.Getenv("GONB_TMP_DIR")
	if dir == "" {
		if sentHere.Swap(true) {
			return ""
		}
		return lib
	}
	if firstInSession(filepath.Join(dir, sessionMarker), carrier) {
		return lib
	}
	return ""
}

// firstInSession creates the marker naming carrier and reports true, or
// finds it and reports whether it names carrier. When unsure (the folder
// cannot be written or read) it reports true: a second copy of the library
// costs bytes, a missing one costs the charts.
func firstInSession(marker, carrier string) bool {
	f, err := os.OpenFile(marker, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil {
		_, werr := f.WriteString(carrier)
		if cerr := f.Close(); werr != nil || cerr != nil {
			os.Remove(marker)
		}
		return true
	}
	if !errors.Is(err, fs.ErrExist) {
		return true
	}
	got, err := os.ReadFile(marker)
	return err != nil || string(got) == carrier
}
