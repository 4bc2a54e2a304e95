// alloc_anon_noexit: alloc_anon_noexit SIZE -- kselftest alloc_anon_noexit(): write 0 once per 4 KiB page of SIZE bytes, then sleep while the parent lives
// Like tools/testing/selftests/cgroup's helper: ppid = getppid(); touch;
// while (getppid() == ppid) sleep(1).  Sleeps in nanosleep ("ready" for
// scenarios); its parent is init here, so in practice it sleeps until killed.
        .include "common.inc"
        .include "lib.inc"
        .text
        .globl main
main:
        cmp     x0, #2
        b.lt    9f
        ldr     x0, [x1, #8]
        bl      parse_size
        mov     x19, x0                 // size in bytes
        mov     x8, #SYS_getppid
        svc     #0
        mov     x21, x0                 // ppid
        mov     x20, #0
        cbz     x19, 2f
        mov     x0, x19
        bl      mmap_anon
        check_err x0, 8f
        mov     x20, x0
        add     x1, x20, x19            // end
1:      strb    wzr, [x0]               // *ptr = 0
        add     x0, x0, #PAGE_SIZE
        cmp     x0, x1
        b.lo    1b
2:      mov     x0, #1                  // sleep(1) while the parent lives
        bl      sleep_secs
        mov     x8, #SYS_getppid
        svc     #0
        cmp     x0, x21
        b.eq    2b
        cbz     x20, 3f
        mov     x0, x20                 // free(buf)
        mov     x1, x19
        mov     x8, #SYS_munmap
        svc     #0
3:      mov     w0, #0
        b       sys_exit_group
8:      la      x0, msg_mmap_fail
        bl      puts1
        mov     w0, #3
        b       sys_exit_group
9:      la      x0, msg_usage
        bl      puts1
        mov     w0, #64
        b       sys_exit_group
