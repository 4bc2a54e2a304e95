// worker [PAGES [SLEEP_MS]]: a small process for multi-process runs (test/determinism).
//   1. prints "at_random=<16 bytes hex>" (the AT_RANDOM auxv bytes) and
//      "getrandom=<8 bytes hex>" (getrandom(2)): the only output that depends on the seed;
//   2. mmaps PAGES anonymous private pages, writes one byte to the first half of them,
//      sleeps SLEEP_MS (nanosleep; 0 = no sleep), writes the second half, sleeps again;
//   3. prints "done" and exits 0.  A worker killed by the OOM killer never prints "done".
        .text
        .globl _start
_start:
        mov     x29, sp
        mov     x19, #0                 // pages
        mov     x20, #0                 // sleep ms
        ldr     x9, [x29]               // argc
        cmp     x9, #2
        b.lt    1f
        ldr     x0, [x29, #16]          // argv[1]
        bl      parse_num
        mov     x19, x0
        ldr     x9, [x29]
        cmp     x9, #3
        b.lt    1f
        ldr     x0, [x29, #24]          // argv[2]
        bl      parse_num
        mov     x20, x0
1:      ldr     x9, [x29]               // find the auxv: after argv[], NULL, envp[], NULL
        add     x10, x29, #16
        add     x10, x10, x9, lsl #3    // envp
2:      ldr     x11, [x10], #8
        cbnz    x11, 2b
3:      ldp     x11, x12, [x10], #16
        cbz     x11, 4f                 // AT_NULL: no AT_RANDOM
        cmp     x11, #25                // AT_RANDOM
        b.ne    3b
        adrp    x0, s_atr
        add     x0, x0, :lo12:s_atr
        mov     x1, x12
        mov     x2, #16
        bl      print_hex
4:      adrp    x0, rbuf
        add     x0, x0, :lo12:rbuf
        mov     x1, #8
        mov     x2, #0
        mov     x8, #278                // __NR_getrandom
        svc     #0
        adrp    x0, s_gr
        add     x0, x0, :lo12:s_gr
        adrp    x1, rbuf
        add     x1, x1, :lo12:rbuf
        mov     x2, #8
        bl      print_hex
        cbz     x19, done
        mov     x0, #0                  // mmap(NULL, pages * 4096, RW, PRIVATE|ANONYMOUS, -1, 0)
        lsl     x1, x19, #12
        mov     x2, #3
        mov     x3, #0x22
        mov     x4, #-1
        mov     x5, #0
        mov     x8, #222                // __NR_mmap
        svc     #0
        cmn     x0, #4095
        b.hi    fail
        mov     x21, x0                 // base
        lsr     x22, x19, #1            // first half
        mov     x1, x22
        bl      touch
        mov     x0, x20
        bl      sleep_ms
        add     x0, x21, x22, lsl #12
        sub     x1, x19, x22
        bl      touch
        mov     x0, x20
        bl      sleep_ms
done:   mov     x0, #1
        adrp    x1, s_done
        add     x1, x1, :lo12:s_done
        mov     x2, #5
        mov     x8, #64                 // __NR_write
        svc     #0
        mov     x0, #0
        mov     x8, #94                 // __NR_exit_group
        svc     #0
fail:   mov     x0, #1
        mov     x8, #94
        svc     #0

// x0 = NUL-terminated decimal string -> x0 = value
parse_num:
        mov     x1, x0
        mov     x0, #0
        mov     x3, #10
5:      ldrb    w2, [x1], #1
        sub     w2, w2, #48
        cmp     w2, #9
        b.hi    6f
        madd    x0, x0, x3, x2
        b       5b
6:      ret

// one byte store per page: x0 = first page, x1 = page count
touch:
        cbz     x1, 8f
        mov     w2, #1
7:      strb    w2, [x0]
        add     x0, x0, #4096
        subs    x1, x1, #1
        b.ne    7b
8:      ret

// nanosleep for x0 milliseconds (nothing if 0)
sleep_ms:
        cbz     x0, 9f
        mov     x1, #1000
        udiv    x2, x0, x1
        msub    x3, x2, x1, x0
        ldr     x4, =1000000
        mul     x3, x3, x4
        adrp    x5, ts
        add     x5, x5, :lo12:ts
        stp     x2, x3, [x5]
        mov     x0, x5
        mov     x1, #0
        mov     x8, #101                // __NR_nanosleep
        svc     #0
9:      ret

// write(1, prefix + hex(bytes) + "\n"): x0 = prefix (NUL-terminated), x1 = bytes, x2 = count
print_hex:
        adrp    x3, line
        add     x3, x3, :lo12:line
        mov     x4, x3
10:     ldrb    w5, [x0], #1
        cbz     w5, 11f
        strb    w5, [x4], #1
        b       10b
11:     adrp    x6, hexd
        add     x6, x6, :lo12:hexd
12:     cbz     x2, 13f
        ldrb    w5, [x1], #1
        lsr     w7, w5, #4
        ldrb    w7, [x6, x7]
        strb    w7, [x4], #1
        and     w7, w5, #15
        ldrb    w7, [x6, x7]
        strb    w7, [x4], #1
        sub     x2, x2, #1
        b       12b
13:     mov     w5, #10
        strb    w5, [x4], #1
        mov     x0, #1
        mov     x1, x3
        sub     x2, x4, x3
        mov     x8, #64                 // __NR_write
        svc     #0
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
