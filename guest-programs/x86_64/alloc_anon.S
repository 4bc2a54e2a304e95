// alloc_anon: alloc_anon SIZE -- kselftest alloc_anon(): map SIZE bytes (K/M/G suffix ok), write 0 once per 4 KiB page, free, exit 0
// Like tools/testing/selftests/cgroup's helper: buf = malloc(size); for each
// page *ptr = 0; free(buf).  Here malloc/free are mmap/munmap.  Exit 3 if mmap fails.
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
        mov     rdi, r12                // free(buf)
        mov     rsi, rbx
        mov     eax, SYS_munmap
        syscall
2:      xor     eax, eax
        ret
8:      lea     rdi, [rip + msg_mmap_fail]
        call    puts1
        mov     eax, 3
        ret
9:      lea     rdi, [rip + msg_usage]
        call    puts1
        mov     eax, 64
        ret
