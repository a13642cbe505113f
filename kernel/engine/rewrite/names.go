package rewrite

import (
	"go/token"
	"regexp"
	"strconv"
	"strings"
)

// RuntimePath is the package of helpers rewritten cells call (the cell's
// value, interrupt checks, stdin); runtimeAlias is its name in cells.
const (
	RuntimePath  = "github.com/godl-dev/godl/kernel/engine/rt"
	runtimeAlias = "_godlrt"
)

// genFile is the file name of generated lines in positions: a message
// that points there is about the rewriter's text, not the user's.
const genFile = "godl-generated"

// manglePrefix turns a name the user did not export into an exported one,
// so a later cell (another package) can reach it. It is an upper-case
// letter nobody types, which lets errors, traces and output be un-mangled.
const manglePrefix = "Ǝ"

// funcPrefix names the function behind a redefinable function variable.
const funcPrefix = "godlfn_"

func mangle(name string) string {
	if name == "_" || token.IsExported(name) {
		return name
	}
	return manglePrefix + name
}

// cellQualifier is a cell package's path or name as it appears in
// messages and traces: "<module>/cells/<session>/c3.", its plugin's main
// package "<module>/cells/<session>/c3/main." (the run function's), or
// "cell3.".
var cellQualifier = regexp.MustCompile(`((?:[\w.-]+/)+cells/[a-z0-9]+/c[0-9]+(?:/main)?\.)|\bcell[0-9]+\.`)

// Unmangle rewrites generated spellings in a message, a trace or output
// back to the user's.
func Unmangle(s string) string {
	s = cellQualifier.ReplaceAllString(s, "")
	s = strings.ReplaceAll(s, funcPrefix, "")
	return strings.ReplaceAll(s, manglePrefix, "")
}

// Completion is name as completion offers it: "" for generated names.
func Completion(name string) string {
	if strings.HasPrefix(name, funcPrefix) {
		return ""
	}
	return strings.TrimPrefix(name, manglePrefix)
}

// Mangle is the spelling of a field or method name in rewritten code.
func Mangle(name string) string { return mangle(name) }

// fileName is the name cell seq's lines carry in positions and traces
// ("cell3:7").
func fileName(seq int) string { return "cell" + strconv.Itoa(seq) }
