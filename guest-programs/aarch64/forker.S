// forker: forker [base_pages [seconds]] -- fork 3 children touching 1x, 2x, 3x base_pages (default 256) that then sleep; the parent waits for all
// Each child prints a marker, then sleeps `seconds` (0 or absent: forever) and
// exits 0.  The parent reaps every child with wait4(-1), printing its pid and
// wait status (9 = SIGKILL, e.g. by the OOM killer), and exits 0.
        .include "common.inc"
        .include "lib.inc"
        .set NCHILD, 3
        .text
        .globl main
main:
        mov     x21, x0                 // argc
        mov     x22, x1                 // argv
        mov     x2, #1
        mov     x3, #256
        bl      arg_or
        mov     x19, x0                 // base_pages
        mov     x0, x21
        mov     x1, x22
        mov     x2, #2
        mov     x3, #0
        bl      arg_or
        mov     x20, x0                 // seconds
        mov     x23, #1                 // child index 1..NCHILD
1:      bl      sys_fork
        tbnz    x0, #63, 6f
        cbz     x0, 5f
        add     x23, x23, #1
        cmp     x23, #NCHILD
        b.le    1b
        // parent: reap until ECHILD
2:      mov     x0, #-1
        bl      wait_child_pid          // x0 = pid or -errno, x1 = status
        tbnz    x0, #63, 3f
        mov     x24, x1
        mov     x1, x0
        la      x0, msg_reaped
        bl      print_pid_status
        b       2b
3:      mov     w0, #0
        b       sys_exit_group
5:      // child number x23: touch x23 * base_pages pages, then sleep
        mul     x24, x19, x23
        lsl     x0, x24, #12
        bl      mmap_anon
        check_err x0, 8f
        mov     x1, x24
        bl      touch_pages
        la      x0, msg_child
        mov     x1, x24
        bl      print_kv
        mov     x0, x20
        bl      sleep_total
        mov     w0, #0
        b       sys_exit_group
6:      mov     w0, #4                  // fork failed
        b       sys_exit_group
8:      la      x0, msg_mmap_fail
        bl      puts1
        mov     w0, #2
        b       sys_exit_group

// wait_child_pid(pid=x0) -> x0 = reaped pid or -errno, x1 = wait status
wait_child_pid:
        sub     sp, sp, #16
        str     wzr, [sp]
        mov     x1, sp
        mov     x2, #0
        mov     x3, #0
        mov     x8, #SYS_wait4
        svc     #0
        ldr     w1, [sp]
        add     sp, sp, #16
        ret

// print_pid_status(cstr=x0, pid=x1, status=x24): "<cstr><pid> status <status>\n"
print_pid_status:
        stp     x19, x30, [sp, #-16]!
        mov     x19, x1
        bl      puts1
        mov     x0, x19
        bl      print_dec
        la      x0, msg_status
        mov     x1, x24
        bl      print_kv
        ldp     x19, x30, [sp], #16
        ret
        .section .rodata
msg_child:  .asciz "forker: child touched pages "
msg_reaped: .asciz "forker: reaped pid "
msg_status: .asciz " status "
