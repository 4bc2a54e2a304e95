// jump_fresh: mmap a fresh read/write page and call it without ever touching it (lab 6
// solution).  Unlike exec_rw, nothing is mapped yet: the fetch takes an IABT *translation*
// fault, and __do_page_fault() refuses it at once because the VMA lacks VM_EXEC
// (VM_FAULT_BADACCESS -> SIGSEGV, SEGV_ACCERR).  One fault; nothing gets mapped.
        .include "../../../../guest-programs/aarch64/common.inc"
        .text
        .globl main
main:
        mov     x0, #PAGE_SIZE
        bl      mmap_anon               // PROT_READ|PROT_WRITE, no PROT_EXEC
        check_err x0, 1f
        blr     x0                      // fetch from a page that is not present
        mov     w0, #99                 // not reached
        b       sys_exit_group
1:      la      x0, msg_mmap_fail
        bl      puts1
        mov     w0, #2
        b       sys_exit_group
