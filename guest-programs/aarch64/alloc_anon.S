// alloc_anon: alloc_anon SIZE -- kselftest alloc_anon(): map SIZE bytes (K/M/G suffix ok), write 0 once per 4 KiB page, free, exit 0
// Like tools/testing/selftests/cgroup's helper: buf = malloc(size); for each
// page *ptr = 0; free(buf).  Here malloc/free are mmap/munmap.  Exit 3 if mmap fails.
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
        cbz     x19, 2f
        bl      mmap_anon               // x0 = size
        check_err x0, 8f
        mov     x20, x0
        add     x1, x20, x19            // end
1:      strb    wzr, [x0]               // *ptr = 0
        add     x0, x0, #PAGE_SIZE
        cmp     x0, x1
        b.lo    1b
        mov     x0, x20                 // free(buf)
        mov     x1, x19
        mov     x8, #SYS_munmap
        svc     #0
2:      mov     w0, #0
        b       sys_exit_group
8:      la      x0, msg_mmap_fail
        bl      puts1
        mov     w0, #3
        b       sys_exit_group
9:      la      x0, msg_usage
        bl      puts1
        mov     w0, #64
        b       sys_exit_group
