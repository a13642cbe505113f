//go:build !amd64 || noasm

package kernels

// Without assembly the AVX2 kernels are never chosen; they exist as their
// twins so the code that names them builds everywhere.

func addVVAVX2(dst, a, b []float32)                    { addVVGo(dst, a, b) }
func subVVAVX2(dst, a, b []float32)                    { subVVGo(dst, a, b) }
func mulVVAVX2(dst, a, b []float32)                    { mulVVGo(dst, a, b) }
func divVVAVX2(dst, a, b []float32)                    { divVVGo(dst, a, b) }
func addVSAVX2(dst, a []float32, s float32)            { addVSGo(dst, a, s) }
func mulVSAVX2(dst, a []float32, s float32)            { mulVSGo(dst, a, s) }
func divVSAVX2(dst, a []float32, s float32)            { divVSGo(dst, a, s) }
func subSVAVX2(dst, b []float32, s float32)            { subSVGo(dst, b, s) }
func divSVAVX2(dst, b []float32, s float32)            { divSVGo(dst, b, s) }
func reluAVX2(dst, x []float32)                        { reluGo(dst, x) }
func reluGradAVX2(dst, g, y []float32)                 { reluGradGo(dst, g, y) }
func leakyReluAVX2(dst, x []float32, s float32)        { leakyReluGo(dst, x, s) }
func leakyReluGradAVX2(dst, g, x []float32, s float32) { leakyReluGradGo(dst, g, x, s) }
func scaleShiftAVX2(dst, x []float32, s, t float32)    { scaleShiftGo(dst, x, s, t) }
func sigmoidGradAVX2(dst, g, y []float32)              { sigmoidGradGo(dst, g, y) }
func tanhGradAVX2(dst, g, y []float32)                 { tanhGradGo(dst, g, y) }

func expAVX512(x []float32) { expsGo(x) }

func sumF64AVX2(x []float32) float64 { return sumF64Go(x) }

func accF64AVX2(acc []float64, x []float32) { accF64Go(acc, x) }

func sumSqDiffF64AVX2(x []float32, mu float64) float64 { return sumSqDiffF64Go(x, mu) }

func dotF64AVX2(x, y []float32) float64 { return dotF64Go(x, y) }
