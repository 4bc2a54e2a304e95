// jump_fresh: mmap a fresh read/write page and call it without ever touching it (lab 6
// solution).  Unlike exec_rw, nothing is mapped yet: the fetch takes a *not-present* fault,
// and access_error() refuses it only because the VMA lacks VM_EXEC (bad_area_access_error ->
// SIGSEGV, SEGV_ACCERR).  arm64: IABT translation fault; x86-64: error 0x14 (not 0x15).
        .include "../../../../guest-programs/x86_64/common.inc"
        .text
        .globl main
main:
        mov     edi, PAGE_SIZE
        call    mmap_anon               // PROT_READ|PROT_WRITE, no PROT_EXEC
        cmp     rax, -4095
        jae     1f
        call    rax                     // fetch from a page that is not present
        mov     eax, 99                 // not reached
        ret
1:      lea     rdi, [rip + msg_mmap_fail]
        call    puts1
        mov     eax, 2
        ret
