/* aarch64 context switch primitives; see arch/arch.h. */
#include <asm/unistd.h>

#define FUNC(name) .globl name; .hidden name; .type name, %function; name:
#define END(name) .size name, .-name

	.text
/* int arch_context_save(struct arch_jmpbuf *buf) */
FUNC(arch_context_save)
	stp x19, x20, [x0, #0]
	stp x21, x22, [x0, #16]
	stp x23, x24, [x0, #32]
	stp x25, x26, [x0, #48]
	stp x27, x28, [x0, #64]
	stp x29, x30, [x0, #80]
	mov x9, sp
	str x9, [x0, #96]
	stp d8, d9, [x0, #104]
	stp d10, d11, [x0, #120]
	stp d12, d13, [x0, #136]
	stp d14, d15, [x0, #152]
	mrs x9, fpcr
	str x9, [x0, #168]
	mov w0, #0
	ret
END(arch_context_save)

/* void arch_context_restore(const struct arch_jmpbuf *buf, int val) */
FUNC(arch_context_restore)
	ldp x19, x20, [x0, #0]
	ldp x21, x22, [x0, #16]
	ldp x23, x24, [x0, #32]
	ldp x25, x26, [x0, #48]
	ldp x27, x28, [x0, #64]
	ldp x29, x30, [x0, #80]
	ldr x9, [x0, #96]
	mov sp, x9
	ldp d8, d9, [x0, #104]
	ldp d10, d11, [x0, #120]
	ldp d12, d13, [x0, #136]
	ldp d14, d15, [x0, #152]
	ldr x9, [x0, #168]
	msr fpcr, x9
	cmp w1, #0
	csinc w0, w1, wzr, ne       /* like longjmp: never resume with 0 */
	ret                         /* to the saved lr */
END(arch_context_restore)

/* void arch_call_on_stack(void *stack_top, void (*fn)(void *), void *arg) */
FUNC(arch_call_on_stack)
	and x0, x0, #~15
	mov sp, x0
	mov x29, #0
	mov x30, #0
	mov x0, x2
	blr x1
	brk #1
END(arch_call_on_stack)

/* long arch_clone3(struct clone_args *args, size_t size, void (*fn)(void *), void *arg)
 * The kernel preserves x1..x30 across svc, so fn and arg stay in x2 and x3. */
FUNC(arch_clone3)
	mov x8, #__NR_clone3
	svc #0
	cbz x0, 1f
	ret
1:	mov x29, #0                 /* child: on its new stack, no frame to return to */
	mov x30, #0
	mov x0, x3
	blr x2
	brk #1
END(arch_clone3)

/* long arch_clone(unsigned long flags, void *stack_top, int *parent_tid, int *child_tid,
 *                 void (*fn)(void *), void *arg)
 * clone(flags, stack, parent_tid, tls, child_tid); fn and arg move to x6 and x7. */
FUNC(arch_clone)
	mov x6, x4
	mov x7, x5
	mov x4, x3
	mov x3, #0
	mov x8, #__NR_clone
	svc #0
	cbz x0, 1f
	ret
1:	mov x29, #0
	mov x30, #0
	mov x0, x7
	blr x6
	brk #1
END(arch_clone)

/* The rt_sigreturn trampoline handed out by arch_sigreturn_trampoline(). */
FUNC(arch_rt_sigreturn)
	mov x8, #__NR_rt_sigreturn
	svc #0
END(arch_rt_sigreturn)

	.section .note.GNU-stack,"",%progbits
