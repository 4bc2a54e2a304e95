// hog: forever mmap 64 anonymous pages and write one byte to each page, until killed.
// Self-contained (no .include) so the CLI tests and golden files do not depend on
// guest-programs/.  Exits with status 3 if mmap fails.
        .set SYS_exit_group, 94
        .set SYS_mmap,      222
        .set CHUNK_PAGES,    64

        .text
        .globl _start
_start:
1:      mov     x0, #0                          // addr = NULL
        mov     x1, #(CHUNK_PAGES * 4096)       // length
        mov     x2, #3                          // PROT_READ|PROT_WRITE
        mov     x3, #0x22                       // MAP_PRIVATE|MAP_ANONYMOUS
        mov     x4, #-1                         // fd
        mov     x5, #0                          // offset
        mov     x8, #SYS_mmap
        svc     #0
        cmn     x0, #4095
        b.hs    3f                              // -errno
        mov     x1, #CHUNK_PAGES
        mov     w2, #1
2:      strb    w2, [x0]                        // one byte per page
        add     x0, x0, #4096
        subs    x1, x1, #1
        b.ne    2b
        b       1b
3:      mov     x0, #3
        mov     x8, #SYS_exit_group
        svc     #0
