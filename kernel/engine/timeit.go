package engine

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/godl-dev/godl/kernel"
	wp "github.com/godl-dev/godl/kernel/engine/workerproto"
)

// %timeit STMT and %%timeit time Go code as IPython's %timeit does: the
// code becomes a func() (so what it defines does not outlive the timing,
// as in IPython), the worker calls it in runs of N calls, N the first
// power of ten whose calls take at least 0.2 s unless -n says, 7 runs
// unless -r says, and the mean and standard deviation per call are
// printed in IPython's words. An interrupt stops it between calls (and
// in the loops of the code, as in any cell).

// parseTimeit reads "-n N -r R rest" (also -nN): the options and the code
// after them.
func parseTimeit(args string) (spec wp.Timeit, code string, err error) {
	rest := strings.TrimSpace(args)
	for strings.HasPrefix(rest, "-") {
		opt, after, _ := strings.Cut(rest, " ")
		name, val := opt[:min(2, len(opt))], opt[min(2, len(opt)):]
		if val == "" {
			val, after, _ = strings.Cut(strings.TrimSpace(after), " ")
		}
		n, convErr := strconv.Atoi(val)
		switch {
		case name != "-n" && name != "-r":
			return spec, "", fmt.Errorf("%%timeit: unknown option %s (only -n N and -r R)", opt)
		case convErr != nil || n <= 0:
			return spec, "", fmt.Errorf("%%timeit: %s needs a positive number, got %q", name, val)
		case name == "-n":
			spec.Number = n
		default:
			spec.Repeat = n
		}
		rest = strings.TrimSpace(after)
	}
	return spec, rest, nil
}

// timeitLine runs %timeit STMT, the magic on line i of the cell.
func (e *Engine) timeitLine(ctx context.Context, args string, line, count int, out kernel.Output) kernel.ExecuteResult {
	spec, stmt, err := parseTimeit(args)
	if err == nil && stmt == "" {
		err = fmt.Errorf("%%timeit needs a statement: %%timeit x.MatMul(y)")
	}
	if err != nil {
		return kernel.ExecuteResult{Error: cellError("UsageError", err.Error())}
	}
	return e.timeit(ctx, strings.Repeat("\n", line)+"func() { "+stmt+"\n}", spec, count, out)
}

// timeitCell runs a %%timeit cell: args is the rest of its first line
// (options, then setup code run once before the timing), body the lines
// after it.
func (e *Engine) timeitCell(ctx context.Context, args, body string, count int, out kernel.Output) kernel.ExecuteResult {
	spec, setup, err := parseTimeit(args)
	if err != nil {
		return kernel.ExecuteResult{Error: cellError("UsageError", err.Error())}
	}
	if strings.TrimSpace(body) == "" {
		return kernel.ExecuteResult{Error: cellError("UsageError", "%%timeit times the lines after it, and there are none")}
	}
	// The body keeps its line numbers: the wrapper opens on line 1, the
	// %%timeit line.
	code := "func() {\n" + body + "\n}"
	if setup != "" {
		code = "func() func() { " + setup + "; return func() {\n" + body + "\n} }()"
	}
	return e.timeit(ctx, code, spec, count, out)
}

func (e *Engine) timeit(ctx context.Context, code string, spec wp.Timeit, count int, out kernel.Output) kernel.ExecuteResult {
	r := e.runTimed(ctx, code, count, &spec, out)
	if r.Error != nil || r.timing == nil {
		return r.ExecuteResult
	}
	out.Stream("stdout", timeitReport(r.timing))
	return kernel.ExecuteResult{}
}

// timeitReport is what IPython prints for a timing: a warning when the
// runs differ a lot, then the mean and standard deviation per call.
func timeitReport(t *wp.Timing) string {
	n := float64(t.Number)
	per := make([]float64, len(t.Runs))
	best, worst := math.Inf(1), 0.0
	for i, r := range t.Runs {
		per[i] = r / n
		best, worst = math.Min(best, per[i]), math.Max(worst, per[i])
	}
	mean := 0.0
	for _, p := range per {
		mean += p
	}
	mean /= float64(len(per))
	variance := 0.0
	for _, p := range per {
		variance += (p - mean) * (p - mean)
	}
	std := math.Sqrt(variance / float64(len(per)))
	var b strings.Builder
	if worst > 4*best && best > 0 && worst > 1e-6 {
		fmt.Fprintf(&b, "The slowest run took %0.2f times longer than the fastest. This could mean that an intermediate result is being cached.\n", worst/best)
	}
	fmt.Fprintf(&b, "%s ± %s per loop (mean ± std. dev. of %d run%s, %s loop%s each)\n",
		formatTime(mean), formatTime(std), len(per), plural(len(per)), thousands(t.Number), plural(t.Number))
	return b.String()
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// thousands writes n with comma separators, as Python's "{:,}".
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// formatTime is IPython's _format_time: three significant digits in s,
// ms, μs or ns; from a minute on, "1min 5s".
func formatTime(secs float64) string {
	if secs >= 60 {
		var parts []string
		left := secs
		for _, u := range []struct {
			name string
			len  float64
		}{{"d", 86400}, {"h", 3600}, {"min", 60}, {"s", 1}} {
			if v := int(left / u.len); v > 0 {
				left = math.Mod(left, u.len)
				parts = append(parts, strconv.Itoa(v)+u.name)
			}
			if left < 1 {
				break
			}
		}
		return strings.Join(parts, " ")
	}
	units := []string{"s", "ms", "μs", "ns"}
	order := 3
	if secs > 0 {
		// -(floor(log10(secs)) // 3), Python's floor division
		order = min(-int(math.Floor(math.Floor(math.Log10(secs))/3)), 3)
	}
	return fmt.Sprintf("%.3g %s", secs*math.Pow(1000, float64(order)), units[order])
}
