// Command generate writes the tutorial notebooks from their sources:
//
//	go run ./notebooks/generate [notebooks directory]
//
// (the directory defaults to the current one). make notebooks runs it.
package main

import (
	"fmt"
	"os"

	"github.com/godl-dev/godl/notebooks"
)

func main() {
	dir := "."
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	err := notebooks.Generate(dir, func(name string) { fmt.Println("wrote", name) })
	if err != nil {
		fmt.Fprintln(os.Stderr, "generate:", err)
		os.Exit(1)
	}
}
