// jump_fresh: mmap a fresh read/write page and call it without ever touching it (lab 6
// solution).  Unlike exec_rw, nothing is mapped yet.  x86 access_error() does not look at
// VM_EXEC: the not-present fetch (error 0x14) is handled like a read and maps the zero page
// (NX); the retried fetch then faults on a present NX page (error 0x15) and that one is refused
// (bad_area_access_error -> SIGSEGV, SEGV_ACCERR).  Two faults.
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
