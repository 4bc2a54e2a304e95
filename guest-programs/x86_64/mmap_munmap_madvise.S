// mmap_munmap_madvise: mmap 4 pages, touch, madvise(MADV_DONTNEED), re-read zeros, re-touch, munmap, then load from it -> SIGSEGV
// Steps print marker lines.  MADV_DONTNEED zaps the pages (uncharged, RSS drops);
// the re-read maps the zero page (the bytes read are 0, not the 0x5a written);
// the load after munmap finds no VMA: SIGSEGV, SEGV_MAPERR.  Exit 1..4 if a
// step fails; 99 if the final load was survived.
        .include "common.inc"
        .include "lib.inc"
        .set NPAGES, 4
        .text
        .globl main
main:
        mov     edi, NPAGES * PAGE_SIZE
        call    mmap_anon
        cmp     rax, -4095
        jae     8f
        mov     r12, rax
        // touch: write 0x5a at the start of each page
        mov     rdi, r12
        mov     ecx, NPAGES
1:      mov     byte ptr [rdi], 0x5a
        add     rdi, PAGE_SIZE
        dec     ecx
        jnz     1b
        lea     rdi, [rip + msg_touched]
        mov     esi, NPAGES
        call    print_kv
        // madvise(addr, len, MADV_DONTNEED)
        mov     rdi, r12
        mov     esi, NPAGES * PAGE_SIZE
        mov     edx, MADV_DONTNEED
        mov     eax, SYS_madvise
        syscall
        test    rax, rax
        jnz     5f
        lea     rdi, [rip + msg_dontneed]
        mov     esi, NPAGES
        call    print_kv
        // re-read: every page reads back as zeros
        mov     rdi, r12
        mov     ecx, NPAGES
        xor     r13d, r13d
2:      movzx   eax, byte ptr [rdi]
        add     r13, rax
        add     rdi, PAGE_SIZE
        dec     ecx
        jnz     2b
        lea     rdi, [rip + msg_reread]
        mov     rsi, r13
        call    print_kv
        test    r13, r13
        jnz     6f
        // re-touch
        mov     rdi, r12
        mov     esi, NPAGES
        call    touch_pages
        lea     rdi, [rip + msg_retouched]
        mov     esi, NPAGES
        call    print_kv
        // munmap, then access the unmapped range
        mov     rdi, r12
        mov     esi, NPAGES * PAGE_SIZE
        mov     eax, SYS_munmap
        syscall
        test    rax, rax
        jnz     7f
        lea     rdi, [rip + msg_unmapped]
        mov     esi, NPAGES
        call    print_kv
        movzx   eax, byte ptr [r12]     // no VMA any more: SIGSEGV
        mov     eax, 99
        ret
5:      mov     eax, 3                  // madvise failed
        ret
6:      mov     eax, 1                  // stale data after MADV_DONTNEED
        ret
7:      mov     eax, 4                  // munmap failed
        ret
8:      lea     rdi, [rip + msg_mmap_fail]
        call    puts1
        mov     eax, 2
        ret
        .section .rodata
msg_touched:   .asciz "mmap_munmap_madvise: touched pages "
msg_dontneed:  .asciz "mmap_munmap_madvise: MADV_DONTNEED pages "
msg_reread:    .asciz "mmap_munmap_madvise: re-read byte sum "
msg_retouched: .asciz "mmap_munmap_madvise: re-touched pages "
msg_unmapped:  .asciz "mmap_munmap_madvise: unmapped pages "
