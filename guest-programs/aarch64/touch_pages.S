// touch_pages: touch_pages N -- mmap N anonymous pages, write one byte per page, print a marker, exit 0
// The code is the oracle's touch_pages.  RSS afterwards: N anon pages + the initial stack page.
        .include "common.inc"
        .text
        .globl main
main:
        cmp     x0, #2
        b.lt    9f
        ldr     x20, [x1, #8]           // argv[1] (decimal page count)
        mov     x0, x20
        bl      parse_dec
        mov     x19, x0                 // npages (must be >= 1)
        lsl     x0, x19, #12
        bl      mmap_anon
        check_err x0, 8f
        mov     x1, x19
        bl      touch_pages
        la      x0, msg_done
        bl      puts1
        mov     x0, x20
        bl      puts1
        la      x0, msg_nl
        bl      puts1
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
msg_done: .asciz "touch_pages: done "
