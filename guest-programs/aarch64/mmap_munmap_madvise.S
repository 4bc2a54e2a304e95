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
        mov     x0, #(NPAGES * PAGE_SIZE)
        bl      mmap_anon
        check_err x0, 8f
        mov     x20, x0
        // touch: write 0x5a at the start of each page
        mov     x0, x20
        mov     x1, #NPAGES
        mov     w2, #0x5a
1:      strb    w2, [x0]
        add     x0, x0, #PAGE_SIZE
        subs    x1, x1, #1
        b.ne    1b
        la      x0, msg_touched
        mov     x1, #NPAGES
        bl      print_kv
        // madvise(addr, len, MADV_DONTNEED)
        mov     x0, x20
        mov     x1, #(NPAGES * PAGE_SIZE)
        mov     x2, #MADV_DONTNEED
        mov     x8, #SYS_madvise
        svc     #0
        cbnz    x0, 5f
        la      x0, msg_dontneed
        mov     x1, #NPAGES
        bl      print_kv
        // re-read: every page reads back as zeros
        mov     x0, x20
        mov     x1, #NPAGES
        mov     x2, #0
2:      ldrb    w3, [x0]
        add     x2, x2, x3
        add     x0, x0, #PAGE_SIZE
        subs    x1, x1, #1
        b.ne    2b
        mov     x21, x2
        la      x0, msg_reread
        mov     x1, x21
        bl      print_kv
        cbnz    x21, 6f
        // re-touch
        mov     x0, x20
        mov     x1, #NPAGES
        bl      touch_pages
        la      x0, msg_retouched
        mov     x1, #NPAGES
        bl      print_kv
        // munmap, then access the unmapped range
        mov     x0, x20
        mov     x1, #(NPAGES * PAGE_SIZE)
        mov     x8, #SYS_munmap
        svc     #0
        cbnz    x0, 7f
        la      x0, msg_unmapped
        mov     x1, #NPAGES
        bl      print_kv
        ldrb    w1, [x20]               // no VMA any more: SIGSEGV
        mov     w0, #99
        b       sys_exit_group
5:      mov     w0, #3                  // madvise failed
        b       sys_exit_group
6:      mov     w0, #1                  // stale data after MADV_DONTNEED
        b       sys_exit_group
7:      mov     w0, #4                  // munmap failed
        b       sys_exit_group
8:      la      x0, msg_mmap_fail
        bl      puts1
        mov     w0, #2
        b       sys_exit_group
        .section .rodata
msg_touched:   .asciz "mmap_munmap_madvise: touched pages "
msg_dontneed:  .asciz "mmap_munmap_madvise: MADV_DONTNEED pages "
msg_reread:    .asciz "mmap_munmap_madvise: re-read byte sum "
msg_retouched: .asciz "mmap_munmap_madvise: re-touched pages "
msg_unmapped:  .asciz "mmap_munmap_madvise: unmapped pages "
