//go:build !noasm

#include "textflag.h"

#include "act_amd64.h"

// func sigmoidAVX512(x []float32)
TEXT ·sigmoidAVX512(SB), NOSPLIT, $0-24
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	LOADCONSTS

loop32:
	CMPQ CX, $32
	JLT loop16
	VMOVUPS (SI), Z0
	VMOVUPS 64(SI), Z1
	SIGMOID(Z0, Z2, Z3, Z4)
	SIGMOID(Z1, Z5, Z6, Z7)
	VMOVUPS Z0, (SI)
	VMOVUPS Z1, 64(SI)
	ADDQ $128, SI
	SUBQ $32, CX
	JMP loop32

loop16:
	CMPQ CX, $16
	JLT tail
	VMOVUPS (SI), Z0
	SIGMOID(Z0, Z2, Z3, Z4)
	VMOVUPS Z0, (SI)
	ADDQ $64, SI
	SUBQ $16, CX

tail:
	TESTQ CX, CX
	JEQ done
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K1
	VMOVUPS.Z (SI), K1, Z0
	SIGMOID(Z0, Z2, Z3, Z4)
	VMOVUPS Z0, K1, (SI)

done:
	VZEROUPPER
	RET

// func tanhAVX512(x []float32)
TEXT ·tanhAVX512(SB), NOSPLIT, $0-24
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	LOADCONSTS

loop16:
	CMPQ CX, $16
	JLT tail
	VMOVUPS (SI), Z0
	TANH(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7)
	VMOVUPS Z0, (SI)
	ADDQ $64, SI
	SUBQ $16, CX
	JMP loop16

tail:
	TESTQ CX, CX
	JEQ done
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K1
	VMOVUPS.Z (SI), K1, Z0
	TANH(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7)
	VMOVUPS Z0, K1, (SI)

done:
	VZEROUPPER
	RET

// func sigmoidAVX2(x []float32)
TEXT ·sigmoidAVX2(SB), NOSPLIT, $0-24
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	LOADCONSTS2

loop8:
	CMPQ CX, $8
	JLT done
	VMOVUPS (SI), Y0
	SIGMOID2(Y0, Y1, Y2, Y3)
	VMOVUPS Y0, (SI)
	ADDQ $32, SI
	SUBQ $8, CX
	JMP loop8

done:
	VZEROUPPER
	RET

// func tanhAVX2(x []float32)
TEXT ·tanhAVX2(SB), NOSPLIT, $0-24
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	LOADCONSTS2

loop8:
	CMPQ CX, $8
	JLT done
	VMOVUPS (SI), Y0
	TANH2(Y0, Y1, Y2, Y3, Y5, Y6, Y7, Y4)
	VMOVUPS Y0, (SI)
	ADDQ $32, SI
	SUBQ $8, CX
	JMP loop8

done:
	VZEROUPPER
	RET

// func expAVX512(x []float32)
TEXT ·expAVX512(SB), NOSPLIT, $0-24
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	LOADCONSTS

loop32:
	CMPQ CX, $32
	JLT loop16
	VMOVUPS (SI), Z0
	VMOVUPS 64(SI), Z1
	EXP(Z0, Z2, Z3, Z4)
	EXP(Z1, Z5, Z6, Z7)
	VMOVUPS Z0, (SI)
	VMOVUPS Z1, 64(SI)
	ADDQ $128, SI
	SUBQ $32, CX
	JMP loop32

loop16:
	CMPQ CX, $16
	JLT tail
	VMOVUPS (SI), Z0
	EXP(Z0, Z2, Z3, Z4)
	VMOVUPS Z0, (SI)
	ADDQ $64, SI
	SUBQ $16, CX

tail:
	TESTQ CX, CX
	JEQ done
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K1
	VMOVUPS.Z (SI), K1, Z0
	EXP(Z0, Z2, Z3, Z4)
	VMOVUPS Z0, K1, (SI)

done:
	VZEROUPPER
	RET

