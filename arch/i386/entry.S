/* _start for freestanding programs: hand the initial stack to freestanding_main. */
	.text
	.globl _start
	.type _start, @function
_start:
	xorl %ebp, %ebp
	movl %esp, %eax
	andl $-16, %esp
	subl $12, %esp
	pushl %eax
	call freestanding_main
	ud2
	.size _start, .-_start
	.section .note.GNU-stack,"",@progbits
