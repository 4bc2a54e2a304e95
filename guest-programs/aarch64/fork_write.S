// fork_write: fork_write N -- touch N pages, fork; the child writes them all (N COW faults), the parent waits with wait4; both exit 0
// After fork both mms share the pages write-protected (copy_page_range); each
// child store is a write-protect fault -> do_wp_page -> wp_page_copy.  The parent
// then checks that its own pages still hold 1 (the child wrote 2 into copies).
// Parent exit status: 0, or 1 if the child failed, 5 if its pages changed.
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
        mov     x20, x0
        mov     x1, x19
        bl      touch_pages             // writes 1 into each page
        la      x0, msg_touched
        mov     x1, x19
        bl      print_kv
        bl      sys_fork
        tbnz    x0, #63, 6f
        cbz     x0, 5f
        // parent
        bl      wait_child              // x0 = child pid
        mov     x21, x0                 // wait status
        mov     x0, x20
        mov     x1, x19
1:      ldrb    w2, [x0]
        cmp     w2, #1
        b.ne    4f
        add     x0, x0, #PAGE_SIZE
        subs    x1, x1, #1
        b.ne    1b
        la      x0, msg_status
        mov     x1, x21
        bl      print_kv
        cmp     x21, #0
        cset    w0, ne                  // 1 if the child failed
        b       sys_exit_group
4:      mov     w0, #5
        b       sys_exit_group
5:      // child: one COW fault per page
        mov     x0, x20
        mov     x1, x19
        mov     w2, #2
3:      strb    w2, [x0]
        add     x0, x0, #PAGE_SIZE
        subs    x1, x1, #1
        b.ne    3b
        la      x0, msg_child
        mov     x1, x19
        bl      print_kv
        mov     w0, #0
        b       sys_exit_group
6:      mov     w0, #4                  // fork failed
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
msg_touched: .asciz "fork_write: parent touched pages "
msg_child:   .asciz "fork_write: child wrote pages "
msg_status:  .asciz "fork_write: child wait status "
