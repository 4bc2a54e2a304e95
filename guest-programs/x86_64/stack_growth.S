// stack_growth: stack_growth [pages] -- move sp down page by page (default 256 = 1 MiB), writing each page: expand_stack grows the stack VMA
// The initial stack VMA is the argument pages plus 128 KiB; every write below its
// start takes a not-present fault that do_user_addr_fault resolves by
// expand_stack() (no sp check on 6.1) and then an anonymous page.  Exit 0.
        .include "common.inc"
        .include "lib.inc"
        .text
        .globl main
main:
        mov     edx, 1
        mov     ecx, 256
        call    arg_or                  // pages = argv[1] or 256
        mov     rbx, rax
        test    rbx, rbx
        jz      2f
        mov     r12, rsp                // the initial rsp, restored at the end
        mov     r13, rbx
1:      sub     rsp, PAGE_SIZE          // one "frame" per page, like deep recursion
        mov     qword ptr [rsp], 0      // first touch of this stack page
        dec     r13
        jnz     1b
        mov     rsp, r12
2:      lea     rdi, [rip + msg_grew]
        mov     rsi, rbx
        call    print_kv
        xor     eax, eax
        ret
        .section .rodata
msg_grew: .asciz "stack_growth: touched stack pages "
