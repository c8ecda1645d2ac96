/* armv7 context switch primitives and raw syscall; see arch/arch.h. ARM mode, called
 * from Thumb code through interworking. */
#include <asm/unistd.h>

#define FUNC(name) .globl name; .hidden name; .type name, %function; name:
#define END(name) .size name, .-name

	.syntax unified
	.arm
	.fpu neon
	.text

/* long arch_syscall6(long nr, long a, long b, long c, long d, long e, long f) */
FUNC(arch_syscall6)
	push {r4, r5, r7, lr}
	mov r7, r0
	mov r0, r1
	mov r1, r2
	mov r2, r3
	ldr r3, [sp, #16]
	ldr r4, [sp, #20]
	ldr r5, [sp, #24]
	svc #0
	pop {r4, r5, r7, pc}
END(arch_syscall6)

/* int arch_context_save(struct arch_jmpbuf *buf) */
FUNC(arch_context_save)
	stmia r0, {r4-r11}
	str sp, [r0, #32]
	str lr, [r0, #36]
	add r1, r0, #40
	vstmia r1, {d8-d15}
	vmrs r2, fpscr
	str r2, [r0, #104]
	mov r0, #0
	bx lr
END(arch_context_save)

/* void arch_context_restore(const struct arch_jmpbuf *buf, int val) */
FUNC(arch_context_restore)
	add r2, r0, #40
	vldmia r2, {d8-d15}
	ldr r2, [r0, #104]
	vmsr fpscr, r2
	ldmia r0, {r4-r11}
	ldr sp, [r0, #32]
	ldr lr, [r0, #36]
	movs r0, r1
	moveq r0, #1                /* like longjmp: never resume with 0 */
	bx lr
END(arch_context_restore)

/* void arch_call_on_stack(void *stack_top, void (*fn)(void *), void *arg) */
FUNC(arch_call_on_stack)
	bic r0, r0, #7
	mov sp, r0
	mov fp, #0
	mov lr, #0
	mov r0, r2
	blx r1
	udf #0
END(arch_call_on_stack)

/* long arch_clone3(struct clone_args *args, size_t size, void (*fn)(void *), void *arg)
 * The kernel preserves r1..r14 across svc, so fn and arg stay in r2 and r3. */
FUNC(arch_clone3)
	push {r7, lr}
	ldr r7, =__NR_clone3
	svc #0
	cmp r0, #0
	beq 1f
	pop {r7, pc}
1:	mov fp, #0                  /* child: on its new stack, no frame to return to */
	mov lr, #0
	mov r0, r3
	blx r2
	udf #0
END(arch_clone3)

/* long arch_clone(unsigned long flags, void *stack_top, int *parent_tid, int *child_tid,
 *                 void (*fn)(void *), void *arg)
 * clone(flags, stack, parent_tid, tls, child_tid); fn and arg ride in r5 and r6. */
FUNC(arch_clone)
	push {r4, r5, r6, r7, lr}
	mov r4, r3                  /* child_tid */
	ldr r5, [sp, #20]           /* fn */
	ldr r6, [sp, #24]           /* arg */
	mov r3, #0                  /* tls, unused without CLONE_SETTLS */
	ldr r7, =__NR_clone
	svc #0
	cmp r0, #0
	beq 1f
	pop {r4, r5, r6, r7, pc}
1:	mov fp, #0
	mov lr, #0
	mov r0, r6
	blx r5
	udf #0
END(arch_clone)

	.section .note.GNU-stack,"",%progbits
