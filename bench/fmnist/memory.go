package main

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"syscall"
)

// Resident memory as the kernel reports it: /proc/self/status. The peak
// (VmHWM) can be reset by writing 5 to /proc/self/clear_refs (Linux ≥ 4.0),
// so each phase reports its own peak.

// rss returns the resident set size in bytes (0 when unknown).
func rss() int64 { return statusBytes("VmRSS:") }

// peak returns the highest resident set size since the last resetPeak.
func peak() int64 { return statusBytes("VmHWM:") }

// resetPeak makes the peak start again from the current resident size.
func resetPeak() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

func statusBytes(field string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Bytes()
		if !bytes.HasPrefix(line, []byte(field)) {
			continue
		}
		f := bytes.Fields(line[len(field):])
		if len(f) == 0 {
			return 0
		}
		kb, _ := strconv.ParseInt(string(f[0]), 10, 64)
		return kb << 10
	}
	return 0
}

// defaultMemLimit is the notebook worker's default address-space cap: half
// the RAM, at most 8 GiB.
func defaultMemLimit() uint64 {
	var si syscall.Sysinfo_t
	if syscall.Sysinfo(&si) == nil {
		return min(uint64(si.Totalram)*uint64(si.Unit)/2, 8<<30)
	}
	return 8 << 30
}

// limitAddressSpace caps the address space like the worker does, so that a
// benchmark that would not fit in a notebook fails here too.
func limitAddressSpace(n uint64) error {
	if n == 0 {
		return nil
	}
	return syscall.Setrlimit(syscall.RLIMIT_AS, &syscall.Rlimit{Cur: n, Max: n})
}
