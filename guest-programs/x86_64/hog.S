// hog: hog [chunk_pages] -- forever mmap chunk_pages (default 256 = 1 MiB) and touch every page, until killed
// Exits only if mmap fails (status 3).  The code is the oracle's hog_forever.
        .include "common.inc"
        .text
        .globl main
main:
        xor     eax, eax
        cmp     edi, 2
        jl      1f
        mov     rdi, qword ptr [rsi + 8]
        call    parse_dec
1:      mov     rdi, rax
        jmp     hog
