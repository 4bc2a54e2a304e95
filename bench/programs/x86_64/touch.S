// touch [N]: mmap N anonymous private pages (default 1024) and write one byte per page, then
// exit_group(0).  Every store is a minor anonymous fault (do_anonymous_page).  The store loop
// between the labels touch_loop and touch_done is what bench/faults.ts also runs on the raw
// engine (rdi = region, rcx = pages) for the baseline.
        .intel_syntax noprefix
        .text
        .globl _start
_start:
        mov     rcx, qword ptr [rsp]    // argc
        mov     r12, 1024               // default page count
        cmp     rcx, 2
        jl      1f
        mov     rsi, qword ptr [rsp + 16]   // argv[1]: decimal page count
        xor     r12d, r12d
2:      movzx   eax, byte ptr [rsi]
        inc     rsi
        sub     eax, 48
        cmp     eax, 9
        ja      1f                      // not a digit (NUL ends the string)
        imul    r12, r12, 10
        add     r12, rax
        jmp     2b
1:      xor     edi, edi                // addr = NULL
        mov     rsi, r12
        shl     rsi, 12                 // length = N pages
        mov     edx, 3                  // PROT_READ | PROT_WRITE
        mov     r10d, 0x22              // MAP_PRIVATE | MAP_ANONYMOUS
        mov     r8, -1                  // fd
        xor     r9d, r9d                // offset
        mov     eax, 9                  // __NR_mmap
        syscall
        cmp     rax, -4095
        jae     fail                    // -errno
        mov     rdi, rax
        mov     rcx, r12
        test    rcx, rcx
        jz      touch_done
touch_loop:
        mov     byte ptr [rdi], 1
        add     rdi, 4096
        dec     rcx
        jnz     touch_loop
touch_done:
        xor     edi, edi
        mov     eax, 231                // __NR_exit_group
        syscall
fail:
        mov     edi, 1
        mov     eax, 231
        syscall
