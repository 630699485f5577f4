"""Times the tlx kernel: start -> first cell result, and a warm cell.

    .tlx/venv/bin/python bench/kernel_start.py [KERNEL]   (default kernel: tlx)
"""
import sys
import time

from jupyter_client.manager import start_new_kernel


def run(kc, code):
    t = time.perf_counter()
    reply = kc.execute_interactive(code, timeout=600, output_hook=lambda m: None)
    assert reply["content"]["status"] == "ok", reply["content"]
    return time.perf_counter() - t


def main():
    name = sys.argv[1] if len(sys.argv) > 1 else "tlx"
    t0 = time.perf_counter()
    km, kc = start_new_kernel(kernel_name=name)
    started = time.perf_counter() - t0
    first = run(kc, '%%\nfmt.Println("hello")')
    warm = run(kc, '%%\nfmt.Println("again")')
    tlx_cell = run(kc, 'import "github.com/tlx-go/tlx/tlx"\n%%\nfmt.Println(tlx.Version)')
    tlx_warm = run(kc, 'import "github.com/tlx-go/tlx/tlx"\n%%\nfmt.Println(tlx.Version, 2)')
    kc.stop_channels()
    km.shutdown_kernel()
    print(f"kernel ready: {started:.2f}s; first cell (fmt): {first:.2f}s; start->first result: {started + first:.2f}s; "
          f"warm cell: {warm:.2f}s; first tlx cell: {tlx_cell:.2f}s; warm tlx cell: {tlx_warm:.2f}s")


if __name__ == "__main__":
    main()
