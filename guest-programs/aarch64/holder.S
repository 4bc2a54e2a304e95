// holder: holder N [seconds] -- touch N anonymous pages, print a marker, then sleep in nanosleep (forever by default)
// The code is the oracle's holder: "ready" for scenarios once it sleeps.  Exit 0 after `seconds` if given.
        .include "common.inc"
        .text
        .globl main
main:
        cmp     x0, #2
        b.lt    9f
        mov     x21, x0                 // argc
        mov     x22, x1                 // argv
        ldr     x20, [x1, #8]
        mov     x0, x20
        bl      parse_dec
        mov     x19, x0
        lsl     x0, x19, #12
        bl      mmap_anon
        check_err x0, 8f
        mov     x1, x19
        bl      touch_pages
        la      x0, msg_ready
        bl      puts1
        mov     x0, x20
        bl      puts1
        la      x0, msg_nl
        bl      puts1
        mov     x0, #0
        cmp     x21, #3
        b.lt    1f
        ldr     x0, [x22, #16]          // argv[2] = seconds
        bl      parse_dec
1:      bl      sleep_total
        mov     w0, #0
        b       sys_exit_group
8:      la      x0, msg_mmap_fail
        bl      puts1
        mov     w0, #2
        b       sys_exit_group
9:      la      x0, msg_usage
        bl      puts1
        mov     w0, #64
        b       sys_exit_group
        .section .rodata
msg_ready: .asciz "holder: ready "
