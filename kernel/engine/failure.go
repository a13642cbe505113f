package engine

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"syscall"

	"github.com/godl-dev/godl/kernel"
	"github.com/godl-dev/godl/kernel/engine/rewrite"
	wp "github.com/godl-dev/godl/kernel/engine/workerproto"
)

// memLimit is the worker's address-space cap.
func (e *Engine) memLimit() uint64 {
	if e.opts.MemLimit != 0 {
		return e.opts.MemLimit
	}
	if s := os.Getenv("GODL_MEMORY_LIMIT"); s != "" {
		if n, err := parseSize(s); err == nil {
			return n
		}
	}
	var si syscall.Sysinfo_t
	if syscall.Sysinfo(&si) == nil {
		return min(uint64(si.Totalram)*uint64(si.Unit)/2, 8<<30)
	}
	return 8 << 30
}

// parseSize reads "4G", "512M", "1000000" (bytes); "0" means no limit.
func parseSize(s string) (uint64, error) {
	mult := uint64(1)
	switch strings.ToUpper(s[len(s)-1:]) {
	case "K":
		mult = 1 << 10
	case "M":
		mult = 1 << 20
	case "G":
		mult = 1 << 30
	}
	if mult != 1 {
		s = s[:len(s)-1]
	}
	n, err := strconv.ParseFloat(s, 64)
	return uint64(n * float64(mult)), err
}

// frameFile matches a stack line inside a cell: "\tcell3:7 +0x1d".
var frameFile = regexp.MustCompile(`(?:^|[/\s])cell([0-9]+):([0-9]+)`)

// runtimeError turns a worker's failure into the cell's error, with the
// stack trimmed to cell frames and labelled with the cell and its line.
func (e *Engine) runtimeError(rep wp.Reply) *kernel.CellError {
	switch rep.Failure {
	case wp.Interrupted:
		return cellError("Interrupted", "interrupted: the cell was stopped; variables are kept")
	case wp.LoadFailed, wp.Stale:
		msg := rep.EValue
		if rep.Failure == wp.Stale {
			msg += "\n(the godl source or toolchain changed while the kernel ran: restart the kernel)"
		}
		return cellError("LoadError", firstLine(msg), "could not load the cell: "+msg)
	}
	ev := rewrite.Unmangle(rep.EValue)
	tb := append([]string{rep.EName + ": " + ev}, e.cellFrames(rep.Stack)...)
	return cellError(rep.EName, ev, tb...)
}

// cellFrames keeps the frames of a Go stack trace that are in cells, as
// "  In [4], line 3, in f".
func (e *Engine) cellFrames(stack string) []string {
	var tb []string
	lines := strings.Split(stack, "\n")
	for i := 1; i < len(lines); i++ {
		m := frameFile.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		seq, _ := strconv.Atoi(m[1])
		label := "cell " + m[1]
		if n, ok := e.counts.Load(seq); ok && n.(int) > 0 {
			label = fmt.Sprintf("In [%d]", n)
		}
		fn := rewrite.Unmangle(lines[i-1])
		if j := strings.LastIndex(fn, "("); j > 0 {
			fn = fn[:j]
		}
		fn = strings.TrimPrefix(strings.TrimPrefix(fn, "created by "), wp.RunSymbol)
		if k := strings.Index(fn, " in goroutine"); k >= 0 {
			fn = fn[:k]
		}
		if strings.HasPrefix(fn, ".func") || strings.HasPrefix(fn, "init.func") || strings.HasPrefix(fn, "glob..func") {
			fn = "func literal"
		}
		where := fmt.Sprintf("  %s, line %s", label, m[2])
		if fn != "" {
			where += ", in " + fn
		}
		tb = append(tb, where)
	}
	return tb
}
