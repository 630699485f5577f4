"""Jupyter protocol conformance of the tlx kernel (python3-jupyter-kernel-test).

Run by conformance_test.go with JUPYTER_DATA_DIR pointing at a test install:
    conformance.py REPORT_FILE
The kernel's own log goes to stderr; the test report goes to REPORT_FILE.
"""
import sys
import unittest

import jupyter_kernel_test as jkt


class TlxKernelTests(jkt.KernelTests):
    kernel_name = "tlx"
    language_name = "go"
    file_extension = ".go"

    code_hello_world = '%%\nfmt.Println("hello, world")'
    code_stderr = '%%\nfmt.Fprintln(os.Stderr, "to stderr")'
    code_display_data = [
        {"code": 'import "github.com/janpfeifer/gonb/gonbui"\n%%\ngonbui.DisplayHTML("<b>tlx</b>")\ngonbui.Sync()',
         "mime": "text/html"},
    ]
    # A run-time failure: the cell compiles, then its program exits non-zero.
    code_generate_error = '%%\nos.Exit(3)'

    complete_code_samples = ['fmt.Println("hi")', "func f() {\n\treturn\n}", "x := []int{1, 2}"]
    incomplete_code_samples = ["func f() {", "x := []int{1,\n2,", "s := `open raw string"]
    invalid_code_samples = ["}", "f(x))"]


if __name__ == "__main__":
    with open(sys.argv[1], "w") as report:
        result = unittest.main(argv=sys.argv[:1], testRunner=unittest.TextTestRunner(stream=report, verbosity=2), exit=False).result
    sys.exit(0 if result.wasSuccessful() else 1)
