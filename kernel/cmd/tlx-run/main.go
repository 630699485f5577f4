// Command tlx-run executes notebooks headless with the "Go (tlx)" kernel.
//
//	tlx-run [--html OUT.html] [--out OUT.ipynb] [--dir DIR] [--timeout 30m] [--quick] NOTEBOOK.ipynb...
//
// For each notebook it writes the executed notebook and a self-contained
// HTML report (charts draw offline): next to the notebook by default
// (NAME.out.ipynb, NAME.html), or in DIR with --dir. It exits with status 1 naming the
// notebook and cell when a cell fails to compile, panics or exits non-zero.
// --quick sets TLX_QUICK=1 for the kernel: course notebooks then use smaller
// subsets through the same code path.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tlx-go/tlx/kernel/runner"
)

func main() {
	html := flag.String("html", "", "report path (one notebook only); default NOTEBOOK.html")
	out := flag.String("out", "", "executed notebook path (one notebook only); default NOTEBOOK.out.ipynb")
	timeout := flag.Duration("timeout", 30*time.Minute, "limit for one cell")
	dir := flag.String("dir", "", "write NAME.html and NAME.ipynb for each notebook into this folder")
	quick := flag.Bool("quick", false, "set TLX_QUICK=1: notebooks run on small subsets")
	flag.Parse()
	if flag.NArg() == 0 || (flag.NArg() > 1 && (*html != "" || *out != "")) {
		fmt.Fprintln(os.Stderr, "usage: tlx-run [--html OUT.html] [--out OUT.ipynb] [--dir DIR] [--timeout D] [--quick] NOTEBOOK.ipynb...")
		os.Exit(2)
	}
	var env []string
	if *quick {
		env = append(env, "TLX_QUICK=1")
	}
	var outcomes []outcome
	for _, nb := range flag.Args() {
		o := runner.Options{Notebook: nb, HTML: *html, OutNotebook: *out, CellTimeout: *timeout, Env: env}
		if *dir != "" {
			name := strings.TrimSuffix(filepath.Base(nb), filepath.Ext(nb))
			o.HTML, o.OutNotebook = filepath.Join(*dir, name+".html"), filepath.Join(*dir, name+".ipynb")
		}
		start := time.Now()
		res, err := runner.Run(o)
		if res != nil {
			fmt.Printf("%s: %d cells in %.1fs -> %s\n", nb, res.Cells, res.Duration.Seconds(), res.HTML)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "tlx-run:", err)
			if ce, ok := err.(*runner.CellError); ok && ce.Traceback != "" {
				fmt.Fprintln(os.Stderr, ce.Traceback)
			}
		}
		outcomes = append(outcomes, outcome{Notebook: nb, Seconds: time.Since(start).Seconds(), Err: err})
	}
	failed := summarize(os.Stdout, outcomes)
	if failed > 0 {
		os.Exit(1)
	}
}
