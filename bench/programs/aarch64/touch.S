// touch [N]: mmap N anonymous private pages (default 1024) and write one byte per page, then
// exit_group(0).  Every store is a minor anonymous fault (do_anonymous_page).  The store loop
// between the labels touch_loop and touch_done is what bench/faults.ts also runs on the raw
// engine (x1 = region, x3 = pages, w2 = value) for the baseline.
        .text
        .globl _start
_start:
        ldr     x9, [sp]                // argc
        mov     x19, #1024              // default page count
        cmp     x9, #2
        b.lt    1f
        ldr     x10, [sp, #16]          // argv[1]: decimal page count
        mov     x19, #0
        mov     x12, #10
2:      ldrb    w11, [x10], #1
        sub     w11, w11, #48
        cmp     w11, #9
        b.hi    1f                      // not a digit (NUL ends the string)
        madd    x19, x19, x12, x11
        b       2b
1:      mov     x0, #0                  // addr = NULL
        lsl     x1, x19, #12            // length = N pages
        mov     x2, #3                  // PROT_READ | PROT_WRITE
        mov     x3, #0x22               // MAP_PRIVATE | MAP_ANONYMOUS
        mov     x4, #-1                 // fd
        mov     x5, #0                  // offset
        mov     x8, #222                // __NR_mmap
        svc     #0
        cmn     x0, #4095
        b.hi    fail                    // -errno
        mov     x1, x0
        mov     x3, x19
        mov     w2, #1
        cbz     x3, touch_done
touch_loop:
        strb    w2, [x1]
        add     x1, x1, #4096
        subs    x3, x3, #1
        b.ne    touch_loop
touch_done:
        mov     x0, #0
        mov     x8, #94                 // __NR_exit_group
        svc     #0
fail:
        mov     x0, #1
        mov     x8, #94
        svc     #0
