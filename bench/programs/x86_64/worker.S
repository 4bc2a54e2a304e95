// worker [PAGES [SLEEP_MS]]: a small process for multi-process runs (test/determinism).
//   1. prints "at_random=<16 bytes hex>" (the AT_RANDOM auxv bytes) and
//      "getrandom=<8 bytes hex>" (getrandom(2)): the only output that depends on the seed;
//   2. mmaps PAGES anonymous private pages, writes one byte to the first half of them,
//      sleeps SLEEP_MS (nanosleep; 0 = no sleep), writes the second half, sleeps again;
//   3. prints "done" and exits 0.  A worker killed by the OOM killer never prints "done".
        .intel_syntax noprefix
        .text
        .globl _start
_start:
        mov     rbp, rsp
        xor     r12d, r12d              // pages
        xor     r13d, r13d              // sleep ms
        mov     rcx, qword ptr [rbp]    // argc
        cmp     rcx, 2
        jl      1f
        mov     rdi, qword ptr [rbp + 16]   // argv[1]
        call    parse_num
        mov     r12, rax
        mov     rcx, qword ptr [rbp]
        cmp     rcx, 3
        jl      1f
        mov     rdi, qword ptr [rbp + 24]   // argv[2]
        call    parse_num
        mov     r13, rax
1:      mov     rcx, qword ptr [rbp]    // find the auxv: after argv[], NULL, envp[], NULL
        lea     rsi, [rbp + rcx*8 + 16]
2:      mov     rax, qword ptr [rsi]
        add     rsi, 8
        test    rax, rax
        jnz     2b
3:      mov     rax, qword ptr [rsi]
        mov     rdx, qword ptr [rsi + 8]
        add     rsi, 16
        test    rax, rax
        jz      4f                      // AT_NULL: no AT_RANDOM
        cmp     rax, 25                 // AT_RANDOM
        jne     3b
        lea     rdi, [rip + s_atr]
        mov     rsi, rdx
        mov     edx, 16
        call    print_hex
4:      lea     rdi, [rip + rbuf]
        mov     esi, 8
        xor     edx, edx
        mov     eax, 318                // __NR_getrandom
        syscall
        lea     rdi, [rip + s_gr]
        lea     rsi, [rip + rbuf]
        mov     edx, 8
        call    print_hex
        test    r12, r12
        jz      done
        xor     edi, edi                // mmap(NULL, pages * 4096, RW, PRIVATE|ANONYMOUS, -1, 0)
        mov     rsi, r12
        shl     rsi, 12
        mov     edx, 3
        mov     r10d, 0x22
        mov     r8, -1
        xor     r9d, r9d
        mov     eax, 9                  // __NR_mmap
        syscall
        cmp     rax, -4095
        jae     fail
        mov     r14, rax                // base
        mov     r15, r12
        shr     r15, 1                  // first half
        mov     rdi, r14
        mov     rsi, r15
        call    touch
        mov     rdi, r13
        call    sleep_ms
        mov     rdi, r15
        shl     rdi, 12
        add     rdi, r14
        mov     rsi, r12
        sub     rsi, r15
        call    touch
        mov     rdi, r13
        call    sleep_ms
done:   mov     edi, 1
        lea     rsi, [rip + s_done]
        mov     edx, 5
        mov     eax, 1                  // __NR_write
        syscall
        xor     edi, edi
        mov     eax, 231                // __NR_exit_group
        syscall
fail:   mov     edi, 1
        mov     eax, 231
        syscall

// rdi = NUL-terminated decimal string -> rax = value
parse_num:
        xor     eax, eax
5:      movzx   ecx, byte ptr [rdi]
        inc     rdi
        sub     ecx, 48
        cmp     ecx, 9
        ja      6f
        imul    rax, rax, 10
        add     rax, rcx
        jmp     5b
6:      ret

// one byte store per page: rdi = first page, rsi = page count
touch:
        test    rsi, rsi
        jz      8f
7:      mov     byte ptr [rdi], 1
        add     rdi, 4096
        dec     rsi
        jnz     7b
8:      ret

// nanosleep for rdi milliseconds (nothing if 0)
sleep_ms:
        test    rdi, rdi
        jz      9f
        mov     rax, rdi
        xor     edx, edx
        mov     ecx, 1000
        div     rcx
        imul    rdx, rdx, 1000000
        lea     rdi, [rip + ts]
        mov     qword ptr [rdi], rax
        mov     qword ptr [rdi + 8], rdx
        xor     esi, esi
        mov     eax, 35                 // __NR_nanosleep
        syscall
9:      ret

// write(1, prefix + hex(bytes) + "\n"): rdi = prefix (NUL-terminated), rsi = bytes, rdx = count
print_hex:
        lea     r8, [rip + line]
        mov     r9, r8
10:     mov     al, byte ptr [rdi]
        inc     rdi
        test    al, al
        jz      11f
        mov     byte ptr [r9], al
        inc     r9
        jmp     10b
11:     lea     r10, [rip + hexd]
12:     test    rdx, rdx
        jz      13f
        movzx   eax, byte ptr [rsi]
        inc     rsi
        mov     ecx, eax
        shr     ecx, 4
        mov     cl, byte ptr [r10 + rcx]
        mov     byte ptr [r9], cl
        and     eax, 15
        mov     al, byte ptr [r10 + rax]
        mov     byte ptr [r9 + 1], al
        add     r9, 2
        dec     rdx
        jmp     12b
13:     mov     byte ptr [r9], 10
        inc     r9
        mov     edi, 1
        mov     rsi, r8
        mov     rdx, r9
        sub     rdx, r8
        mov     eax, 1                  // __NR_write
        syscall
        ret

        .section .rodata
hexd:   .ascii  "0123456789abcdef"
s_atr:  .asciz  "at_random="
s_gr:   .asciz  "getrandom="
s_done: .ascii  "done\n"

        .bss
        .balign 16
ts:     .skip   16
rbuf:   .skip   8
line:   .skip   128
