/* _start for freestanding programs: hand the initial stack to freestanding_main. */
	.syntax unified
	.arm
	.text
	.globl _start
	.type _start, %function
_start:
	mov fp, #0
	mov lr, #0
	mov r0, sp
	bic sp, sp, #7
	bl freestanding_main
	udf #0
	.size _start, .-_start
	.section .note.GNU-stack,"",%progbits
