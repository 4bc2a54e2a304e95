// memtool -- the C helpers of the kernel's cgroup selftests (cgroup_util.c, test_memcontrol.c)
// and of LTP's OOM tests (testcases/kernel/mem/oom/oom.h) as one small op interpreter, so the
// peer suites (test/peer-suites/*.test.ts) can rebuild each test from argv.
// (x86-64, Intel syntax, no libc, raw Linux system calls only)
//
// The ops are documented in ../aarch64/memtool.S; both programs behave identically.

        .set SYS_read,          0
        .set SYS_write,         1
        .set SYS_close,         3
        .set SYS_mmap,          9
        .set SYS_munmap,       11
        .set SYS_madvise,      28
        .set SYS_nanosleep,    35
        .set SYS_getpid,       39
        .set SYS_fork,         57
        .set SYS_wait4,        61
        .set SYS_mlock,       149
        .set SYS_exit_group,  231
        .set SYS_openat,      257

        .set PROT_READ,       1
        .set PROT_WRITE,      2
        .set MAP_PRIVATE,     0x02
        .set MAP_ANONYMOUS,   0x20
        .set MAP_POPULATE,    0x8000
        .set MADV_DONTNEED,   4
        .set AT_FDCWD,        -100
        .set O_RDONLY,        0
        .set O_WRONLY,        1
        .set PAGE_SIZE,       4096
        .set PAGECACHE_CHUNK, 0x20000   // 32 pages: the read(2) buffer `f` emulates

        .text
        .globl _start
_start:
        lea     r12, [rsp + 16]         // r12: cursor over argv[1..]
        xor     r13d, r13d              // last `a` buffer
        xor     r14d, r14d              // ... and its length
        xor     r15d, r15d              // 1 in the child of F

next_op:
        mov     rdi, [r12]
        add     r12, 8
        test    rdi, rdi
        jz      op_end
        movzx   eax, byte ptr [rdi]
        cmp     eax, 'a'
        je      op_a
        cmp     eax, 'u'
        je      op_u
        cmp     eax, 'f'
        je      op_f
        cmp     eax, 'c'
        je      op_c
        cmp     eax, 'w'
        je      op_w
        cmp     eax, 'e'
        je      op_e
        cmp     eax, 's'
        je      op_s
        cmp     eax, 'x'
        je      op_x
        cmp     eax, 'm'
        je      op_m
        cmp     eax, 'M'
        je      op_M
        cmp     eax, 'P'
        je      op_P
        cmp     eax, 'l'
        je      op_l
        cmp     eax, 'k'
        je      op_k
        cmp     eax, 'L'
        je      op_L
        cmp     eax, 'K'
        je      op_K
        cmp     eax, 'F'
        je      op_F
        cmp     eax, '/'
        je      op_slash
        cmp     eax, 'p'
        je      op_p
        lea     rdi, [rip + msg_badop]
        call    puts
        mov     edi, 64
        jmp     sys_exit

op_end:
        xor     edi, edi
        jmp     sys_exit

// ---------------------------------------------------------------- a <bytes>
op_a:
        call    next_num
        mov     r14, rax
        mov     rdi, rax
        call    mmap_rw
        cmp     rax, -4095
        jae     1f
        mov     r13, rax
        mov     rdi, rax
        mov     rsi, r14
        xor     edx, edx
        call    touch
        jmp     next_op
1:      mov     rsi, rax
        mov     edi, 'a'
        call    print_op_num
        mov     edi, 1
        jmp     sys_exit

// ---------------------------------------------------------------- u
op_u:
        test    r13, r13
        jz      next_op
        mov     rdi, r13
        mov     rsi, r14
        mov     eax, SYS_munmap
        syscall
        xor     r13d, r13d
        xor     r14d, r14d
        jmp     next_op

// ---------------------------------------------------------------- f <path> <bytes>
op_f:
        mov     rbx, [r12]              // path
        add     r12, 8
        call    next_num
        mov     rbp, rax                // bytes
        mov     edi, AT_FDCWD
        mov     rsi, rbx
        mov     edx, O_RDONLY
        xor     r10d, r10d
        mov     eax, SYS_openat
        syscall
        test    rax, rax
        js      8f
        mov     rbx, rax                // fd
        xor     edi, edi
        mov     rsi, rbp
        mov     edx, PROT_READ
        mov     r10d, MAP_PRIVATE
        mov     r8, rbx
        xor     r9d, r9d
        mov     eax, SYS_mmap
        syscall
        cmp     rax, -4095
        jae     8f
        push    rbx                     // fd
        push    rax                     // base
        mov     rbx, rax                // cursor
        add     rbp, rax                // end
1:      cmp     rbx, rbp
        jae     2f
        lea     r8, [rbx + PAGECACHE_CHUNK]
        cmp     r8, rbp
        cmova   r8, rbp                 // chunk end = min(cursor + chunk, end)
        mov     rcx, rbx
3:      movzx   eax, byte ptr [rcx]     // read one byte per page
        add     rcx, PAGE_SIZE
        cmp     rcx, r8
        jb      3b
        mov     rdi, rbx                // then drop the chunk's mappings
        mov     rsi, r8
        sub     rsi, rbx
        mov     edx, MADV_DONTNEED
        mov     eax, SYS_madvise
        syscall
        mov     rbx, r8
        jmp     1b
2:      pop     rdi                     // base
        mov     rsi, rbp
        sub     rsi, rdi
        mov     eax, SYS_munmap
        syscall
        pop     rdi                     // fd
        mov     eax, SYS_close
        syscall
        jmp     next_op
8:      mov     rsi, rax
        mov     edi, 'f'
        call    print_op_num
        mov     edi, 1
        jmp     sys_exit

// ---------------------------------------------------------------- c <path>
op_c:
        mov     rbx, [r12]
        add     r12, 8
        lea     rdi, [rip + msg_cat_open]
        call    puts
        mov     rdi, rbx
        call    puts
        lea     rdi, [rip + msg_nl]
        call    puts
        mov     edi, AT_FDCWD
        mov     rsi, rbx
        mov     edx, O_RDONLY
        xor     r10d, r10d
        mov     eax, SYS_openat
        syscall
        test    rax, rax
        js      5f
        mov     rbp, rax
1:      mov     rdi, rbp
        lea     rsi, [rip + iobuf]
        mov     edx, 4096
        mov     eax, SYS_read
        syscall
        test    rax, rax
        jle     2f
        mov     rdx, rax
        lea     rsi, [rip + iobuf]
        mov     edi, 1
        mov     eax, SYS_write
        syscall
        jmp     1b
2:      mov     rdi, rbp
        mov     eax, SYS_close
        syscall
        jmp     6f
5:      mov     rsi, rax
        mov     edi, '!'
        call    print_op_num
6:      lea     rdi, [rip + msg_cat_close]
        call    puts
        jmp     next_op

// ---------------------------------------------------------------- w <path> <str>
op_w:
        mov     rdi, [r12]
        mov     rsi, [r12 + 8]
        add     r12, 16
        call    write_file
        mov     rsi, rax
        mov     edi, 'w'
        call    print_op_num
        jmp     next_op

// ---------------------------------------------------------------- e <cgroup.procs>
op_e:
        mov     rbx, [r12]
        add     r12, 8
        mov     eax, SYS_getpid
        syscall
        mov     rdi, rax
        lea     rsi, [rip + numbuf]
        call    fmt_dec
        mov     rsi, rax
        mov     rdi, rbx
        call    write_file
        mov     rbp, rax
        mov     rsi, rax
        mov     edi, 'e'
        call    print_op_num
        test    rbp, rbp
        jns     next_op
        mov     edi, 1                  // exit(EXIT_FAILURE)
        jmp     sys_exit

// ---------------------------------------------------------------- s <ms>
op_s:
        call    next_num
        test    rax, rax
        jz      2f
        xor     edx, edx
        mov     ecx, 1000
        div     rcx                     // rax = seconds, rdx = ms
        imul    rdx, rdx, 1000000
        mov     [rip + timespec], rax
        mov     [rip + timespec + 8], rdx
        lea     rdi, [rip + timespec]
        xor     esi, esi
        mov     eax, SYS_nanosleep
        syscall
        jmp     next_op
2:      mov     qword ptr [rip + timespec], 1
        mov     qword ptr [rip + timespec + 8], 0
        lea     rdi, [rip + timespec]
        xor     esi, esi
        mov     eax, SYS_nanosleep
        syscall
        jmp     2b

// ---------------------------------------------------------------- x <code>
op_x:
        call    next_num
        mov     rdi, rax
        jmp     sys_exit

// ---------------------------------------------------------------- m <bytes>
op_m:
        call    next_num
        mov     rdi, rax
        call    mmap_rw
        mov     rsi, rax
        mov     edi, 'm'
        call    print_op_num
        jmp     next_op

// ---------------------------------------------------------------- M <bytes> (mlock)
op_M:
        call    next_num
        mov     rbp, rax
        mov     rdi, rax
        call    mmap_rw
        cmp     rax, -4095
        jae     8f
        mov     rbx, rax
        mov     rdi, rax
        mov     rsi, rbp
        mov     eax, SYS_mlock
        syscall
        push    rax
        push    rax
        mov     rdi, rbx
        mov     rsi, rbp
        mov     eax, SYS_munmap
        syscall
        pop     rsi
        pop     rsi
        mov     edi, 'M'
        call    print_op_num
        jmp     next_op
8:      mov     rsi, rax
        mov     edi, 'M'
        call    print_op_num
        mov     edi, 1
        jmp     sys_exit

// ---------------------------------------------------------------- P <bytes> (MAP_POPULATE)
op_P:
        call    next_num
        mov     rbp, rax
        xor     edi, edi
        mov     rsi, rax
        mov     edx, PROT_READ | PROT_WRITE
        mov     r10d, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE
        mov     r8, -1
        xor     r9d, r9d
        mov     eax, SYS_mmap
        syscall
        mov     rbx, rax
        cmp     rax, -4095
        jae     1f
        mov     rdi, rax
        mov     rsi, rbp
        mov     eax, SYS_munmap
        syscall
1:      mov     rsi, rbx
        mov     edi, 'P'
        call    print_op_num
        jmp     next_op

// ---------------------------------------------------------------- l / L / K <bytes>
op_l:
        call    next_num
        mov     rdi, rax
        xor     esi, esi
        call    alloc_mem
        mov     rdi, rax
        jmp     sys_exit
op_k:
        call    next_num
        mov     rdi, rax
        mov     esi, 1
        call    alloc_mem
        mov     rdi, rax
        jmp     sys_exit
op_L:
        call    next_num
        mov     rbp, rax
1:      mov     edi, 'L'                // tst_res(TINFO, "allocating %zu bytes.")
        mov     rsi, rbp
        call    print_op_num
        mov     rdi, rbp
        xor     esi, esi
        call    alloc_mem
        test    rax, rax
        jz      1b
        mov     rdi, rax
        jmp     sys_exit
op_K:
        call    next_num
        mov     rbp, rax
1:      mov     edi, 'K'
        mov     rsi, rbp
        call    print_op_num
        mov     rdi, rbp
        mov     esi, 1
        call    alloc_mem
        test    rax, rax
        jz      1b
        mov     rdi, rax
        jmp     sys_exit

// ---------------------------------------------------------------- F ... /
op_F:
        mov     eax, SYS_fork
        syscall
        test    rax, rax
        jz      5f
        js      9f
        // parent: skip the child's ops
1:      mov     rsi, [r12]
        add     r12, 8
        test    rsi, rsi
        jz      2f
        cmp     byte ptr [rsi], '/'
        jne     1b
        cmp     byte ptr [rsi + 1], 0
        jne     1b
        jmp     3f
2:      sub     r12, 8                  // stay on the NULL terminator
3:      mov     rdi, -1
        lea     rsi, [rip + status]
        xor     edx, edx
        xor     r10d, r10d
        mov     eax, SYS_wait4
        syscall
        movsxd  rsi, dword ptr [rip + status]
        mov     edi, 'F'
        call    print_op_num
        jmp     next_op
5:      mov     r15d, 1                 // child
        jmp     next_op
9:      mov     rsi, rax
        mov     edi, 'F'
        call    print_op_num
        mov     edi, 1
        jmp     sys_exit

op_slash:
        test    r15, r15
        jz      next_op
        xor     edi, edi                // the child of F: exit(0)
        jmp     sys_exit

// ---------------------------------------------------------------- p
op_p:
        mov     eax, SYS_getpid
        syscall
        mov     rsi, rax
        mov     edi, 'p'
        call    print_op_num
        jmp     next_op

// ================================================================ helpers

sys_exit:
        mov     eax, SYS_exit_group
        syscall
        hlt

// next_num() -> rax: parse_dec of the next argv token (advances r12)
next_num:
        mov     rdi, [r12]
        add     r12, 8
// parse_dec(cstr=rdi) -> rax (optional '-', decimal digits; NULL -> 0)
parse_dec:
        xor     eax, eax
        xor     ecx, ecx
        test    rdi, rdi
        jz      3f
        cmp     byte ptr [rdi], '-'
        jne     1f
        mov     ecx, 1
        inc     rdi
1:      movzx   edx, byte ptr [rdi]
        sub     edx, '0'
        cmp     edx, 9
        ja      2f
        imul    rax, rax, 10
        add     rax, rdx
        inc     rdi
        jmp     1b
2:      test    ecx, ecx
        jz      3f
        neg     rax
3:      ret

// strlen(rdi) -> rax
strlen:
        xor     eax, eax
1:      cmp     byte ptr [rdi + rax], 0
        je      2f
        inc     rax
        jmp     1b
2:      ret

// puts(cstr=rdi): write to fd 1
puts:
        push    rdi
        call    strlen
        mov     rdx, rax
        pop     rsi
        mov     edi, 1
        mov     eax, SYS_write
        syscall
        ret

// fmt_dec(value=rdi, buf=rsi) -> rax: NUL-terminated signed decimal inside buf (32 bytes)
fmt_dec:
        lea     r8, [rsi + 31]
        mov     byte ptr [r8], 0
        xor     r9d, r9d
        mov     rax, rdi
        test    rax, rax
        jns     1f
        mov     r9d, 1
        neg     rax
1:      mov     ecx, 10
2:      xor     edx, edx
        div     rcx
        add     edx, '0'
        dec     r8
        mov     [r8], dl
        test    rax, rax
        jnz     2b
        test    r9d, r9d
        jz      3f
        dec     r8
        mov     byte ptr [r8], '-'
3:      mov     rax, r8
        ret

// print_op_num(letter=edi, value=rsi): prints "<letter> <value>\n"
print_op_num:
        push    rbx
        mov     rbx, rsi
        mov     byte ptr [rip + linebuf], dil
        mov     byte ptr [rip + linebuf + 1], ' '
        mov     edi, 1
        lea     rsi, [rip + linebuf]
        mov     edx, 2
        mov     eax, SYS_write
        syscall
        mov     rdi, rbx
        lea     rsi, [rip + numbuf]
        call    fmt_dec
        mov     rdi, rax
        call    puts
        lea     rdi, [rip + msg_nl]
        call    puts
        pop     rbx
        ret

// write_file(path=rdi, str=rsi) -> rax: open O_WRONLY, one write of the string, close;
// returns the write's result, or the open's error
write_file:
        push    rbx
        push    rbp
        push    r12
        mov     rbp, rsi
        mov     rsi, rdi
        mov     edi, AT_FDCWD
        mov     edx, O_WRONLY
        xor     r10d, r10d
        mov     eax, SYS_openat
        syscall
        test    rax, rax
        js      9f
        mov     rbx, rax
        mov     rdi, rbp
        call    strlen
        mov     rdx, rax
        mov     rsi, rbp
        mov     rdi, rbx
        mov     eax, SYS_write
        syscall
        mov     r12, rax
        mov     rdi, rbx
        mov     eax, SYS_close
        syscall
        mov     rax, r12
9:      pop     r12
        pop     rbp
        pop     rbx
        ret

// mmap_rw(len=rdi) -> rax: anonymous private read-write mapping or -errno
mmap_rw:
        mov     rsi, rdi
        xor     edi, edi
        mov     edx, PROT_READ | PROT_WRITE
        mov     r10d, MAP_PRIVATE | MAP_ANONYMOUS
        mov     r8, -1
        xor     r9d, r9d
        mov     eax, SYS_mmap
        syscall
        ret

// touch(addr=rdi, len=rsi, byte=dl): one store per page
touch:
        add     rsi, rdi
1:      cmp     rdi, rsi
        jae     2f
        mov     [rdi], dl
        add     rdi, PAGE_SIZE
        jmp     1b
2:      ret

// alloc_mem(len=rdi, mlock=esi) -> rax: LTP's alloc_mem (0, or the mmap/mlock errno)
alloc_mem:
        push    rbx
        push    rbp
        push    r12
        mov     rbp, rdi
        mov     r12d, esi
        call    mmap_rw
        cmp     rax, -4095
        jae     8f
        mov     rbx, rax
        test    r12d, r12d
        jz      1f
        mov     rdi, rbx
        mov     rsi, rbp
        mov     eax, SYS_mlock
        syscall
        test    rax, rax
        js      8f
1:      mov     rdi, rbx
        mov     rsi, rbp
        mov     edx, 7                  // '\a'
        call    touch
        xor     eax, eax
        jmp     9f
8:      neg     rax                     // errno
9:      pop     r12
        pop     rbp
        pop     rbx
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
