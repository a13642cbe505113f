// The sigmoid, tanh and exp of act_amd64.s, as macros that other kernels
// (rnncell_amd64.s, rnncell_avx2_amd64.s) apply to registers of their own:
// the constants (a file-local copy in each file that includes this); for
// AVX-512 LOADCONSTS, which keeps them in Z10-Z14 and Z16-Z31, and EXP,
// SIGMOID and TANH; for AVX2 LOADCONSTS2 (Y9-Y15), EXP2, SIGMOID2 and
// TANH2.

// Vector sigmoid and tanh, 16 lanes at a time, following mathf's Cephes
// expf and tanhf (same range reduction and polynomials, with FMA), so they
// agree with mathf to within its ulp bound.

DATA expConsts<>+0(SB)/4, $1.44269504088896341  // log2(e)
DATA expConsts<>+4(SB)/4, $0.693359375          // ln2, high part (exact n·C1)
DATA expConsts<>+8(SB)/4, $-2.12194440e-4       // ln2, low part
DATA expConsts<>+12(SB)/4, $1.9875691500e-4
DATA expConsts<>+16(SB)/4, $1.3981999507e-3
DATA expConsts<>+20(SB)/4, $8.3334519073e-3
DATA expConsts<>+24(SB)/4, $4.1665795894e-2
DATA expConsts<>+28(SB)/4, $1.6666665459e-1
DATA expConsts<>+32(SB)/4, $5.0000001201e-1
DATA expConsts<>+36(SB)/4, $1.0
DATA expConsts<>+40(SB)/4, $89.0   // exp above is +Inf after scaling
DATA expConsts<>+44(SB)/4, $-104.0 // exp below is 0 after scaling
DATA expConsts<>+48(SB)/4, $0.625  // tanh: polynomial below, exp above
DATA expConsts<>+52(SB)/4, $0x7fffffff
DATA expConsts<>+56(SB)/4, $0x80000000
DATA expConsts<>+60(SB)/4, $2.0
DATA expConsts<>+64(SB)/4, $-5.70498872745e-3 // tanh polynomial
DATA expConsts<>+68(SB)/4, $2.06390887954e-2
DATA expConsts<>+72(SB)/4, $-5.37397155531e-2
DATA expConsts<>+76(SB)/4, $1.33314422036e-1
DATA expConsts<>+80(SB)/4, $-3.33332819422e-1
GLOBL expConsts<>(SB), RODATA|NOPTR, $84

#define LOADCONSTS \
	VBROADCASTSS expConsts<>+0(SB), Z16; \
	VBROADCASTSS expConsts<>+4(SB), Z17; \
	VBROADCASTSS expConsts<>+8(SB), Z18; \
	VBROADCASTSS expConsts<>+12(SB), Z19; \
	VBROADCASTSS expConsts<>+16(SB), Z20; \
	VBROADCASTSS expConsts<>+20(SB), Z21; \
	VBROADCASTSS expConsts<>+24(SB), Z22; \
	VBROADCASTSS expConsts<>+28(SB), Z23; \
	VBROADCASTSS expConsts<>+32(SB), Z24; \
	VBROADCASTSS expConsts<>+36(SB), Z25; \
	VBROADCASTSS expConsts<>+40(SB), Z26; \
	VBROADCASTSS expConsts<>+44(SB), Z27; \
	VBROADCASTSS expConsts<>+48(SB), Z28; \
	VBROADCASTSS expConsts<>+52(SB), Z29; \
	VBROADCASTSS expConsts<>+56(SB), Z30; \
	VBROADCASTSS expConsts<>+60(SB), Z31; \
	VBROADCASTSS expConsts<>+64(SB), Z10; \
	VBROADCASTSS expConsts<>+68(SB), Z11; \
	VBROADCASTSS expConsts<>+72(SB), Z12; \
	VBROADCASTSS expConsts<>+76(SB), Z13; \
	VBROADCASTSS expConsts<>+80(SB), Z14

// EXP sets X = e^X using N, P, R2 as scratch. The clamps keep the reduced
// argument small; VSCALEFPS then gives +Inf, 0 and subnormals as math.Exp
// would. The clamps return X when it is NaN (the second source of
// MINPS/MAXPS), so NaN goes through.
#define EXP(X, N, P, R2) \
	VMINPS X, Z26, X; \
	VMAXPS X, Z27, X; \
	VMULPS Z16, X, N; \
	VRNDSCALEPS $0, N, N; \
	VFNMADD231PS Z17, N, X; \
	VFNMADD231PS Z18, N, X; \
	VMOVAPS Z19, P; \
	VFMADD213PS Z20, X, P; \
	VFMADD213PS Z21, X, P; \
	VFMADD213PS Z22, X, P; \
	VFMADD213PS Z23, X, P; \
	VFMADD213PS Z24, X, P; \
	VMULPS X, X, R2; \
	VFMADD213PS X, R2, P; \
	VADDPS Z25, P, P; \
	VSCALEFPS N, P, X

// SIGMOID sets X = 1/(1+e^-X).
#define SIGMOID(X, N, P, R2) \
	VPXORD Z30, X, X; \
	EXP(X, N, P, R2); \
	VADDPS Z25, X, X; \
	VDIVPS X, Z25, X

// TANH sets X = tanh(X): the odd polynomial for |x| < 0.625, else
// 1 - 2/(e^2|x| + 1) with x's sign (which rounds to ±1 for large |x|).
#define TANH(X, A, S, Q, Y, N, P, R2) \
	VPANDD Z29, X, A; \
	VPANDND X, Z29, S; \
	VCMPPS $1, Z28, A, K2; \
	VMULPS X, X, Q; \
	VMOVAPS Z10, Y; \
	VFMADD213PS Z11, Q, Y; \
	VFMADD213PS Z12, Q, Y; \
	VFMADD213PS Z13, Q, Y; \
	VFMADD213PS Z14, Q, Y; \
	VMULPS Q, X, Q; \
	VFMADD213PS X, Q, Y; \
	VADDPS A, A, A; \
	EXP(A, N, P, R2); \
	VADDPS Z25, A, A; \
	VDIVPS A, Z31, A; \
	VSUBPS A, Z25, A; \
	VPORD S, A, X; \
	VMOVAPS Y, K2, X


// The AVX2 versions: 8 lanes, the constants LOADCONSTS2 keeps in Y9-Y15
// and the others broadcast from expConsts as they are needed (16 registers
// are too few to keep them all). Without VSCALEFPS, 2^n is built in the
// exponent bits, so the argument is clamped to where that stays a normal
// float; sigmoid and tanh saturate well inside those bounds.

DATA avx2Consts<>+0(SB)/4, $88.3
DATA avx2Consts<>+4(SB)/4, $-87.3
DATA avx2Consts<>+8(SB)/4, $127
GLOBL avx2Consts<>(SB), RODATA|NOPTR, $12

#define LOADCONSTS2 \
	VBROADCASTSS expConsts<>+0(SB), Y15; \
	VBROADCASTSS expConsts<>+4(SB), Y14; \
	VBROADCASTSS expConsts<>+8(SB), Y13; \
	VBROADCASTSS expConsts<>+36(SB), Y12; \
	VBROADCASTSS avx2Consts<>+0(SB), Y11; \
	VBROADCASTSS avx2Consts<>+4(SB), Y10; \
	VPBROADCASTD avx2Consts<>+8(SB), Y9

// EXP2 sets X = e^X using N, P, T as scratch.
#define EXP2(X, N, P, T) \
	VMINPS X, Y11, X; \
	VMAXPS X, Y10, X; \
	VMULPS Y15, X, N; \
	VROUNDPS $0, N, N; \
	VFNMADD231PS Y14, N, X; \
	VFNMADD231PS Y13, N, X; \
	VBROADCASTSS expConsts<>+12(SB), P; \
	VBROADCASTSS expConsts<>+16(SB), T; \
	VFMADD213PS T, X, P; \
	VBROADCASTSS expConsts<>+20(SB), T; \
	VFMADD213PS T, X, P; \
	VBROADCASTSS expConsts<>+24(SB), T; \
	VFMADD213PS T, X, P; \
	VBROADCASTSS expConsts<>+28(SB), T; \
	VFMADD213PS T, X, P; \
	VBROADCASTSS expConsts<>+32(SB), T; \
	VFMADD213PS T, X, P; \
	VMULPS X, X, T; \
	VFMADD213PS X, T, P; \
	VADDPS Y12, P, P; \
	VCVTPS2DQ N, N; \
	VPADDD Y9, N, N; \
	VPSLLD $23, N, N; \
	VMULPS N, P, X

// SIGMOID2 sets X = 1/(1+e^-X).
#define SIGMOID2(X, N, P, T) \
	VBROADCASTSS expConsts<>+56(SB), N; \
	VXORPS N, X, X; \
	EXP2(X, N, P, T); \
	VADDPS Y12, X, X; \
	VDIVPS X, Y12, X

// TANH2 sets X = tanh(X) as TANH does, with A, S, M, Y, N, P, T as
// scratch: Y the odd polynomial, A the exp form, M where the polynomial is
// taken.
#define TANH2(X, A, S, M, Y, N, P, T) \
	VBROADCASTSS expConsts<>+52(SB), N; \
	VANDPS N, X, A; \
	VANDNPS X, N, S; \
	VBROADCASTSS expConsts<>+48(SB), N; \
	VCMPPS $1, N, A, M; \
	VMULPS X, X, T; \
	VBROADCASTSS expConsts<>+64(SB), Y; \
	VBROADCASTSS expConsts<>+68(SB), N; \
	VFMADD213PS N, T, Y; \
	VBROADCASTSS expConsts<>+72(SB), N; \
	VFMADD213PS N, T, Y; \
	VBROADCASTSS expConsts<>+76(SB), N; \
	VFMADD213PS N, T, Y; \
	VBROADCASTSS expConsts<>+80(SB), N; \
	VFMADD213PS N, T, Y; \
	VMULPS T, X, T; \
	VFMADD213PS X, T, Y; \
	VADDPS A, A, A; \
	EXP2(A, N, P, T); \
	VADDPS Y12, A, A; \
	VBROADCASTSS expConsts<>+60(SB), N; \
	VDIVPS A, N, A; \
	VSUBPS A, Y12, A; \
	VORPS S, A, A; \
	VBLENDVPS M, Y, A, X
