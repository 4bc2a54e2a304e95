// memtool -- the C helpers of the kernel's cgroup selftests (cgroup_util.c, test_memcontrol.c)
// and of LTP's OOM tests (testcases/kernel/mem/oom/oom.h) as one small op interpreter, so the
// peer suites (test/peer-suites/*.test.ts) can rebuild each test from argv.
// (aarch64, GNU as syntax, no libc, raw Linux system calls only)
//
// argv[1..] is a list of ops, each a one-letter token followed by its operands:
//   a <bytes>        alloc_anon: mmap <bytes> anonymous, write 0 to one byte per 4 KiB page
//                    (mmap failure: prints "a <ret>" and exits 1)
//   u                free(): munmap the last `a` buffer
//   f <path> <bytes> alloc_pagecache: bring <bytes> of <path> into the page cache (mmap it
//                    read-only, read one byte per page, and after every 32 pages MADV_DONTNEED
//                    those pages, so they stay only in the page cache, as after read(2) into a
//                    128 KiB buffer)
//   c <path>         cat: prints ">>> <path>", the file's content, then "<<<"
//                    (open failure: prints "!open <ret>" inside the block)
//   w <path> <str>   write <str> to <path> (one write(2)); prints "w <ret>"
//   e <procs-file>   cg_run's child: write getpid() to <procs-file>; exit(1) if that fails
//   s <ms>           sleep <ms> milliseconds; 0 = forever in 1 s steps (alloc_anon_noexit)
//   x <code>         exit(code)
//   m <bytes>        mmap <bytes> anonymous without touching; prints "m <ret>"
//   M <bytes>        alloc_anon_mlock: mmap, mlock(buf, size), munmap; prints "M <mlock ret>"
//   P <bytes>        like M, but populating with MAP_POPULATE instead of mlock
//   l <bytes>        LTP child_alloc(lite): exit(alloc_mem(bytes))
//   k <bytes>        like l with testcase MLOCK (mlock before touching)
//   L <bytes>        LTP child_alloc_thread: while (!(ret = alloc_mem(bytes))); exit(ret)
//                    (prints "L <bytes>" before each alloc_mem, like its "allocating" TINFO)
//   K <bytes>        like L with testcase MLOCK (mlock before touching)
//   F ... /          LTP oom(): fork; the child runs the ops up to "/" and exits 0 there; the
//                    parent skips them, waitpid(-1, &status, 0), prints "F <status>", goes on
//   p                prints "p <pid>"
// alloc_mem(len) (LTP): mmap; on failure return errno; write '\a' to one byte per page; 0.
// Every op's output line ends in "\n".  Running off the end of argv exits 0.

        .set SYS_openat,       56
        .set SYS_close,        57
        .set SYS_read,         63
        .set SYS_write,        64
        .set SYS_exit_group,   94
        .set SYS_nanosleep,   101
        .set SYS_getpid,      172
        .set SYS_munmap,      215
        .set SYS_clone,       220
        .set SYS_mmap,        222
        .set SYS_mlock,       228
        .set SYS_madvise,     233
        .set SYS_wait4,       260

        .set PROT_READ,       1
        .set PROT_WRITE,      2
        .set MAP_PRIVATE,     0x02
        .set MAP_ANONYMOUS,   0x20
        .set MAP_POPULATE,    0x8000
        .set MADV_DONTNEED,   4
        .set AT_FDCWD,        -100
        .set O_RDONLY,        0
        .set O_WRONLY,        1
        .set SIGCHLD,         17
        .set PAGE_SIZE,       4096
        .set PAGECACHE_CHUNK, 0x20000   // 32 pages: the read(2) buffer `f` emulates

.macro  la reg, sym
        adrp    \reg, \sym
        add     \reg, \reg, :lo12:\sym
.endm

        .text
        .globl _start
_start:
        add     x19, sp, #16            // x19: cursor over argv[1..]
        mov     x21, #0                 // last `a` buffer
        mov     x22, #0                 // ... and its length
        mov     x23, #0                 // 1 in the child of F

next_op:
        ldr     x0, [x19], #8
        cbz     x0, op_end
        ldrb    w1, [x0]
        cmp     w1, #'a'
        b.eq    op_a
        cmp     w1, #'u'
        b.eq    op_u
        cmp     w1, #'f'
        b.eq    op_f
        cmp     w1, #'c'
        b.eq    op_c
        cmp     w1, #'w'
        b.eq    op_w
        cmp     w1, #'e'
        b.eq    op_e
        cmp     w1, #'s'
        b.eq    op_s
        cmp     w1, #'x'
        b.eq    op_x
        cmp     w1, #'m'
        b.eq    op_m
        cmp     w1, #'M'
        b.eq    op_M
        cmp     w1, #'P'
        b.eq    op_P
        cmp     w1, #'l'
        b.eq    op_l
        cmp     w1, #'k'
        b.eq    op_k
        cmp     w1, #'L'
        b.eq    op_L
        cmp     w1, #'K'
        b.eq    op_K
        cmp     w1, #'F'
        b.eq    op_F
        cmp     w1, #'/'
        b.eq    op_slash
        cmp     w1, #'p'
        b.eq    op_p
        la      x0, msg_badop
        bl      puts
        mov     x0, #64
        b       sys_exit

op_end:
        mov     x0, #0
        b       sys_exit

// ---------------------------------------------------------------- a <bytes>
op_a:
        bl      next_num
        mov     x22, x0
        bl      mmap_rw
        cmn     x0, #4095
        b.hs    1f
        mov     x21, x0
        mov     x1, x22
        mov     w2, #0
        bl      touch
        b       next_op
1:      mov     x20, x0
        mov     w0, #'a'
        mov     x1, x20
        bl      print_op_num
        mov     x0, #1
        b       sys_exit

// ---------------------------------------------------------------- u
op_u:
        cbz     x21, next_op
        mov     x0, x21
        mov     x1, x22
        mov     x8, #SYS_munmap
        svc     #0
        mov     x21, #0
        mov     x22, #0
        b       next_op

// ---------------------------------------------------------------- f <path> <bytes>
op_f:
        ldr     x24, [x19], #8          // path
        bl      next_num
        mov     x25, x0                 // bytes
        mov     x0, #AT_FDCWD
        mov     x1, x24
        mov     x2, #O_RDONLY
        mov     x3, #0
        mov     x8, #SYS_openat
        svc     #0
        tbnz    x0, #63, 8f
        mov     x26, x0                 // fd
        mov     x0, #0
        mov     x1, x25
        mov     x2, #PROT_READ
        mov     x3, #MAP_PRIVATE
        mov     x4, x26
        mov     x5, #0
        mov     x8, #SYS_mmap
        svc     #0
        cmn     x0, #4095
        b.hs    8f
        mov     x27, x0                 // base
        mov     x28, #0                 // offset
1:      cmp     x28, x25
        b.hs    2f
        add     x20, x28, #PAGECACHE_CHUNK
        cmp     x20, x25
        csel    x20, x20, x25, ls       // chunk end = min(offset + chunk, bytes)
        mov     x3, x28
3:      ldrb    w1, [x27, x3]           // read one byte per page
        add     x3, x3, #PAGE_SIZE
        cmp     x3, x20
        b.lo    3b
        add     x0, x27, x28            // then drop the chunk's mappings
        sub     x1, x20, x28
        mov     x2, #MADV_DONTNEED
        mov     x8, #SYS_madvise
        svc     #0
        mov     x28, x20
        b       1b
2:      mov     x0, x27
        mov     x1, x25
        mov     x8, #SYS_munmap
        svc     #0
        mov     x0, x26
        mov     x8, #SYS_close
        svc     #0
        b       next_op
8:      mov     x1, x0
        mov     w0, #'f'
        bl      print_op_num
        mov     x0, #1
        b       sys_exit

// ---------------------------------------------------------------- c <path>
op_c:
        ldr     x24, [x19], #8
        la      x0, msg_cat_open
        bl      puts
        mov     x0, x24
        bl      puts
        la      x0, msg_nl
        bl      puts
        mov     x0, #AT_FDCWD
        mov     x1, x24
        mov     x2, #O_RDONLY
        mov     x3, #0
        mov     x8, #SYS_openat
        svc     #0
        tbnz    x0, #63, 5f
        mov     x25, x0
1:      mov     x0, x25
        la      x1, iobuf
        mov     x2, #4096
        mov     x8, #SYS_read
        svc     #0
        cmp     x0, #0
        b.le    2f
        mov     x2, x0
        la      x1, iobuf
        mov     x0, #1
        mov     x8, #SYS_write
        svc     #0
        b       1b
2:      mov     x0, x25
        mov     x8, #SYS_close
        svc     #0
        b       6f
5:      mov     x1, x0
        mov     w0, #'!'
        bl      print_op_num
6:      la      x0, msg_cat_close
        bl      puts
        b       next_op

// ---------------------------------------------------------------- w <path> <str>
op_w:
        ldr     x24, [x19], #8          // path
        ldr     x25, [x19], #8          // string
        mov     x0, x24
        mov     x1, x25
        bl      write_file
        mov     x1, x0
        mov     w0, #'w'
        bl      print_op_num
        b       next_op

// ---------------------------------------------------------------- e <cgroup.procs>
op_e:
        ldr     x24, [x19], #8
        mov     x8, #SYS_getpid
        svc     #0
        la      x1, numbuf
        bl      fmt_dec                 // x0 = string
        mov     x1, x0
        mov     x0, x24
        bl      write_file
        mov     x20, x0
        mov     x1, x0
        mov     w0, #'e'
        bl      print_op_num
        tbz     x20, #63, next_op
        mov     x0, #1                  // exit(EXIT_FAILURE)
        b       sys_exit

// ---------------------------------------------------------------- s <ms>
op_s:
        bl      next_num
        cbz     x0, 2f
        mov     x1, #1000
        udiv    x2, x0, x1              // seconds
        msub    x3, x2, x1, x0          // ms remainder
        ldr     x4, =1000000
        mul     x3, x3, x4
        la      x0, timespec
        stp     x2, x3, [x0]
        mov     x1, #0
        mov     x8, #SYS_nanosleep
        svc     #0
        b       next_op
2:      la      x0, timespec
        mov     x2, #1
        stp     x2, xzr, [x0]
        mov     x1, #0
        mov     x8, #SYS_nanosleep
        svc     #0
        b       2b

// ---------------------------------------------------------------- x <code>
op_x:
        bl      next_num
        b       sys_exit

// ---------------------------------------------------------------- m <bytes>
op_m:
        bl      next_num
        bl      mmap_rw
        mov     x1, x0
        mov     w0, #'m'
        bl      print_op_num
        b       next_op

// ---------------------------------------------------------------- M <bytes> (mlock)
op_M:
        bl      next_num
        mov     x25, x0
        bl      mmap_rw
        cmn     x0, #4095
        b.hs    8f
        mov     x24, x0
        mov     x1, x25
        mov     x8, #SYS_mlock
        svc     #0
        mov     x26, x0
        mov     x0, x24
        mov     x1, x25
        mov     x8, #SYS_munmap
        svc     #0
        mov     x1, x26
        mov     w0, #'M'
        bl      print_op_num
        b       next_op
8:      mov     x1, x0
        mov     w0, #'M'
        bl      print_op_num
        mov     x0, #1
        b       sys_exit

// ---------------------------------------------------------------- P <bytes> (MAP_POPULATE)
op_P:
        bl      next_num
        mov     x25, x0
        mov     x1, x0
        mov     x0, #0
        mov     x2, #(PROT_READ|PROT_WRITE)
        mov     x3, #(MAP_PRIVATE|MAP_ANONYMOUS|MAP_POPULATE)
        mov     x4, #-1
        mov     x5, #0
        mov     x8, #SYS_mmap
        svc     #0
        mov     x26, x0
        cmn     x0, #4095
        b.hs    1f
        mov     x1, x25
        mov     x8, #SYS_munmap
        svc     #0
1:      mov     x1, x26
        mov     w0, #'P'
        bl      print_op_num
        b       next_op

// ---------------------------------------------------------------- l / L / K <bytes>
op_l:
        bl      next_num
        mov     x1, #0
        bl      alloc_mem
        b       sys_exit
op_k:
        bl      next_num
        mov     x1, #1
        bl      alloc_mem
        b       sys_exit
op_L:
        bl      next_num
        mov     x25, x0
1:      mov     w0, #'L'                // tst_res(TINFO, "allocating %zu bytes.")
        mov     x1, x25
        bl      print_op_num
        mov     x0, x25
        mov     x1, #0
        bl      alloc_mem
        cbz     x0, 1b
        b       sys_exit
op_K:
        bl      next_num
        mov     x25, x0
1:      mov     w0, #'K'
        mov     x1, x25
        bl      print_op_num
        mov     x0, x25
        mov     x1, #1
        bl      alloc_mem
        cbz     x0, 1b
        b       sys_exit

// ---------------------------------------------------------------- F ... /
op_F:
        mov     x0, #SIGCHLD
        mov     x1, #0
        mov     x2, #0
        mov     x3, #0
        mov     x4, #0
        mov     x8, #SYS_clone
        svc     #0
        cbz     x0, 5f
        tbnz    x0, #63, 9f
        // parent: skip the child's ops
1:      ldr     x1, [x19], #8
        cbz     x1, 2f
        ldrb    w2, [x1]
        cmp     w2, #'/'
        b.ne    1b
        ldrb    w2, [x1, #1]
        cbnz    w2, 1b
        b       3f
2:      sub     x19, x19, #8            // stay on the NULL terminator
3:      mov     x0, #-1
        la      x1, status
        mov     x2, #0
        mov     x3, #0
        mov     x8, #SYS_wait4
        svc     #0
        la      x1, status
        ldrsw   x1, [x1]
        mov     w0, #'F'
        bl      print_op_num
        b       next_op
5:      mov     x23, #1                 // child
        b       next_op
9:      mov     x1, x0
        mov     w0, #'F'
        bl      print_op_num
        mov     x0, #1
        b       sys_exit

op_slash:
        cbz     x23, next_op
        mov     x0, #0                  // the child of F: exit(0)
        b       sys_exit

// ---------------------------------------------------------------- p
op_p:
        mov     x8, #SYS_getpid
        svc     #0
        mov     x1, x0
        mov     w0, #'p'
        bl      print_op_num
        b       next_op

// ================================================================ helpers

sys_exit:
        mov     x8, #SYS_exit_group
        svc     #0
        brk     #0

// next_num() -> x0: parse_dec of the next argv token (advances x19)
next_num:
        ldr     x0, [x19], #8
// parse_dec(cstr=x0) -> x0 (optional '-', decimal digits; NULL -> 0); clobbers x1-x4
parse_dec:
        mov     x1, x0
        mov     x0, #0
        mov     x4, #0
        cbz     x1, 3f
        ldrb    w2, [x1]
        cmp     w2, #'-'
        b.ne    1f
        mov     x4, #1
        add     x1, x1, #1
1:      ldrb    w2, [x1]
        sub     w2, w2, #'0'
        cmp     w2, #9
        b.hi    2f
        mov     x3, #10
        mul     x0, x0, x3
        add     x0, x0, x2
        add     x1, x1, #1
        b       1b
2:      cbz     x4, 3f
        neg     x0, x0
3:      ret

// strlen(x0) -> x0; clobbers x1, x2
strlen:
        mov     x1, x0
        mov     x0, #0
1:      ldrb    w2, [x1, x0]
        cbz     w2, 2f
        add     x0, x0, #1
        b       1b
2:      ret

// puts(cstr=x0): write to fd 1; clobbers x0-x3, x8
puts:
        mov     x3, x0
        mov     x1, x0
        mov     x0, #0
1:      ldrb    w2, [x1, x0]
        cbz     w2, 2f
        add     x0, x0, #1
        b       1b
2:      mov     x2, x0
        mov     x1, x3
        mov     x0, #1
        mov     x8, #SYS_write
        svc     #0
        ret

// fmt_dec(value=x0, buf=x1) -> x0: NUL-terminated signed decimal inside buf (32 bytes)
fmt_dec:
        add     x2, x1, #31
        strb    wzr, [x2]
        mov     x5, #0
        cmp     x0, #0
        b.ge    1f
        mov     x5, #1
        neg     x0, x0
1:      mov     x3, #10
2:      udiv    x4, x0, x3
        msub    x6, x4, x3, x0
        add     w6, w6, #'0'
        sub     x2, x2, #1
        strb    w6, [x2]
        mov     x0, x4
        cbnz    x0, 2b
        cbz     x5, 3f
        mov     w6, #'-'
        sub     x2, x2, #1
        strb    w6, [x2]
3:      mov     x0, x2
        ret

// print_op_num(letter=w0, value=x1): prints "<letter> <value>\n"
print_op_num:
        stp     x19, x30, [sp, #-16]!
        stp     x20, x21, [sp, #-16]!
        la      x2, linebuf
        strb    w0, [x2]
        mov     w3, #' '
        strb    w3, [x2, #1]
        mov     x20, x1
        mov     x0, x2
        bl      puts_n2                 // letter and space
        mov     x0, x20
        la      x1, numbuf
        bl      fmt_dec
        bl      puts
        la      x0, msg_nl
        bl      puts
        ldp     x20, x21, [sp], #16
        ldp     x19, x30, [sp], #16
        ret

// puts_n2(buf=x0): write 2 bytes
puts_n2:
        mov     x1, x0
        mov     x0, #1
        mov     x2, #2
        mov     x8, #SYS_write
        svc     #0
        ret

// write_file(path=x0, str=x1) -> x0: open O_WRONLY, one write of the string, close;
// returns the write's result, or the open's error
write_file:
        stp     x19, x30, [sp, #-16]!
        stp     x20, x21, [sp, #-16]!
        mov     x20, x1
        mov     x1, x0
        mov     x0, #AT_FDCWD
        mov     x2, #O_WRONLY
        mov     x3, #0
        mov     x8, #SYS_openat
        svc     #0
        tbnz    x0, #63, 9f
        mov     x19, x0
        mov     x0, x20
        bl      strlen
        mov     x2, x0
        mov     x1, x20
        mov     x0, x19
        mov     x8, #SYS_write
        svc     #0
        mov     x21, x0
        mov     x0, x19
        mov     x8, #SYS_close
        svc     #0
        mov     x0, x21
9:      ldp     x20, x21, [sp], #16
        ldp     x19, x30, [sp], #16
        ret

// mmap_rw(len=x0) -> x0: anonymous private read-write mapping or -errno
mmap_rw:
        mov     x1, x0
        mov     x0, #0
        mov     x2, #(PROT_READ|PROT_WRITE)
        mov     x3, #(MAP_PRIVATE|MAP_ANONYMOUS)
        mov     x4, #-1
        mov     x5, #0
        mov     x8, #SYS_mmap
        svc     #0
        ret

// touch(addr=x0, len=x1, byte=w2): one store per page
touch:
        add     x1, x0, x1
1:      cmp     x0, x1
        b.hs    2f
        strb    w2, [x0]
        add     x0, x0, #PAGE_SIZE
        b       1b
2:      ret

// alloc_mem(len=x0, mlock=x1) -> x0: LTP's alloc_mem (0, or the mmap/mlock errno)
alloc_mem:
        stp     x19, x30, [sp, #-16]!
        stp     x20, x21, [sp, #-16]!
        mov     x20, x0
        mov     x21, x1
        bl      mmap_rw
        cmn     x0, #4095
        b.hs    8f
        mov     x19, x0
        cbz     x21, 1f
        mov     x1, x20
        mov     x8, #SYS_mlock
        svc     #0
        tbnz    x0, #63, 8f
1:      mov     x0, x19
        mov     x1, x20
        mov     w2, #7                  // '\a'
        bl      touch
        mov     x0, #0
        b       9f
8:      neg     x0, x0                  // errno
9:      ldp     x20, x21, [sp], #16
        ldp     x19, x30, [sp], #16
        ret

        .section .rodata
msg_nl:         .asciz "\n"
msg_cat_open:   .asciz ">>> "
msg_cat_close:  .asciz "<<<\n"
msg_badop:      .asciz "memtool: unknown op\n"

        .bss
        .balign 16
timespec:       .skip 16
status:         .skip 16
numbuf:         .skip 32
linebuf:        .skip 16
iobuf:          .skip 4096
