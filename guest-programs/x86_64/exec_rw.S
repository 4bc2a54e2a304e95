// exec_rw: mmap a RW page, write a `ret` into it, call it -> SIGSEGV (arm64 IABT level 3 permission fault; x86 NX, error 15)
// The page is present (the store made it so): the fetch fails only because the
// mapping is not executable (UXN / NX).  The code is the oracle's exec_nx.
        .include "common.inc"
        .text
        .globl main
main:
        mov     edi, PAGE_SIZE
        call    mmap_anon
        cmp     rax, -4095
        jae     1f
        mov     byte ptr [rax], 0xc3    // 'ret'; also makes the page present
        call    rax                     // instruction fetch from a non-exec page
        mov     eax, 99
        ret
1:      lea     rdi, [rip + msg_mmap_fail]
        call    puts1
        mov     eax, 2
        ret
