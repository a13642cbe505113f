//go:build !amd64 || noasm

package kernels

// Without assembly the vector kernels are never chosen; they still exist,
// as their reference loops, so the code that names them builds everywhere.
var (
	haveAVX512 = false
	haveAVX2   = false
)

func sgemmKernel12x32AVX512(k, rows int, a []float32, rsA, csA int, b []float32, rsB int, c []float32, ldc int, accumulate bool) {
	sgemmKernelRef(rows, 32, k, a, rsA, csA, b, rsB, c, ldc, accumulate)
}

func sgemmKernel6x16AVX2(k, rows int, a []float32, rsA, csA int, b []float32, rsB int, c []float32, ldc int, accumulate bool) {
	sgemmKernelRef(rows, 16, k, a, rsA, csA, b, rsB, c, ldc, accumulate)
}

func packT4(k int, alpha float32, src []float32, lds int, dst []float32, ldd int) {
	for p := range k {
		for r := range 4 {
			dst[p*ldd+r] = alpha * src[r*lds+p]
		}
	}
}

func saxpyAVX2(alpha float32, x, y []float32) { saxpyGo(alpha, x, y) }

func sdotAVX2(x, y []float32) float32 { return sdotGo(x, y) }

func sigmoidAVX512(x []float32) { sigmoidsGo(x) }

func tanhAVX512(x []float32) { tanhsGo(x) }

func sigmoidAVX2(x []float32) { sigmoidsGo(x[:len(x)&^7]) }

func tanhAVX2(x []float32) { tanhsGo(x[:len(x)&^7]) }

func adamAVX512(s *AdamScalars, w, g, m, v, vmax []float32) {
	adamGo(s, w[:len(w)&^15], g, m, v, vmax)
}

func adamAVX2(s *AdamScalars, w, g, m, v, vmax []float32) {
	adamGo(s, w[:len(w)&^7], g, m, v, vmax)
}

func sgdAVX512(s *SGDScalars, w, g, buf []float32) { sgdGo(s, w[:len(w)&^15], g, buf) }

func sgdAVX2(s *SGDScalars, w, g, buf []float32) { sgdGo(s, w[:len(w)&^7], g, buf) }

func rmspropAVX512(s *RMSpropScalars, w, g, sq, avg, buf []float32) {
	rmspropGo(s, w[:len(w)&^15], g, sq, avg, buf)
}

func rmspropAVX2(s *RMSpropScalars, w, g, sq, avg, buf []float32) {
	rmspropGo(s, w[:len(w)&^7], g, sq, avg, buf)
}
