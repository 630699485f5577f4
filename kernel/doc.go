// Package kernel installs and runs the "Go (tlx)" Jupyter kernel.
//
// The kernel is GoNB behind a thin Jupyter protocol layer. Jupyter talks to
// the layer (Launch), the layer talks to a GoNB process it starts, and it
// forwards every message both ways, changing only what GoNB leaves out:
//
//   - a cell that panics or exits non-zero is reported with ename "panic" or
//     "exit", the panic message as evalue and the goroutine trace as
//     traceback, in both the iopub "error" message and the execute_reply;
//   - is_complete_request is answered (GoNB ignores it, which hangs
//     console front-ends);
//   - GoNB starts with a go.work that uses the tlx module's working tree, so
//     a cell can import github.com/tlx-go/tlx/tlx with no go get lines, and
//     edits to the tree are compiled into the next cell.
//
// Install writes the kernelspec:
//
//	go run ./kernel/cmd/tlx-kernel install     # builds GoNB + goimports, writes kernels/tlx
//	go run ./kernel/cmd/tlx-kernel uninstall
package kernel
