// read_only: read_only N -- mmap N anonymous pages, read one byte of each, exit (lab 2).
// Phase 1 of read_then_write without phase 2: every read fault maps the shared zero page
// (do_anonymous_page, !FAULT_FLAG_WRITE), so nothing is allocated or charged for the data.
// Prints "read_only: read pages N" and "read_only: byte sum S"; exit 0 (1 if a byte was not 0).
        .include "../../../../guest-programs/aarch64/common.inc"
        .include "../../../../guest-programs/aarch64/lib.inc"
        .text
        .globl main
main:
        cmp     x0, #2
        b.lt    9f
        ldr     x0, [x1, #8]
        bl      parse_dec
        mov     x19, x0                 // npages
        lsl     x0, x19, #12
        bl      mmap_anon
        check_err x0, 8f
        mov     x1, x19
        mov     x2, #0                  // sum of the bytes read
1:      ldrb    w3, [x0]                // read fault -> zero page
        add     x2, x2, x3
        add     x0, x0, #PAGE_SIZE
        subs    x1, x1, #1
        b.ne    1b
        mov     x20, x2
        la      x0, msg_read
        mov     x1, x19
        bl      print_kv
        la      x0, msg_sum
        mov     x1, x20
        bl      print_kv
        cmp     x20, #0
        cset    w0, ne
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
msg_read: .asciz "read_only: read pages "
msg_sum:  .asciz "read_only: byte sum "
