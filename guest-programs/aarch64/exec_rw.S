// exec_rw: mmap a RW page, write a `ret` into it, call it -> SIGSEGV (arm64 IABT level 3 permission fault; x86 NX, error 15)
// The page is present (the store made it so): the fetch fails only because the
// mapping is not executable (UXN / NX).  The code is the oracle's exec_nx.
        .include "common.inc"
        .text
        .globl main
main:
        mov     x0, #PAGE_SIZE
        bl      mmap_anon
        check_err x0, 1f
        ldr     w1, =0xd65f03c0         // 'ret'; also makes the page present
        str     w1, [x0]
        blr     x0                      // instruction fetch from a UXN page
        mov     w0, #99
        b       sys_exit_group
1:      la      x0, msg_mmap_fail
        bl      puts1
        mov     w0, #2
        b       sys_exit_group
        .ltorg
