// Package kernel installs and runs the "Go (tlx)" Jupyter kernel.
//
// The kernel is GoNB behind a thin Jupyter protocol layer. Jupyter talks to
// the layer (Launch), the layer talks to a GoNB process it starts, and it
// forwards every message both ways, changing only what GoNB leaves out:
//
//   - a cell that panics, dies of a fatal runtime error or exits non-zero is
//     reported with ename "panic", "fatal error" or "exit", the message as
//     evalue and the goroutine trace as traceback, in both the iopub "error"
//     message and the execute_reply; the trace is not also sent as stderr
//     (one error message, as the protocol expects);
//   - a %% body that ends in an expression that is not a call (x, a + b,
//     v.Field, len(s): a compile error in plain Go) gives its value (%v) as
//     the cell's execute_result, as IPython does;
//   - inspect_request (Shift+Tab) is answered with go doc for the name under
//     the cursor, resolved through the cells' imports: tlx, the standard
//     library and every module tlx builds with (GoNB's answer needs gopls);
//     a name an earlier cell declared is shown from its declaration;
//   - complete_request for a package member (fmt.Pri, tlx.FineT) is answered
//     with the package's exported names; other completions go to GoNB;
//   - history_request (tail, range, search) is answered from the cells this
//     kernel ran, and is_complete_request is answered (GoNB ignores both,
//     which hangs console front-ends);
//   - GoNB starts with a go.work that uses the tlx module's working tree, so
//     a cell can import github.com/tlx-go/tlx/tlx with no go get lines, and
//     edits to the tree are compiled into the next cell.
//
// Install writes the kernelspec:
//
//	go run ./kernel/cmd/tlx-kernel install     # builds GoNB + goimports, writes kernels/tlx
//	go run ./kernel/cmd/tlx-kernel uninstall
package kernel
