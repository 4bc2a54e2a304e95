// read_only: read_only N -- mmap N anonymous pages, read one byte of each, exit (lab 2).
// Phase 1 of read_then_write without phase 2: every read fault maps the shared zero page
// (do_anonymous_page, !FAULT_FLAG_WRITE), so nothing is allocated or charged for the data.
// Prints "read_only: read pages N" and "read_only: byte sum S"; exit 0 (1 if a byte was not 0).
        .include "../../../../guest-programs/x86_64/common.inc"
        .include "../../../../guest-programs/x86_64/lib.inc"
        .text
        .globl main
main:
        cmp     edi, 2
        jl      9f
        mov     rdi, qword ptr [rsi + 8]
        call    parse_dec
        mov     rbx, rax                // npages
        mov     rdi, rbx
        shl     rdi, 12
        call    mmap_anon
        cmp     rax, -4095
        jae     8f
        mov     rdi, rax
        mov     rcx, rbx
        xor     r13d, r13d              // sum of the bytes read
1:      movzx   eax, byte ptr [rdi]     // read fault -> zero page
        add     r13, rax
        add     rdi, PAGE_SIZE
        dec     rcx
        jnz     1b
        lea     rdi, [rip + msg_read]
        mov     rsi, rbx
        call    print_kv
        lea     rdi, [rip + msg_sum]
        mov     rsi, r13
        call    print_kv
        xor     eax, eax
        test    r13, r13
        setnz   al
        ret
8:      lea     rdi, [rip + msg_mmap_fail]
        call    puts1
        mov     eax, 2
        ret
9:      lea     rdi, [rip + msg_usage]
        call    puts1
        mov     eax, 64
        ret
        .section .rodata
msg_read: .asciz "read_only: read pages "
msg_sum:  .asciz "read_only: byte sum "
