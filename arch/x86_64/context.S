/* x86_64 context switch primitives; see arch/arch.h. */
#include <asm/unistd.h>

#define FUNC(name) .globl name; .hidden name; .type name, @function; name:
#define END(name) .size name, .-name

	.text
/* int arch_context_save(struct arch_jmpbuf *buf) */
FUNC(arch_context_save)
	movq %rbx, 0(%rdi)
	movq %rbp, 8(%rdi)
	movq %r12, 16(%rdi)
	movq %r13, 24(%rdi)
	movq %r14, 32(%rdi)
	movq %r15, 40(%rdi)
	leaq 8(%rsp), %rax          /* the caller's stack pointer after we return */
	movq %rax, 48(%rdi)
	movq (%rsp), %rax           /* our return address */
	movq %rax, 56(%rdi)
	stmxcsr 64(%rdi)
	fnstcw 68(%rdi)
	xorl %eax, %eax
	ret
END(arch_context_save)

/* void arch_context_restore(const struct arch_jmpbuf *buf, int val) */
FUNC(arch_context_restore)
	ldmxcsr 64(%rdi)
	fldcw 68(%rdi)
	movq 0(%rdi), %rbx
	movq 8(%rdi), %rbp
	movq 16(%rdi), %r12
	movq 24(%rdi), %r13
	movq 32(%rdi), %r14
	movq 40(%rdi), %r15
	movq 48(%rdi), %rsp
	movl %esi, %eax
	testl %eax, %eax
	jnz 1f
	incl %eax                   /* like longjmp: never resume with 0 */
1:	jmp *56(%rdi)
END(arch_context_restore)

/* void arch_call_on_stack(void *stack_top, void (*fn)(void *), void *arg) */
FUNC(arch_call_on_stack)
	movq %rdi, %rsp
	andq $-16, %rsp
	xorl %ebp, %ebp
	movq %rdx, %rdi
	call *%rsi
	ud2
END(arch_call_on_stack)

/* long arch_clone3(struct clone_args *args, size_t size, void (*fn)(void *), void *arg)
 * The kernel preserves every register but rax, rcx and r11 across syscall, so fn and
 * arg travel to the child in r8 and r9. */
FUNC(arch_clone3)
	movq %rdx, %r8
	movq %rcx, %r9
	movl $__NR_clone3, %eax
	syscall
	testq %rax, %rax
	jz 1f
	ret
1:	xorl %ebp, %ebp             /* child: on its new stack, no frame to return to */
	andq $-16, %rsp
	movq %r9, %rdi
	call *%r8
	ud2
END(arch_clone3)

/* long arch_clone(unsigned long flags, void *stack_top, int *parent_tid, int *child_tid,
 *                 void (*fn)(void *), void *arg)
 * clone(flags, stack, parent_tid, child_tid, tls): fn rides in r8 (the tls argument,
 * ignored without CLONE_SETTLS) and arg in r9, both preserved by the kernel. */
FUNC(arch_clone)
	movq %rcx, %r10
	movl $__NR_clone, %eax
	syscall
	testq %rax, %rax
	jz 1f
	ret
1:	xorl %ebp, %ebp
	andq $-16, %rsp
	movq %r9, %rdi
	call *%r8
	ud2
END(arch_clone)

	.section .note.GNU-stack,"",@progbits
