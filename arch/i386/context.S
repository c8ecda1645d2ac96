/* i386 context switch primitives and raw syscall; see arch/arch.h. */
#include <asm/unistd.h>

#define FUNC(name) .globl name; .hidden name; .type name, @function; name:
#define END(name) .size name, .-name

	.text
/* long arch_syscall6(long nr, long a, long b, long c, long d, long e, long f) */
FUNC(arch_syscall6)
	pushl %ebp
	pushl %edi
	pushl %esi
	pushl %ebx
	movl 20(%esp), %eax
	movl 24(%esp), %ebx
	movl 28(%esp), %ecx
	movl 32(%esp), %edx
	movl 36(%esp), %esi
	movl 40(%esp), %edi
	movl 44(%esp), %ebp
	int $0x80
	popl %ebx
	popl %esi
	popl %edi
	popl %ebp
	ret
END(arch_syscall6)

/* int arch_context_save(struct arch_jmpbuf *buf) */
FUNC(arch_context_save)
	movl 4(%esp), %eax
	movl %ebx, 0(%eax)
	movl %esi, 4(%eax)
	movl %edi, 8(%eax)
	movl %ebp, 12(%eax)
	leal 4(%esp), %ecx          /* the caller's stack pointer after we return */
	movl %ecx, 16(%eax)
	movl (%esp), %ecx           /* our return address */
	movl %ecx, 20(%eax)
	stmxcsr 24(%eax)
	fnstcw 28(%eax)
	xorl %eax, %eax
	ret
END(arch_context_save)

/* void arch_context_restore(const struct arch_jmpbuf *buf, int val) */
FUNC(arch_context_restore)
	movl 4(%esp), %ecx
	movl 8(%esp), %eax
	testl %eax, %eax
	jnz 1f
	incl %eax                   /* like longjmp: never resume with 0 */
1:	ldmxcsr 24(%ecx)
	fldcw 28(%ecx)
	movl 0(%ecx), %ebx
	movl 4(%ecx), %esi
	movl 8(%ecx), %edi
	movl 12(%ecx), %ebp
	movl 16(%ecx), %esp
	jmp *20(%ecx)
END(arch_context_restore)

/* void arch_call_on_stack(void *stack_top, void (*fn)(void *), void *arg) */
FUNC(arch_call_on_stack)
	movl 8(%esp), %ecx
	movl 12(%esp), %edx
	movl 4(%esp), %esp
	andl $-16, %esp
	xorl %ebp, %ebp
	subl $12, %esp              /* keep 16-byte alignment at the call */
	pushl %edx
	call *%ecx
	ud2
END(arch_call_on_stack)

/* long arch_clone3(struct clone_args *args, size_t size, void (*fn)(void *), void *arg)
 * int $0x80 preserves every register but eax, so fn and arg reach the child in esi
 * and edi (saved for the caller, which expects them preserved). */
FUNC(arch_clone3)
	pushl %ebx
	pushl %esi
	pushl %edi
	movl 16(%esp), %ebx
	movl 20(%esp), %ecx
	movl 24(%esp), %esi
	movl 28(%esp), %edi
	movl $__NR_clone3, %eax
	int $0x80
	testl %eax, %eax
	jz 1f
	popl %edi
	popl %esi
	popl %ebx
	ret
1:	xorl %ebp, %ebp             /* child: on its new stack, no frame to return to */
	andl $-16, %esp
	subl $12, %esp
	pushl %edi
	call *%esi
	ud2
END(arch_clone3)

/* long arch_clone(unsigned long flags, void *stack_top, int *parent_tid, int *child_tid,
 *                 void (*fn)(void *), void *arg)
 * clone(flags, stack, parent_tid, tls, child_tid). No register is left for fn and arg,
 * so they are placed on the child's stack, where the child finds them. */
FUNC(arch_clone)
	pushl %ebx
	pushl %esi
	pushl %edi
	movl 20(%esp), %ecx         /* stack_top */
	andl $-16, %ecx
	subl $16, %ecx
	movl 32(%esp), %eax         /* fn */
	movl %eax, 0(%ecx)
	movl 36(%esp), %eax         /* arg */
	movl %eax, 4(%ecx)
	movl 16(%esp), %ebx         /* flags */
	movl 24(%esp), %edx         /* parent_tid */
	xorl %esi, %esi             /* tls */
	movl 28(%esp), %edi         /* child_tid */
	movl $__NR_clone, %eax
	int $0x80
	testl %eax, %eax
	jz 1f
	popl %edi
	popl %esi
	popl %ebx
	ret
1:	xorl %ebp, %ebp
	popl %esi                   /* fn */
	popl %edi                   /* arg */
	subl $4, %esp               /* 16-byte aligned at the call */
	pushl %edi
	call *%esi
	ud2
END(arch_clone)

	.section .note.GNU-stack,"",@progbits
