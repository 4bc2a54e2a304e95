// web: the guest program holder under another name, so that the OOM report's task table
// says "web" (a task's comm is the basename of the program it runs).
// web N [seconds] -- touch N anonymous pages, print "holder: ready N", then sleep.
        .include "../../../../guest-programs/aarch64/holder.S"
