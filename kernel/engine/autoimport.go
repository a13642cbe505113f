package engine

import (
	"path"
	"strings"
)

// preferred settles names that several packages share. math/rand (not
// math/rand/v2) is the one tutorials use: rand.Intn, rand.Float64.
var preferred = map[string]string{
	"rand":     "math/rand",
	"template": "text/template",
	"scanner":  "text/scanner",
	"pprof":    "runtime/pprof",
	"trace":    "runtime/trace",
	"draw":     "image/draw",
	"big":      "math/big",
	"constant": "go/constant",
	"build":    "go/build",
	"types":    "go/types",
	"doc":      "go/doc",
	"format":   "go/format",
	"parser":   "go/parser",
	"printer":  "go/printer",
	"token":    "go/token",
	"ast":      "go/ast",
	"json":     "encoding/json",
	"hash":     "hash",
	"url":      "net/url",
	"color":    "image/color",
	"palette":  "image/color/palette",
	"pe":       "debug/pe",
	"errors":   "errors",
	"sort":     "sort",
	"fmt":      "fmt",
	"math":     "math",
}

// godlPackages are imported automatically too; they win over std names.
var godlPackages = map[string]string{
	"dl":       modulePath + "/dl",
	"nn":       modulePath + "/dl/nn",
	"optim":    modulePath + "/dl/optim",
	"data":     modulePath + "/dl/data",
	"display":  modulePath + "/display",
	"widgets":  modulePath + "/widgets",
	"gonbui":   "github.com/janpfeifer/gonb/gonbui",
	"mat":      "gonum.org/v1/gonum/mat",
	"floats":   "gonum.org/v1/gonum/floats",
	"stat":     "gonum.org/v1/gonum/stat",
	"plot":     "gonum.org/v1/plot",
	"plotter":  "gonum.org/v1/plot/plotter",
	"plotutil": "gonum.org/v1/plot/plotutil",
	"vg":       "gonum.org/v1/plot/vg",
}

// autoImports maps a package name to the import path a cell gets when it
// uses the name without declaring or importing it.
func autoImports(std []string) map[string]string {
	m := map[string]string{}
	for _, p := range std {
		name := path.Base(p)
		if strings.HasPrefix(name, "v") && len(name) > 1 && strings.Trim(name[1:], "0123456789") == "" {
			name = path.Base(path.Dir(p)) // math/rand/v2 is package rand
		}
		old, ok := m[name]
		if !ok || len(p) < len(old) || (len(p) == len(old) && p < old) {
			m[name] = p
		}
	}
	for k, v := range preferred {
		m[k] = v
	}
	for k, v := range godlPackages {
		m[k] = v
	}
	return m
}
