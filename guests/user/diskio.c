/* guests/user/diskio.c — disk I/O: write a pattern to sectors 64..71 of the
 * raw disk, flush, read them back and compare. The host can find the
 * pattern in the image file afterwards ("trapvisor diskio sector N"). */
#include "ulib.h"

#define FIRST 64
#define COUNT 8
static char out[COUNT * 512], in[COUNT * 512];

int main(void)
{
    for (int s = 0; s < COUNT; s++) {
        char *sec = out + s * 512;
        memset(sec, '.', 512);
        fmt_snprintf(sec, 512, "trapvisor diskio sector %d", FIRST + s);
        sec[511] = '\n';
    }
    if (seek(FD_DISK, FIRST * 512) < 0) {
        printf("diskio: no disk, nothing to do\n");
        return 0;
    }
    int w = write(FD_DISK, out, sizeof out);
    int f = fsync(FD_DISK);
    seek(FD_DISK, FIRST * 512);
    int r = read(FD_DISK, in, sizeof in);
    if (w != (int)sizeof out || f != 0 || r != (int)sizeof in || memcmp(in, out, sizeof in) != 0) {
        printf("diskio: FAILED (write %d, fsync %d, read %d)\n", w, f, r);
        return 1;
    }
    printf("diskio: wrote, flushed and read back %d sectors at %d\n", COUNT, FIRST);
    return 0;
}
