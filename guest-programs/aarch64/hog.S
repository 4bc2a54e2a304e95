// hog: hog [chunk_pages] -- forever mmap chunk_pages (default 256 = 1 MiB) and touch every page, until killed
// Exits only if mmap fails (status 3).  The code is the oracle's hog_forever.
        .include "common.inc"
        .text
        .globl main
main:
        mov     x2, x0
        mov     x0, #0
        cmp     x2, #2
        b.lt    1f
        ldr     x0, [x1, #8]
        bl      parse_dec
1:      b       hog
