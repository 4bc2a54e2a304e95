// alloc_anon_noexit: alloc_anon_noexit SIZE -- kselftest alloc_anon_noexit(): write 0 once per 4 KiB page of SIZE bytes, then sleep while the parent lives
// Like tools/testing/selftests/cgroup's helper: ppid = getppid(); touch;
// while (getppid() == ppid) sleep(1).  Sleeps in nanosleep ("ready" for
// scenarios); its parent is init here, so in practice it sleeps until killed.
        .include "common.inc"
        .include "lib.inc"
        .text
        .globl main
main:
        cmp     edi, 2
        jl      9f
        mov     rdi, qword ptr [rsi + 8]
        call    parse_size
        mov     rbx, rax                // size in bytes
        mov     eax, SYS_getppid
        syscall
        mov     r13, rax                // ppid
        xor     r12d, r12d
        test    rbx, rbx
        jz      2f
        mov     rdi, rbx
        call    mmap_anon
        cmp     rax, -4095
        jae     8f
        mov     r12, rax
        lea     rcx, [r12 + rbx]        // end
1:      mov     byte ptr [rax], 0       // *ptr = 0
        add     rax, PAGE_SIZE
        cmp     rax, rcx
        jb      1b
2:      mov     edi, 1                  // sleep(1) while the parent lives
        call    sleep_secs
        mov     eax, SYS_getppid
        syscall
        cmp     rax, r13
        je      2b
        test    r12, r12
        jz      3f
        mov     rdi, r12                // free(buf)
        mov     rsi, rbx
        mov     eax, SYS_munmap
        syscall
3:      xor     eax, eax
        ret
8:      lea     rdi, [rip + msg_mmap_fail]
        call    puts1
        mov     eax, 3
        ret
9:      lea     rdi, [rip + msg_usage]
        call    puts1
        mov     eax, 64
        ret
