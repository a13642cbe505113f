// The AVX-512 sigmoid, tanh and exp of act_amd64.s, as macros that other
// kernels (rnncell_amd64.s) apply to registers of their own: the constants
// (a file-local copy in each file that includes this), LOADCONSTS, which
// keeps them in Z10-Z14 and Z16-Z31, and EXP, SIGMOID and TANH.

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

