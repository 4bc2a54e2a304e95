// stack_growth: stack_growth [pages] -- move sp down page by page (default 256 = 1 MiB), writing each page: expand_stack grows the stack VMA
// The initial stack VMA is the argument pages plus 128 KiB; every write below its
// start takes a translation fault that do_page_fault resolves by expand_stack()
// (no sp check on 6.1) and then an anonymous page.  Exit 0.
        .include "common.inc"
        .include "lib.inc"
        .text
        .globl main
main:
        mov     x2, #1
        mov     x3, #256
        bl      arg_or                  // pages = argv[1] or 256
        mov     x19, x0
        cbz     x19, 2f
        mov     x20, sp                 // the initial sp, restored at the end
        mov     x21, x19
1:      sub     sp, sp, #PAGE_SIZE      // one "frame" per page, like deep recursion
        str     xzr, [sp]               // first touch of this stack page
        subs    x21, x21, #1
        b.ne    1b
        mov     sp, x20
2:      la      x0, msg_grew
        mov     x1, x19
        bl      print_kv
        mov     w0, #0
        b       sys_exit_group
        .section .rodata
msg_grew: .asciz "stack_growth: touched stack pages "
