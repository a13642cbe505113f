//go:build ignore

// gen_optim writes optim_amd64.s: the optimizers' update loops (optim.go)
// for AVX-512 and AVX2. Each optimizer is written once here as a sequence
// of vector operations and emitted for both register files, with one loop
// per combination of its options (weight decay, AMSGrad, momentum, ...),
// chosen on entry, so the loops themselves do not branch. Change the
// updates here and in optim.go's reference loops together, then rerun
// `go generate`.
//
// Every operation rounds to float32 as the reference loops do (no fused
// multiply-add: the loops are bound by memory, not arithmetic), so the
// kernels give the reference loops' bits.
package main

import (
	"bytes"
	"fmt"
	"go/format"
	"log"
	"os"
	"strings"
)

var out bytes.Buffer

func p(format string, args ...any) { fmt.Fprintf(&out, format+"\n", args...) }

// An isa is one register file: 16 of its registers are used, so both
// kernels have the same register plan.
type isa struct {
	suffix string
	reg    string // "Z" or "Y"
	lanes  int
}

var isas = []isa{{"AVX512", "Z", 16}, {"AVX2", "Y", 8}}

// A kernel is one optimizer's loop. Its Go signature is
// func(s *Scalars, slices ...[]float32), slices[0] being the weights, whose
// length sets the element count.
type kernel struct {
	name   string   // Go name without the ISA suffix
	slices []string // slice arguments, in order
	fields []string // the scalars struct's float32 fields, in order
	flags  []flag
	body   func(e *emitter, on map[string]bool)
}

// A flag is an option chosen on entry: a scalar field that is non-zero
// (its sign ignored, as Go's x != 0) or a slice argument that is not empty.
type flag struct {
	name         string
	field, slice string
}

var kernels = []kernel{
	{
		name:   "adam",
		slices: []string{"w", "g", "m", "v", "vmax"},
		fields: []string{"Beta1", "OneMinusBeta1", "Beta2", "OneMinusBeta2", "Eps", "BiasCorrection2", "StepSize", "WeightDecay", "Shrink"},
		flags:  []flag{{name: "wd", field: "WeightDecay"}, {name: "ams", slice: "vmax"}},
		body: func(e *emitter, on map[string]bool) {
			e.load("g", "g")
			e.load("w", "w")
			e.op("VMULPS", "w", "w", "Shrink")
			if on["wd"] {
				e.op("VMULPS", "t", "w", "WeightDecay")
				e.op("VADDPS", "g", "g", "t")
			}
			e.load("m", "m")
			e.op("VMULPS", "m", "m", "Beta1")
			e.op("VMULPS", "t", "g", "OneMinusBeta1")
			e.op("VADDPS", "m", "m", "t")
			e.flush("m", "t")
			e.store("m", "m")
			e.op("VMULPS", "g", "g", "g")
			e.op("VMULPS", "g", "g", "OneMinusBeta2")
			e.load("v", "v")
			e.op("VMULPS", "v", "v", "Beta2")
			e.op("VADDPS", "v", "v", "g")
			e.flush("v", "t")
			e.store("v", "v")
			if on["ams"] {
				e.load("t", "vmax")
				// v = vmax > v ? vmax : v (VMAXPS's choice on NaN, as the
				// reference loop's comparison).
				e.op("VMAXPS", "v", "t", "v")
				e.store("v", "vmax")
			}
			e.sqrt("v")
			e.op("VDIVPS", "v", "v", "BiasCorrection2")
			e.op("VADDPS", "v", "v", "Eps")
			e.op("VDIVPS", "m", "m", "v")
			e.op("VMULPS", "m", "m", "StepSize")
			e.op("VSUBPS", "w", "w", "m")
			e.store("w", "w")
		},
	},
	{
		name:   "sgd",
		slices: []string{"w", "g", "buf"},
		fields: []string{"LR", "WeightDecay", "Decay", "GradScale", "Nesterov"},
		flags:  []flag{{name: "wd", field: "WeightDecay"}, {name: "buf", slice: "buf"}, {name: "nesterov", field: "Nesterov"}},
		body: func(e *emitter, on map[string]bool) {
			e.load("g", "g")
			e.load("w", "w")
			if on["wd"] {
				e.op("VMULPS", "t", "w", "WeightDecay")
				e.op("VADDPS", "g", "g", "t")
			}
			d := "g"
			if on["buf"] {
				e.load("b", "buf")
				e.op("VMULPS", "b", "b", "Decay")
				e.op("VMULPS", "t", "g", "GradScale")
				e.op("VADDPS", "b", "b", "t")
				e.flush("b", "t")
				e.store("b", "buf")
				d = "b"
				if on["nesterov"] {
					e.op("VMULPS", "t", "b", "Nesterov")
					e.op("VADDPS", "t", "g", "t")
					d = "t"
				}
			}
			e.op("VMULPS", d, d, "LR")
			e.op("VSUBPS", "w", "w", d)
			e.store("w", "w")
		},
	},
	{
		name:   "rmsprop",
		slices: []string{"w", "g", "sq", "avg", "buf"},
		fields: []string{"LR", "Alpha", "OneMinusAlpha", "Eps", "WeightDecay", "Momentum"},
		flags:  []flag{{name: "wd", field: "WeightDecay"}, {name: "centered", slice: "avg"}, {name: "buf", slice: "buf"}},
		body: func(e *emitter, on map[string]bool) {
			e.load("g", "g")
			e.load("w", "w")
			if on["wd"] {
				e.op("VMULPS", "t", "w", "WeightDecay")
				e.op("VADDPS", "g", "g", "t")
			}
			e.op("VMULPS", "t", "g", "g")
			e.op("VMULPS", "t", "t", "OneMinusAlpha")
			e.load("sq", "sq")
			e.op("VMULPS", "sq", "sq", "Alpha")
			e.op("VADDPS", "sq", "sq", "t")
			e.flush("sq", "t")
			e.store("sq", "sq")
			if on["centered"] {
				e.load("a", "avg")
				e.op("VMULPS", "a", "a", "Alpha")
				e.op("VMULPS", "t", "g", "OneMinusAlpha")
				e.op("VADDPS", "a", "a", "t")
				e.flush("a", "t")
				e.store("a", "avg")
				e.op("VMULPS", "t", "a", "a")
				e.op("VSUBPS", "sq", "sq", "t")
			}
			e.sqrt("sq")
			e.op("VADDPS", "sq", "sq", "Eps")
			e.op("VDIVPS", "g", "g", "sq")
			if on["buf"] {
				e.load("b", "buf")
				e.op("VMULPS", "b", "b", "Momentum")
				e.op("VADDPS", "b", "b", "g")
				e.flush("b", "t")
				e.store("b", "buf")
				e.op("VMULPS", "t", "b", "LR")
				e.op("VSUBPS", "w", "w", "t")
			} else {
				e.op("VMULPS", "g", "g", "LR")
				e.op("VSUBPS", "w", "w", "g")
			}
			e.store("w", "w")
		},
	},
}

// Pointer registers of the slice arguments, in order; BX indexes elements,
// CX is the element count, AX holds s, DX and R11 are scratch.
var ptrRegs = []string{"DI", "SI", "R8", "R9", "R10"}

// An emitter writes one loop body: temporaries take registers from 0 up
// as they are first named; constants (the struct's fields, then the
// masks) sit in the top registers.
type emitter struct {
	isa    isa
	k      kernel
	temps  map[string]int
	consts map[string]int
}

func (e *emitter) reg(name string) string {
	if i, ok := e.consts[name]; ok {
		return fmt.Sprintf("%s%d", e.isa.reg, i)
	}
	i, ok := e.temps[name]
	if !ok {
		i = len(e.temps)
		e.temps[name] = i
		if i >= 16-len(e.consts) {
			log.Fatalf("%s: out of registers at %s", e.k.name, name)
		}
	}
	return fmt.Sprintf("%s%d", e.isa.reg, i)
}

func (e *emitter) ptr(slice string) string {
	for i, s := range e.k.slices {
		if s == slice {
			return fmt.Sprintf("(%s)(BX*4)", ptrRegs[i])
		}
	}
	log.Fatalf("%s: no slice %s", e.k.name, slice)
	return ""
}

func (e *emitter) load(dst, slice string)  { p("\tVMOVUPS %s, %s", e.ptr(slice), e.reg(dst)) }
func (e *emitter) store(src, slice string) { p("\tVMOVUPS %s, %s", e.reg(src), e.ptr(slice)) }

// op writes dst = a OP b (Go's operand order is the reverse of Intel's).
func (e *emitter) op(ins, dst, a, b string) {
	p("\t%s %s, %s, %s", ins, e.reg(b), e.reg(a), e.reg(dst))
}

func (e *emitter) sqrt(x string) { p("\tVSQRTPS %s, %s", e.reg(x), e.reg(x)) }

// flush zeroes the lanes of x that are subnormal: those whose magnitude
// is not "not less than" the smallest normal (predicate 5, NLT_US, is true
// for NaN, so NaN passes).
func (e *emitter) flush(x, tmp string) {
	if e.isa.reg == "Z" {
		p("\tVPANDD %s, %s, %s", e.reg("absMask"), e.reg(x), e.reg(tmp))
		p("\tVCMPPS $5, %s, %s, K1", e.reg("minNormal"), e.reg(tmp))
		p("\tVMOVAPS.Z %s, K1, %s", e.reg(x), e.reg(x))
		return
	}
	p("\tVANDPS %s, %s, %s", e.reg("absMask"), e.reg(x), e.reg(tmp))
	p("\tVCMPPS $5, %s, %s, %s", e.reg("minNormal"), e.reg(tmp), e.reg(tmp))
	p("\tVANDPS %s, %s, %s", e.reg(tmp), e.reg(x), e.reg(x))
}

func gen(k kernel, is isa) {
	name := k.name + is.suffix
	frame := 8 + 24*len(k.slices)
	p("")
	p("// func %s(s *%sScalars, %s []float32)", name, title(k.name), strings.Join(k.slices, ", "))
	p("TEXT ·%s(SB), NOSPLIT, $0-%d", name, frame)
	p("\tMOVQ s+0(FP), AX")
	for i, s := range k.slices {
		p("\tMOVQ %s_base+%d(FP), %s", s, 8+24*i, ptrRegs[i])
	}
	p("\tMOVQ w_len+16(FP), CX")
	p("\tANDQ $-%d, CX", is.lanes)
	p("\tJEQ done")
	consts := map[string]int{}
	for i, f := range append(append([]string(nil), k.fields...), "absMask", "minNormal") {
		consts[f] = 15 - i
	}
	e0 := &emitter{isa: is, k: k, consts: consts}
	for i, f := range k.fields {
		p("\tVBROADCASTSS %d(AX), %s", 4*i, e0.reg(f))
	}
	p("\tVBROADCASTSS absMask<>(SB), %s", e0.reg("absMask"))
	p("\tVBROADCASTSS minNormal<>(SB), %s", e0.reg("minNormal"))
	p("\tXORQ BX, BX")
	// DX = the variant: bit i set when flag i is on.
	p("\tXORQ DX, DX")
	for i, f := range k.flags {
		if f.field != "" {
			p("\tMOVL %d(AX), R11", 4*index(k.fields, f.field))
			p("\tSHLL $1, R11") // drop the sign: -0 is 0
		} else {
			p("\tMOVQ %s_len+%d(FP), R11", f.slice, 8+24*index(k.slices, f.slice)+8)
			p("\tTESTQ R11, R11")
		}
		p("\tJEQ flag%d", i)
		p("\tORQ $%d, DX", 1<<i)
		p("flag%d:", i)
	}
	variants := 1 << len(k.flags)
	for v := range variants {
		p("\tCMPQ DX, $%d", v)
		p("\tJEQ loop%d", v)
	}
	p("\tJMP done") // unreachable
	for v := range variants {
		on := map[string]bool{}
		var names []string
		for i, f := range k.flags {
			if v&(1<<i) != 0 {
				on[f.name] = true
				names = append(names, f.name)
			}
		}
		if len(names) == 0 {
			names = []string{"none"}
		}
		p("")
		p("// options: %s", strings.Join(names, ", "))
		p("loop%d:", v)
		e := &emitter{isa: is, k: k, consts: consts, temps: map[string]int{}}
		k.body(e, on)
		p("\tADDQ $%d, BX", is.lanes)
		p("\tCMPQ BX, CX")
		p("\tJLT loop%d", v)
		p("\tJMP done")
	}
	p("")
	p("done:")
	p("\tVZEROUPPER")
	p("\tRET")
}

func index(s []string, x string) int {
	for i, v := range s {
		if v == x {
			return i
		}
	}
	log.Fatalf("no %s in %v", x, s)
	return -1
}

func title(s string) string {
	return map[string]string{"adam": "Adam", "sgd": "SGD", "rmsprop": "RMSprop"}[s]
}

func main() {
	p("// Code generated by gen_optim.go; DO NOT EDIT.")
	p("")
	p("//go:build !noasm")
	p("")
	p(`#include "textflag.h"`)
	p("")
	p("DATA absMask<>+0(SB)/4, $0x7fffffff")
	p("GLOBL absMask<>(SB), RODATA|NOPTR, $4")
	p("DATA minNormal<>+0(SB)/4, $0x00800000 // the smallest normal float32, 2^-126")
	p("GLOBL minNormal<>(SB), RODATA|NOPTR, $4")
	for _, k := range kernels {
		for _, is := range isas {
			gen(k, is)
		}
	}
	if err := os.WriteFile("optim_amd64.s", out.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
	// The layout the kernels assume is checked by TestOptimScalarsLayout;
	// the stubs are hand-written: check they declare what was generated.
	stubs, err := os.ReadFile("stubs_amd64.go")
	if err != nil {
		log.Fatal(err)
	}
	for _, k := range kernels {
		for _, is := range isas {
			if !strings.Contains(string(stubs), "func "+k.name+is.suffix+"(") {
				log.Fatalf("stubs_amd64.go does not declare %s", k.name+is.suffix)
			}
		}
	}
	// The field order is also written down for the layout test.
	var b bytes.Buffer
	b.WriteString("// Code generated by gen_optim.go; DO NOT EDIT.\n\npackage kernels\n\n")
	b.WriteString("// optimFieldOrder is the order in which the kernels read each scalars\n// struct's float32 fields (TestOptimScalarsLayout checks it).\n")
	b.WriteString("var optimFieldOrder = map[string][]string{\n")
	for _, k := range kernels {
		fmt.Fprintf(&b, "\t%q: {%s},\n", title(k.name)+"Scalars", quoteAll(k.fields))
	}
	b.WriteString("}\n")
	src, err := format.Source(b.Bytes())
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile("optim_layout_test.go", src, 0o644); err != nil {
		log.Fatal(err)
	}
}

func quoteAll(s []string) string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, ", ")
}
