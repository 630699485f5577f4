// Package browser holds the browser test of the tlx kernel: a real
// JupyterLab 4 and a real Notebook 7 (from .tlx/venv) are started on
// 127.0.0.1 with the kernel, and Debian's Chromium, driven by playwright-core
// (testdata/drive.js), opens a fixture notebook, runs every cell and reports
// what a person would see: charts drawn on their canvases, the live training
// view updating in place, a panic shown as the cell's error, and, reopened
// untrusted, the charts' static previews.
//
//	go test -count=1 ./kernel/browser
//
// Screenshots go to .tlx/artifacts (lab-fixture.png, lab-untrusted.png,
// notebook7-fixture.png, notebook7-untrusted.png). The package has no code
// of its own beyond the tests.
package browser
