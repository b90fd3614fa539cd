/* util/fileio.c — see fileio.h. */
#include "util/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *kind_of(mode_t m)
{
    if (S_ISDIR(m))
        return "a directory";
    if (S_ISFIFO(m))
        return "a FIFO";
    if (S_ISSOCK(m))
        return "a socket";
    if (S_ISCHR(m) || S_ISBLK(m))
        return "a device";
    return "not a regular file";
}

/* Open without blocking and stat; -1 with a message on failure. */
static int open_nonblock(const char *path, int flags, struct stat *st, char *err, size_t errlen)
{
    int fd = open(path, flags | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot open (%s)", path, strerror(errno));
        return -1;
    }
    if (fstat(fd, st) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

int file_open_regular(const char *path, int flags, char *err, size_t errlen)
{
    struct stat st;
    int fd = open_nonblock(path, flags, &st, err, errlen);
    if (fd < 0)
        return -1;
    if (!S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: is %s, not a regular file", path, kind_of(st.st_mode));
        close(fd);
        return -1;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

FILE *file_fopen_regular(const char *path, char *err, size_t errlen)
{
    int fd = file_open_regular(path, O_RDONLY, err, errlen);
    if (fd < 0)
        return NULL;
    FILE *f = fdopen(fd, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        close(fd);
    }
    return f;
}

int file_check_regular(const char *path, char *err, size_t errlen)
{
    int fd = file_open_regular(path, O_RDONLY, err, errlen);
    if (fd < 0)
        return -1;
    close(fd);
    return 0;
}

int file_open_input(const char *path, char *err, size_t errlen)
{
    struct stat st;
    int fd = open_nonblock(path, O_RDONLY, &st, err, errlen);
    if (fd < 0)
        return -1;
    if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode) && !S_ISCHR(st.st_mode)) {
        snprintf(err, errlen, "%s: is %s, not a file, pipe or terminal", path, kind_of(st.st_mode));
        close(fd);
        return -1;
    }
    return fd;
}

int file_check_writable(const char *path, char *err, size_t errlen)
{
    /* A file we create to find out is removed again: nothing is left behind
     * by a run that then fails before writing it. */
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, 0644);
    if (fd >= 0) {
        close(fd);
        unlink(path);
        return 0;
    }
    if (errno == EEXIST)
        fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", path,
                 errno == ENXIO ? "a FIFO with no reader" : strerror(errno));
        return -1;
    }
    close(fd);
    return 0;
}
