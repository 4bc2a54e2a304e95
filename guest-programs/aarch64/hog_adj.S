// hog_adj: hog_adj ADJ [chunk_pages] -- write ADJ to /proc/self/oom_score_adj, then hog memory until killed
// Exit status 1 if the write fails (e.g. lowering below the minimum without privilege), 3 if mmap fails.
        .include "common.inc"
        .text
        .globl main
main:
        cmp     x0, #2
        b.lt    9f
        mov     x21, x0                 // argc
        mov     x22, x1                 // argv
        ldr     x0, [x1, #8]            // argv[1] = ADJ, written as given
        bl      set_oom_adj
        cbnz    w0, 8f
        mov     x0, #0                  // chunk: default
        cmp     x21, #3
        b.lt    1f
        ldr     x0, [x22, #16]
        bl      parse_dec
1:      b       hog
8:      mov     w0, #1
        b       sys_exit_group
9:      la      x0, msg_usage
        bl      puts1
        mov     w0, #64
        b       sys_exit_group
