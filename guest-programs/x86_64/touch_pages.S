// touch_pages: touch_pages N -- mmap N anonymous pages, write one byte per page, print a marker, exit 0
// The code is the oracle's touch_pages.  RSS afterwards: N anon pages + the initial stack page.
        .include "common.inc"
        .text
        .globl main
main:
        cmp     edi, 2
        jl      9f
        mov     r12, qword ptr [rsi + 8] // argv[1] (decimal page count)
        mov     rdi, r12
        call    parse_dec
        mov     rbx, rax                // npages (must be >= 1)
        mov     rdi, rbx
        shl     rdi, 12
        call    mmap_anon
        cmp     rax, -4095
        jae     8f
        mov     rdi, rax
        mov     rsi, rbx
        call    touch_pages
        lea     rdi, [rip + msg_done]
        call    puts1
        mov     rdi, r12
        call    puts1
        lea     rdi, [rip + msg_nl]
        call    puts1
        xor     eax, eax
        ret
8:      lea     rdi, [rip + msg_mmap_fail]
        call    puts1
        mov     eax, 2
        ret
9:      lea     rdi, [rip + msg_usage]
        call    puts1
        mov     eax, 64
        ret
        .section .rodata
msg_done: .asciz "touch_pages: done "
