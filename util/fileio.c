/* util/fileio.c — see fileio.h. */
#include "util/fileio.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
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

static int write_all(int fd, const unsigned char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int file_replace_atomic(const char *path, const void *data, size_t len, char *err, size_t errlen)
{
    char tmp[PATH_MAX], dir[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp ||
        snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir) {
        snprintf(err, errlen, "%s: path too long", path);
        return -1;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
        return -1;
    }
    if (write_all(fd, data, len) != 0 || fsync(fd) != 0) {
        snprintf(err, errlen, "%s: %s", tmp, strerror(errno ? errno : EIO));
        close(fd);
        unlink(tmp);
        return -1;
    }
    if (close(fd) != 0 || rename(tmp, path) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    int dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) { /* the rename itself is durable once the directory is */
        fsync(dfd);
        close(dfd);
    }
    return 0;
}

int file_read_all(const char *path, size_t max, unsigned char **data, size_t *len, char *err,
                  size_t errlen)
{
    if (access(path, F_OK) != 0 && errno == ENOENT)
        return 1;
    int fd = file_open_regular(path, O_RDONLY, err, errlen);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) != 0 || (uint64_t)st.st_size > max) {
        snprintf(err, errlen, "%s: %s", path,
                 (uint64_t)st.st_size > max ? "too large" : strerror(errno));
        close(fd);
        return -1;
    }
    unsigned char *buf = malloc(st.st_size ? (size_t)st.st_size : 1);
    size_t got = 0;
    while (buf && got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    if (!buf || got != (size_t)st.st_size) {
        snprintf(err, errlen, "%s: %s", path, buf ? "short read" : "out of memory");
        free(buf);
        return -1;
    }
    *data = buf;
    *len = got;
    return 0;
}
