// Command tlx-kernel installs, uninstalls and runs the "Go (tlx)" Jupyter kernel.
//
//	tlx-kernel install            build GoNB, goimports and tlx-kernel; write the kernelspec
//	tlx-kernel uninstall          remove the kernelspec
//	tlx-kernel launch CONNECTION  run the kernel (what Jupyter calls)
//
// Run it from the tlx working tree: go run ./kernel/cmd/tlx-kernel install.
// JUPYTER_DATA_DIR chooses where the kernelspec goes.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/tlx-go/tlx/kernel"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "tlx-kernel:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: tlx-kernel install | uninstall | launch CONNECTION_FILE")
	}
	switch args[0] {
	case "install", "uninstall":
		root, err := kernel.FindRoot(".")
		if err != nil {
			return err
		}
		layout, err := kernel.DefaultLayout(root)
		if err != nil {
			return err
		}
		if args[0] == "uninstall" {
			return layout.Uninstall()
		}
		if err := layout.Build(os.Stderr); err != nil {
			return err
		}
		if err := layout.Install(); err != nil {
			return err
		}
		fmt.Printf("installed kernel %q (%s) in %s\n", kernel.KernelName, kernel.DisplayName, layout.KernelDir())
		return nil
	case "launch":
		if len(args) != 2 {
			return fmt.Errorf("usage: tlx-kernel launch CONNECTION_FILE")
		}
		root := os.Getenv("TLX_ROOT")
		if root == "" {
			return fmt.Errorf("TLX_ROOT is not set: launch the kernel through its kernelspec (tlx-kernel install writes it)")
		}
		self, err := os.Executable()
		if err != nil {
			return err
		}
		gonb := filepath.Join(filepath.Dir(self), "gonb")
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
		defer stop()
		signal.Ignore(syscall.SIGINT) // interrupts arrive as messages and are forwarded to GoNB
		return kernel.Launch(ctx, args[1], root, kernel.InitCells(root), gonb, "--go_work="+root, "--logtostderr")
	default:
		return fmt.Errorf("unknown command %q: want install, uninstall or launch", args[0])
	}
}
