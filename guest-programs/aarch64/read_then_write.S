// read_then_write: read_then_write N -- mmap N pages, read one byte of each (zero page, nothing charged), then write each (COW from the zero page)
// Phase 1: every read fault maps the shared zero page read-only: no page is
// allocated or charged to the memcg.  Phase 2: every write takes a write-protect
// fault (do_wp_page -> wp_page_copy) that allocates and charges one anon page.
// A marker line is printed after each phase.  Exit 0; 1 if a read byte was not 0.
        .include "common.inc"
        .include "lib.inc"
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
        mov     x20, x0                 // the mapping
        la      x0, msg_mapped
        mov     x1, x19
        bl      print_kv
        // phase 1: reads
        mov     x0, x20
        mov     x1, x19
        mov     x2, #0                  // sum of the bytes read
1:      ldrb    w3, [x0]
        add     x2, x2, x3
        add     x0, x0, #PAGE_SIZE
        subs    x1, x1, #1
        b.ne    1b
        mov     x21, x2
        la      x0, msg_read
        mov     x1, x21
        bl      print_kv
        cbnz    x21, 7f
        // phase 2: writes
        mov     x0, x20
        mov     x1, x19
        bl      touch_pages
        la      x0, msg_written
        mov     x1, x19
        bl      print_kv
        mov     w0, #0
        b       sys_exit_group
7:      mov     w0, #1
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
msg_mapped:  .asciz "read_then_write: mapped pages "
msg_read:    .asciz "read_then_write: read done, byte sum "
msg_written: .asciz "read_then_write: written pages "
