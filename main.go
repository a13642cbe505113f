// Command godl is a Jupyter kernel for Go deep-learning notebooks.
//
//	godl install [--user|--prefix P|--sys-prefix] [--no-prewarm]
//	                                                write the kernelspec, then
//	                                                pre-build what a first cell needs
//	godl kernel <connection_file>                   run the kernel (Jupyter starts this)
//	godl worker                                     run cells (the kernel starts this)
//	godl version
package main

import (
	"fmt"
	"os"
	"slices"

	"github.com/godl-dev/godl/install"
	"github.com/godl-dev/godl/kernel"
	"github.com/godl-dev/godl/kernel/engine"
	"github.com/godl-dev/godl/kernel/engine/worker"
)

// Version is the godl version; release builds set it with -ldflags -X.
var Version = "dev"

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	kernel.Version = Version
	var err error
	switch cmd, args := os.Args[1], os.Args[2:]; cmd {
	case "install":
		prewarm := true
		args = slices.DeleteFunc(args, func(a string) bool {
			if a == "--no-prewarm" || a == "-no-prewarm" {
				prewarm = false
				return true
			}
			return false
		})
		if err = install.Main(args); err == nil && prewarm {
			fmt.Println("Pre-building what a first cell needs (a minute the first time; --no-prewarm skips it)...")
			err = engine.Prewarm(engine.Options{})
		}
	case "kernel":
		if len(args) != 1 {
			usage()
			os.Exit(2)
		}
		var eng *engine.Engine
		if eng, err = engine.New(engine.Options{}); err == nil {
			err = kernel.Run(args[0], eng)
		}
	case "worker":
		err = worker.Main(args)
	case "version":
		fmt.Println("godl", Version)
	default:
		usage()
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "godl:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, `usage:
  godl install [--user|--prefix P|--sys-prefix [--python PY]] [--no-prewarm]
  godl kernel <connection_file>
  godl worker
  godl version`)
}
