package kernel

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
)

// maxHistory is how many entries the history file keeps (the oldest go).
const maxHistory = 10000

// JupyterDataDir is Jupyter's per-user data directory, as jupyter_core
// finds it: $JUPYTER_DATA_DIR, else ~/Library/Jupyter on macOS,
// %APPDATA%\jupyter on Windows, $XDG_DATA_HOME/jupyter or
// ~/.local/share/jupyter elsewhere.
func JupyterDataDir() string {
	if d := os.Getenv("JUPYTER_DATA_DIR"); d != "" {
		return d
	}
	home, _ := os.UserHomeDir()
	switch runtime.GOOS {
	case "darwin":
		return filepath.Join(home, "Library", "Jupyter")
	case "windows":
		if d := os.Getenv("APPDATA"); d != "" {
			return filepath.Join(d, "jupyter")
		}
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "jupyter")
	}
	return filepath.Join(home, ".local", "share", "jupyter")
}

// historyFile is where the input history lives across kernel restarts.
func historyFile() string { return filepath.Join(JupyterDataDir(), "godl", "history.json") }

// historyEntry is one executed cell. Line is its execution count.
type historyEntry struct {
	Session int     `json:"session"`
	Line    int     `json:"line"`
	Input   string  `json:"input"`
	Output  *string `json:"output,omitempty"` // text/plain of the result
}

// historyData is the file's content.
type historyData struct {
	Version     int            `json:"version"`
	LastSession int            `json:"last_session"`
	Entries     []historyEntry `json:"entries"`
}

// history is the input history: every kernel start is a new session
// numbered after the last one in the file. Kernels running at once share
// the file under a lock, so their sessions get distinct numbers. When the
// file cannot be written the history stays in memory.
type history struct {
	path string
	log  *log.Logger

	mu      sync.Mutex
	session int
	persist bool
	mem     []historyEntry // the entries when not persisted
}

func openHistory(path string, logger *log.Logger) *history {
	h := &history{path: path, log: logger, persist: true}
	err := h.update(func(d *historyData) {
		d.LastSession++
		h.session = d.LastSession
	})
	if err != nil {
		logger.Printf("history is kept in memory only: %v", err)
		h.persist = false
		h.session = 1
	}
	return h
}

// update runs fn on the file's content under the file lock and writes the
// result back atomically.
func (h *history) update(fn func(*historyData)) error {
	if err := os.MkdirAll(filepath.Dir(h.path), 0o755); err != nil {
		return err
	}
	unlock, err := lockFile(h.path + ".lock")
	if err != nil {
		return err
	}
	defer unlock()
	d, err := h.read()
	if err != nil {
		return err
	}
	fn(&d)
	if n := len(d.Entries); n > maxHistory {
		d.Entries = slices.Clone(d.Entries[n-maxHistory:])
	}
	d.Version = 1
	b, err := json.Marshal(d)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(h.path), ".history-*.json")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(b)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), h.path)
}

// read loads the file; a missing file is an empty history, a corrupt one
// is set aside (history.json.corrupt) and started afresh.
func (h *history) read() (historyData, error) {
	var d historyData
	b, err := os.ReadFile(h.path)
	if errors.Is(err, fs.ErrNotExist) {
		return d, nil
	}
	if err != nil {
		return d, err
	}
	if err := json.Unmarshal(b, &d); err != nil {
		h.log.Printf("history file %s is corrupt (%v); starting a new one", h.path, err)
		os.Rename(h.path, h.path+".corrupt")
		return historyData{LastSession: d.LastSession}, nil
	}
	return d, nil
}

// add records an executed cell of this session.
func (h *history) add(line int, input string, output *string) {
	e := historyEntry{Session: h.session, Line: line, Input: input, Output: output}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.persist {
		err := h.update(func(d *historyData) { d.Entries = append(d.Entries, e) })
		if err == nil {
			return
		}
		h.log.Printf("history is kept in memory only from now on: %v", err)
		h.persist = false
		h.mem, _ = h.loadLocked()
	}
	h.mem = append(h.mem, e)
}

// all returns every entry, ordered by session then line.
func (h *history) all() []historyEntry {
	h.mu.Lock()
	defer h.mu.Unlock()
	es, err := h.loadLocked()
	if err != nil {
		h.log.Printf("reading history: %v", err)
	}
	es = slices.Clone(es)
	slices.SortStableFunc(es, func(a, b historyEntry) int {
		return cmp.Or(cmp.Compare(a.Session, b.Session), cmp.Compare(a.Line, b.Line))
	})
	return es
}

func (h *history) loadLocked() ([]historyEntry, error) {
	if !h.persist {
		return h.mem, nil
	}
	unlock, err := lockFile(h.path + ".lock")
	if err != nil {
		return nil, err
	}
	defer unlock()
	d, err := h.read()
	return d.Entries, err
}

// tail returns the last n entries (all for n <= 0).
func (h *history) tail(n int) []historyEntry {
	return lastN(h.all(), n)
}

// rangeOf returns the entries of one session with start <= line < stop
// (stop <= 0: to the end). A session <= 0 counts back from the current
// one: 0 is this session, -1 the one before.
func (h *history) rangeOf(session, start, stop int) []historyEntry {
	if session <= 0 {
		session += h.session
	}
	var out []historyEntry
	for _, e := range h.all() {
		if e.Session == session && e.Line >= start && (stop <= 0 || e.Line < stop) {
			out = append(out, e)
		}
	}
	return out
}

// search returns the entries whose whole input matches the glob pattern
// (* and ? wildcards, [...] classes, case-sensitive, like SQLite's GLOB
// that IPython uses); with unique, only the latest of equal inputs; then
// the last n (all for n <= 0).
func (h *history) search(pattern string, n int, unique bool) ([]historyEntry, error) {
	re, err := globRegexp(pattern)
	if err != nil {
		return nil, err
	}
	all := h.all()
	var out []historyEntry
	seen := map[string]bool{}
	for i := len(all) - 1; i >= 0; i-- {
		e := all[i]
		if !re.MatchString(e.Input) || (unique && seen[e.Input]) {
			continue
		}
		seen[e.Input] = true
		out = append(out, e)
	}
	slices.Reverse(out)
	return lastN(out, n), nil
}

func lastN(es []historyEntry, n int) []historyEntry {
	if n > 0 && len(es) > n {
		return es[len(es)-n:]
	}
	return es
}

// globRegexp compiles a glob pattern to an anchored regexp.
func globRegexp(pattern string) (*regexp.Regexp, error) {
	var b strings.Builder
	b.WriteString(`(?s)\A`)
	rs := []rune(pattern)
	for i := 0; i < len(rs); i++ {
		switch r := rs[i]; r {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		case '[':
			j := i + 1
			if j < len(rs) && rs[j] == '^' {
				j++
			}
			if j < len(rs) && rs[j] == ']' {
				j++
			}
			for j < len(rs) && rs[j] != ']' {
				j++
			}
			if j >= len(rs) { // no closing bracket: a literal [
				b.WriteString(`\[`)
				continue
			}
			b.WriteString("[")
			for k, c := range rs[i+1 : j] {
				switch {
				case k == 0 && c == '^':
					b.WriteRune('^')
				case c == '-':
					b.WriteRune('-')
				default:
					b.WriteString(regexp.QuoteMeta(string(c)))
				}
			}
			b.WriteString("]")
			i = j
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString(`\z`)
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil, fmt.Errorf("bad pattern %q: %w", pattern, err)
	}
	return re, nil
}

type historyContent struct {
	Output         bool    `json:"output"`
	Raw            bool    `json:"raw"`
	HistAccessType string  `json:"hist_access_type"`
	Session        int     `json:"session"`
	Start          int     `json:"start"`
	Stop           int     `json:"stop"`
	N              int     `json:"n"`
	Pattern        *string `json:"pattern"`
	Unique         bool    `json:"unique"`
}

// handleHistory serves tail, range and search. Each item is
// [session, line, input], or [session, line, [input, output]] when output
// is asked for (output null when the cell had no value).
func (k *kernel) handleHistory(req *request) {
	var c historyContent
	if !req.decodeContent(&c) {
		return
	}
	var es []historyEntry
	switch c.HistAccessType {
	case "tail":
		es = k.history.tail(c.N)
	case "range":
		es = k.history.rangeOf(c.Session, c.Start, c.Stop)
	case "search":
		pattern := "*"
		if c.Pattern != nil {
			pattern = *c.Pattern
		}
		var err error
		if es, err = k.history.search(pattern, c.N, c.Unique); err != nil {
			req.reply(errorContent(&CellError{EName: "BadPattern", EValue: err.Error()}, nil))
			return
		}
	default:
		k.log.Printf("history_request: unknown hist_access_type %q", c.HistAccessType)
	}
	items := make([][]any, 0, len(es))
	for _, e := range es {
		if c.Output {
			items = append(items, []any{e.Session, e.Line, []any{e.Input, e.Output}})
		} else {
			items = append(items, []any{e.Session, e.Line, e.Input})
		}
	}
	req.reply(map[string]any{"status": "ok", "history": items})
}
