// hog_adj: hog_adj ADJ [chunk_pages] -- write ADJ to /proc/self/oom_score_adj, then hog memory until killed
// Exit status 1 if the write fails (e.g. lowering below the minimum without privilege), 3 if mmap fails.
        .include "common.inc"
        .text
        .globl main
main:
        cmp     edi, 2
        jl      9f
        mov     r13d, edi               // argc
        mov     r14, rsi                // argv
        mov     rdi, qword ptr [rsi + 8] // argv[1] = ADJ, written as given
        call    set_oom_adj
        test    eax, eax
        jnz     8f
        xor     eax, eax                // chunk: default
        cmp     r13d, 3
        jl      1f
        mov     rdi, qword ptr [r14 + 16]
        call    parse_dec
1:      mov     rdi, rax
        jmp     hog
8:      mov     eax, 1
        ret
9:      lea     rdi, [rip + msg_usage]
        call    puts1
        mov     eax, 64
        ret
