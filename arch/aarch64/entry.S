/* _start for freestanding programs: hand the initial stack to freestanding_main. */
	.text
	.globl _start
	.type _start, %function
_start:
	mov x29, #0
	mov x30, #0
	mov x0, sp
	bl freestanding_main
	brk #1
	.size _start, .-_start
	.section .note.GNU-stack,"",%progbits
