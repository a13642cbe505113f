package engine

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/godl-dev/godl/kernel"
	wp "github.com/godl-dev/godl/kernel/engine/workerproto"
)

// memClass is what a mapping of the worker holds, for attributing its
// resident memory.
type memClass int

const (
	memWorker memClass = iota // the worker binary (dl, display, gonum, plot, runtime)
	memCells                  // cell plugins (.so), text and data
	memLibs                   // shared C libraries and the dynamic loader
	memHeap                   // anonymous memory: the Go heap, stacks, C malloc
	memOther                  // vdso, vvar, ...
	numMemClasses
)

func (c memClass) String() string {
	return [...]string{"worker and libs", "cell plugins", "C libraries", "heap and stacks", "other"}[c]
}

// mapping is one entry of /proc/<pid>/smaps.
type mapping struct {
	path, perms            string
	size, rss, pss         uint64 // bytes
	privDirty, privClean   uint64
	sharedDirty, anonymous uint64
}

// readSmaps reads /proc/<pid>/smaps.
func readSmaps(pid int) ([]mapping, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps", pid))
	if err != nil {
		return nil, err
	}
	return parseSmaps(data)
}

func parseSmaps(data []byte) ([]mapping, error) {
	var maps []mapping
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if strings.Contains(f[0], "-") && !strings.HasSuffix(f[0], ":") {
			// "start-end perms offset dev inode [path]"
			m := mapping{}
			if len(f) >= 2 {
				m.perms = f[1]
			}
			if len(f) >= 6 {
				m.path = strings.Join(f[5:], " ")
			}
			maps = append(maps, m)
			continue
		}
		if len(maps) == 0 || len(f) < 2 || !strings.HasSuffix(f[0], ":") {
			continue
		}
		n, err := strconv.ParseUint(f[1], 10, 64)
		if err != nil {
			continue
		}
		n <<= 10 // kB
		m := &maps[len(maps)-1]
		switch f[0] {
		case "Size:":
			m.size = n
		case "Rss:":
			m.rss = n
		case "Pss:":
			m.pss = n
		case "Private_Dirty:":
			m.privDirty = n
		case "Private_Clean:":
			m.privClean = n
		case "Shared_Dirty:":
			m.sharedDirty = n
		case "Anonymous:":
			m.anonymous = n
		}
	}
	return maps, sc.Err()
}

// mapClass says what a mapping of a worker whose executable is exe holds.
func mapClass(m mapping, exe string) memClass {
	p := strings.TrimSuffix(m.path, " (deleted)")
	switch {
	case p == "" || p == "[heap]" || strings.HasPrefix(p, "[stack") || strings.HasPrefix(p, "[anon"):
		return memHeap
	case exe != "" && p == exe || strings.HasPrefix(filepath.Base(p), "libgodl-"):
		return memWorker
	case strings.HasSuffix(p, ".so") && strings.Contains(p, string(filepath.Separator)+"cells"+string(filepath.Separator)):
		return memCells
	case strings.HasPrefix(p, "["):
		return memOther
	case strings.Contains(filepath.Base(p), ".so"):
		return memLibs
	}
	return memOther
}

// memUsage is a worker's resident memory, by what holds it.
type memUsage struct {
	rss, pss  uint64
	anonymous uint64 // also counted in the classes (anonymous pages of file mappings are relocated data)
	class     [numMemClasses]struct{ rss, privDirty, size uint64 }
	plugins   int // cell plugins mapped
}

func summarize(maps []mapping, exe string) memUsage {
	var u memUsage
	seen := map[string]bool{}
	for _, m := range maps {
		c := mapClass(m, exe)
		u.rss += m.rss
		u.pss += m.pss
		u.anonymous += m.anonymous
		u.class[c].rss += m.rss
		u.class[c].privDirty += m.privDirty
		u.class[c].size += m.size
		if c == memCells && !seen[m.path] {
			seen[m.path] = true
			u.plugins++
		}
	}
	return u
}

// workerMemory measures the resident memory of the worker process pid.
func workerMemory(pid int) (memUsage, error) {
	maps, err := readSmaps(pid)
	if err != nil {
		return memUsage{}, err
	}
	exe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
	return summarize(maps, strings.TrimSuffix(exe, " (deleted)")), nil
}

// fmtMB formats bytes as MB with one decimal.
func fmtMB(n uint64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }

// memReport is the worker's memory as %memory shows it.
type memReport struct {
	pid   int
	usage memUsage
	stats *wp.MemStats // nil if the worker did not say
	limit uint64
}

// workerMemReport measures the running worker; nil when none runs.
func (e *Engine) workerMemReport(ctx context.Context, out kernel.Output) (*memReport, error) {
	e.mu.Lock()
	p := e.proc
	e.mu.Unlock()
	if p == nil || !p.alive() {
		return nil, nil
	}
	<-e.done
	r := &memReport{pid: p.cmd.Process.Pid, limit: e.memLimit()}
	if o := e.exchange(ctx, p, wp.Request{Op: wp.OpMem, ID: -4}, nil, out); o.fate == answered {
		r.stats = o.reply.Mem
	}
	u, err := workerMemory(r.pid)
	if err != nil {
		return nil, err
	}
	r.usage = u
	return r, nil
}

// summary is the one-line figure: "worker: 45.9 MB resident, 61 cells loaded".
func (r *memReport) summary() string {
	if r == nil {
		return "worker: not running (the next cell starts it)"
	}
	s := "worker: " + fmtMB(r.usage.rss) + " resident"
	if r.stats != nil {
		s += fmt.Sprintf(", %d cell%s loaded", r.stats.Plugins, plural(r.stats.Plugins))
	}
	return s
}

// String is the %memory table.
func (r *memReport) String() string {
	if r == nil {
		return r.summary() + "\n"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s (pid %d)\n", r.summary(), r.pid)
	row := func(c memClass, note string) {
		fmt.Fprintf(&b, "  %-16s %10s  %s\n", c, fmtMB(r.usage.class[c].rss), note)
	}
	row(memWorker, "runtime, dl, display, gonum, plot (file pages, shared with other kernels)")
	cells := ""
	if n := r.usage.plugins; n > 0 {
		cells = fmt.Sprintf("%d mapped, %.3f MB each; a loaded cell is never unloaded", n, float64(r.usage.class[memCells].rss)/1e6/float64(n))
	}
	row(memCells, cells)
	heap := ""
	if s := r.stats; s != nil {
		heap = fmt.Sprintf("Go heap %s in use, %s free (%s of it returned), stacks %s, %d goroutines",
			fmtMB(s.HeapInuse), fmtMB(s.HeapIdle), fmtMB(s.HeapReleased), fmtMB(s.StackInuse), s.Goroutines)
	}
	row(memHeap, heap)
	row(memLibs, "")
	if r.limit > 0 {
		fmt.Fprintf(&b, "Limit: %.1f GB of address space (GODL_MEMORY_LIMIT).\n", float64(r.limit)/(1<<30))
	}
	b.WriteString("%reset ends the worker and gives all of it back (every value is lost).\n")
	return b.String()
}
