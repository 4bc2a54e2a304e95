// holder: holder N [seconds] -- touch N anonymous pages, print a marker, then sleep in nanosleep (forever by default)
// The code is the oracle's holder: "ready" for scenarios once it sleeps.  Exit 0 after `seconds` if given.
        .include "common.inc"
        .text
        .globl main
main:
        cmp     edi, 2
        jl      9f
        mov     r13d, edi               // argc
        mov     r14, rsi                // argv
        mov     r12, qword ptr [rsi + 8]
        mov     rdi, r12
        call    parse_dec
        mov     rbx, rax
        mov     rdi, rbx
        shl     rdi, 12
        call    mmap_anon
        cmp     rax, -4095
        jae     8f
        mov     rdi, rax
        mov     rsi, rbx
        call    touch_pages
        lea     rdi, [rip + msg_ready]
        call    puts1
        mov     rdi, r12
        call    puts1
        lea     rdi, [rip + msg_nl]
        call    puts1
        xor     edi, edi
        cmp     r13d, 3
        jl      1f
        mov     rdi, qword ptr [r14 + 16] // argv[2] = seconds
        call    parse_dec
        mov     rdi, rax
1:      call    sleep_total
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
msg_ready: .asciz "holder: ready "
